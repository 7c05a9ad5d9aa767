"""Benchmark: end of the caller's speech → first bot audio, as the page shows it.

    .venv/bin/python -m tests.browser_support.latency [--out bench/results/browser_latency.json]

One call of twelve caller lines from headless Chromium to `bot.py` on the
offline stack, both in a network namespace with only `lo`. Each reply's
latency is the number the page prints beside it: from the last voiced audio
of the caller's microphone to the first voiced audio of the bot's track, both
measured in the page. Writes every turn and the median as JSON.
"""

import argparse
import json
import re
import tempfile
from collections import defaultdict
from pathlib import Path
from statistics import median

from settings import Settings
from tests.browser_support.caller_audio import write_caller_wav
from tests.browser_support.namespace import browser_skip_reason
from tests.browser_support.run import run_browser_call
from tests.browser_support.session import Scenario

LINES = [
    "What are your opening hours?",
    "Where is the restaurant?",
    "Can you repeat that?",
    "Are you open on Sunday?",
    "How do I find you?",
    "What time do you close?",
    "Do you have a vegetarian menu?",
    "Good evening.",
    "How late are you open tonight?",
    "What is your address?",
    "Say that again, please.",
    "When do you open?",
]


# The bot's own breakdown of each turn (UserBotLatencyObserver, logged by bot.py).
BREAKDOWN_LINE = re.compile(r" - latency\s+(\d+\.\d+)s\s+(.+?)\s*(?:\[.*\])?$")


def bot_breakdown(log: str) -> dict[str, float]:
    """Median seconds of each stage over the caller's turns (the greeting left out)."""
    stages = defaultdict(list)
    turn: list[tuple[str, float]] = []
    for line in log.splitlines():
        if not (match := BREAKDOWN_LINE.search(line)):
            continue
        turn.append((match[2], float(match[1])))
        if match[2].startswith("TOTAL"):
            # A turn's lines end with its total; the greeting's counts from connecting.
            if match[2] == "TOTAL":
                for stage, secs in turn:
                    stages[stage].append(secs)
            turn = []
    return {stage: round(median(secs), 3) for stage, secs in stages.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench/results/browser_latency.json"))
    args = parser.parse_args()
    if reason := browser_skip_reason():
        raise SystemExit(f"cannot run: {reason}")

    settings = Settings(_env_file=None)
    with tempfile.TemporaryDirectory(prefix="browser-latency-") as work:
        wav = Path(work) / "caller.wav"
        write_caller_wav(wav, LINES, settings.piper_voice)
        outcome = run_browser_call(
            Scenario(out_dir=work, wav=str(wav), lines=len(LINES), line_timeout_secs=40),
            timeout_secs=300,
        )
        breakdown = bot_breakdown((Path(work) / "bot.log").read_text())

    entries = outcome["transcript"]
    turns = [
        {"said": entry["text"], "reply": reply["text"], "latency_ms": reply["latency_ms"]}
        for entry, reply in zip(entries, entries[1:], strict=False)
        if entry["speaker"] == "user" and reply["speaker"] == "bot"
    ]
    latencies = [turn["latency_ms"] for turn in turns if turn["latency_ms"] is not None]
    result = {
        "what": "end of caller speech -> first bot audio, measured in the page (ms)",
        "stack": "whisper + ondevice + piper, SmallWebRTC on loopback, headless Chromium",
        "turns_measured": len(latencies),
        "median_ms": median(latencies) if latencies else None,
        "min_ms": min(latencies, default=None),
        "max_ms": max(latencies, default=None),
        "bot_side_median_s": breakdown,
        "connect_secs": outcome["connect_secs"],
        "failure": outcome["failure"],
        "turns": turns,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k != "turns"}, indent=2))


if __name__ == "__main__":
    main()
