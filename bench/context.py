"""Prompt size over a long call, and what the state extractor adds to a reply's latency.

    .venv/bin/python -m bench.context   # writes bench/results/context.json

`prompt_tokens_by_turn`: a scripted 30-turn booking call, as text, through the
bot's user aggregator, state extractor and context compiler into a recording
LLM that answers from what it is shown (so its answer at turn 28, the caller's
name said at turn 2, only comes right if the compiled state carries it). The
prompt is the system instruction, the messages and the tools the LLM gets,
counted in tokens of a GPT-2 byte-level BPE (the `tokenizers` library with the
tokenizer.json bundled beside the Whisper model: no download; Claude's and
OpenAI's tokenizers differ, so read the counts as relative sizes). The same
call without the compiler is measured too, for comparison.

`extractor_critical_path_ms`: a real-audio call on the offline stack
(Whisper -> on-device brain -> Piper, the pipeline bot.py builds). For each
turn, the time the extractor worked (its readings, and its bookkeeping on the
context passing to the LLM) inside the window from the end of the caller's
turn to the bot's first audible audio: the time it could have delayed the
reply (one event loop: whatever runs there, the reply waits).
`extractor_work_ms` is how long each piece of that work took, wherever it ran.
"""

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from statistics import quantiles

from pipecat.frames.frames import UserStoppedSpeakingFrame

from bench.machine import describe_machine
from harness.call import ScriptedCall
from harness.text_call import (
    CALL,
    NAME_QUESTION,
    PARTY_QUESTION,
    TOOL_TURN,
    TextCall,
    run_text_call,
)
from harness.voices import piper_speech
from processors.state_extractor import StateExtractor
from settings import Settings

RESULT = Path(__file__).parent / "results" / "context.json"


def ratio(tokens: list[int], late: int, early: int) -> float:
    return round(tokens[late - 1] / tokens[early - 1], 3)


async def measure_prompts(recent_turns: int) -> dict:
    compiled = await run_text_call(CALL, recent_turns)
    whole = await run_text_call(CALL, compile=False)
    tokens = [p.tokens() for p in compiled.prompts]
    whole_tokens = [p.tokens() for p in whole.prompts]
    return {
        "prompt_tokens_by_turn": tokens,
        "prompt_tokens_by_turn_whole_history": whole_tokens,
        "turn30_over_turn5": ratio(tokens, 30, 5),
        "turn30_over_turn5_whole_history": ratio(whole_tokens, 30, 5),
        "recent_turns": recent_turns,
        "answer_at_turn_28": compiled.replies[_reply_index(compiled, NAME_QUESTION)],
        "answer_at_turn_29": compiled.replies[_reply_index(compiled, PARTY_QUESTION)],
        "tokenizer": "GPT-2 byte-level BPE (tokenizer.json beside the bundled Whisper model)",
    }


def _reply_index(text_call: TextCall, turn: int) -> int:
    """Replies include the one after the tool result, so later turns shift by one."""
    return turn if turn > TOOL_TURN else turn - 1


AUDIO_LINES = [
    "Hello, I'd like to book a table for four tomorrow at seven.",
    "My name is Anna Kowalski.",
    "It's oh seven nine one one, one two three, four five six.",
    "Actually, make it six people.",
    "What time do you open on Sunday?",
    "Where are you located?",
    "Yes, please book it.",
    "Could you repeat that?",
]


async def measure_extractor(turns: int) -> dict:

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite:///{folder}/reservations.db",
            conversations_database_url=f"sqlite:///{folder}/conversations.db",
        )
        lines = [AUDIO_LINES[i % len(AUDIO_LINES)] for i in range(turns)]
        speech = {line: piper_speech(line, settings.piper_voice, 1.15) for line in set(lines)}
        windows = []
        async with ScriptedCall(settings) as call:
            await call.greet()
            for line in lines:
                started = time.monotonic()
                await call.say(speech[line], reply_timeout=25)
                turn_end = call.timeline.first_after(started, UserStoppedSpeakingFrame)
                first_audio = call.transport.heard.first_voiced_after(turn_end or started)
                if turn_end is not None and first_audio is not None:
                    windows.append((turn_end, first_audio))
                await asyncio.sleep(1.0)
            extractor = _find(call.worker.pipeline, StateExtractor)
            spans = list(extractor.work_spans)
    in_window = [
        sum(max(0.0, min(end, b) - max(start, a)) for start, end in spans) * 1000
        for a, b in windows
    ]
    work_ms = [(end - start) * 1000 for start, end in spans]
    return {
        "extractor_critical_path_ms": _p50_p95(in_window),
        "extractor_work_ms": _p50_p95(work_ms),
        "extractor_work_spans": len(spans),
        "audio_turns": len(windows),
    }


def _find(processor, kind):
    if isinstance(processor, kind):
        return processor
    for child in getattr(processor, "processors", []) or []:
        if (found := _find(child, kind)) is not None:
            return found
    return None


def _p50_p95(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p95": None}
    if len(values) == 1:
        return {"p50": round(values[0], 3), "p95": round(values[0], 3)}
    cuts = quantiles(values, n=20, method="inclusive")
    return {"p50": round(cuts[9], 3), "p95": round(cuts[18], 3)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--recent-turns", type=int, default=Settings(_env_file=None).context_recent_turns
    )
    parser.add_argument("--audio-turns", type=int, default=10)
    args = parser.parse_args()
    result = {
        **asyncio.run(measure_prompts(args.recent_turns)),
        **asyncio.run(measure_extractor(args.audio_turns)),
        "machine": describe_machine(),
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(
        json.dumps(
            {
                k: result[k]
                for k in (
                    "turn30_over_turn5",
                    "turn30_over_turn5_whole_history",
                    "answer_at_turn_28",
                    "extractor_critical_path_ms",
                )
            }
        )
    )


if __name__ == "__main__":
    main()
