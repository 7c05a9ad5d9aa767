"""First text -> first audible audio with the first clause sent to the TTS alone, and without.

The same caller lines, through the offline stack (Whisper -> on-device brain ->
Piper), in calls that alternate `TTS_FIRST_CLAUSE_MIN_WORDS` between 0 (whole
sentences, Pipecat's way) and the setting's default, round by round, so both
see the same machine load. Reports each side's medians and p95s and their ratio, and
the replies whose audio stopped for a moment (the TTS late with what follows the clause).
Writes bench/results/first_clause.json.
"""

import argparse
import asyncio
import json
import os
import time
from pathlib import Path
from statistics import median, quantiles

from bench.machine import describe_machine
from harness.call import ScriptedCall
from harness.voices import piper_speech
from settings import Settings

# Questions whose offline answers start with a clause (hours, address, what the bot
# does offline), one without a comma in its first sentence (the menu), and a booking
# request, whose answer starts "Good news, we have a table for 4 people on ..." (last, so
# the questions before it are answered as questions, not asides in a booking).
LINES = [
    "What time do you open on Friday?",
    "Where are you located?",
    "Do you have a vegan menu?",
    "What's on the menu?",
    "I'd like to book a table for four tomorrow at half past seven.",
]
RESULT = Path(__file__).parent / "results" / "first_clause.json"


GAP_SECS = 0.05
"""A stretch this long with no bot audio sent, inside a reply, is the TTS running late."""


async def one_round(settings: Settings, speech: dict[str, bytes]) -> list[dict]:
    async with ScriptedCall(settings) as call:
        await call.greet()
        turns = []
        for line, pcm in speech.items():
            started = time.monotonic()
            turn = await call.say(pcm)
            await call.wait_for_silence(quiet=1.0, timeout=30)
            heard = call.transport.heard
            first = heard.first_voiced_after(started)
            gaps = heard.gaps(first + 0.001, min_gap=GAP_SECS) if first is not None else []
            starved = sum(after - before for before, after in gaps) if gaps else 0.0
            turns.append({"said": line, **turn.breakdown(), "gaps_s": round(starved, 3)})
    return turns


def summary(turns: list[dict]) -> dict:
    tts = [t["first_audio_s"] - t["first_text_s"] for t in turns if t["first_audio_s"] is not None]
    first_audio = [t["first_audio_s"] for t in turns if t["first_audio_s"] is not None]
    return {
        "turns": len(turns),
        "replies_with_a_gap": sum(1 for t in turns if t["gaps_s"] > 0),
        "first_text_to_audio_ms": {
            "p50": round(median(tts) * 1000),
            "p95": round(quantiles(tts, n=20)[-1] * 1000),
        },
        "first_audio_ms": {
            "p50": round(median(first_audio) * 1000),
            "p95": round(quantiles(first_audio, n=20)[-1] * 1000),
        },
    }


async def measure(rounds: int) -> dict:
    base = Settings()
    speech = {line: piper_speech(line, base.piper_voice, length_scale=1.15) for line in LINES}
    sides = {"whole_sentences": 0, "first_clause": base.tts_first_clause_min_words}
    turns: dict[str, list[dict]] = {side: [] for side in sides}
    await one_round(base, speech)  # warm-up, not counted: the first call loads the models
    for _ in range(rounds):
        for side, min_words in sides.items():
            settings = base.model_copy(update={"tts_first_clause_min_words": min_words})
            turns[side] += await one_round(settings, speech)
    result = {side: summary(measured) for side, measured in turns.items()}
    ours, plain = result["first_clause"], result["whole_sentences"]
    return {
        "what": "first reply text -> first audible audio, offline stack, first clause alone vs "
        "whole sentences, alternating calls",
        "min_words": base.tts_first_clause_min_words,
        **result,
        "ratio_first_text_to_audio_p50": round(
            ours["first_text_to_audio_ms"]["p50"] / plain["first_text_to_audio_ms"]["p50"], 2
        ),
        "ratio_first_audio_p50": round(
            ours["first_audio_ms"]["p50"] / plain["first_audio_ms"]["p50"], 2
        ),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "per_turn": turns,
        "machine": describe_machine(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    result = asyncio.run(measure(args.rounds))
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    printed = {k: result[k] for k in ("whole_sentences", "first_clause", "ratio_first_audio_p50")}
    print(json.dumps(printed))


if __name__ == "__main__":
    main()
