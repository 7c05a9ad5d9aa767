"""End of caller speech -> first bot audio, over a real-audio call on the offline stack.

Streams synthesised caller lines in real time through the pipeline bot.py
builds (Whisper -> on-device brain -> Piper) and records, per turn, when the
VAD stopped, the turn ended, the transcript, the first reply text and the
first audible bot audio arrived, all relative to the end of the caller's
speech. Writes bench/results/latency.json.
"""

import argparse
import asyncio
import json
from pathlib import Path
from statistics import quantiles

from bench.machine import describe_machine
from harness.call import ScriptedCall, median_breakdown
from harness.voices import piper_speech
from settings import Settings

LINES = [
    "What time do you open on Sunday?",
    "Where are you located?",
    "Could you repeat that?",
    "How late are you open on Friday?",
    "How do I get there from the station?",
    "Do you have a vegan menu?",
]
RESULT = Path(__file__).parent / "results" / "latency.json"


async def measure(turns: int) -> dict:
    settings = Settings()
    lines = [LINES[i % len(LINES)] for i in range(turns)]
    speech = {
        line: piper_speech(line, settings.piper_voice, length_scale=1.15) for line in set(lines)
    }
    async with ScriptedCall(settings) as call:
        await call.greet()
        measured = [await call.say(speech[line]) for line in lines]
    first_audio = [t.first_audio for t in measured if t.first_audio is not None]
    return {
        "what": "end of caller speech -> first audible bot audio, offline stack (s)",
        "stack": {"stt": settings.stt, "llm": settings.llm, "tts": settings.tts},
        "turns": len(measured),
        "answered": len(first_audio),
        "median": median_breakdown(measured),
        "p95_first_audio_s": round(quantiles(first_audio, n=20)[-1], 3),
        "per_turn": [
            {"said": line, **t.breakdown()} for line, t in zip(lines, measured, strict=True)
        ],
        "machine": describe_machine(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=12)
    args = parser.parse_args()
    result = asyncio.run(measure(args.turns))
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({"median": result["median"], "p95": result["p95_first_audio_s"]}))


if __name__ == "__main__":
    main()
