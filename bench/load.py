"""How many calls one bot process carries at once, and whether anything leaks between calls.

`python -m bench.load` (in `make bench`) writes bench/results/load.json:

- `cloud_emulated`: calls built as a real call builds them (`app.worker.build_worker`
  through harness/call.py's `ScriptedCall`) with Deepgram, Claude and Cartesia answered
  by the provider fakes at their published timings, in another process
  (bench/load_fakes.py). The caller's Piper audio goes in in real time, 20 ms frames, as a
  transport pushes it; first audio is from the end of the caller's speech to the first
  audible bot frame at the output. Levels of 1, 5, 10, 20... calls at once, every call
  greeted before any is measured, each call's turns starting at a random moment; a level
  holds while its first-audio p95 is at most 50 ms above the single call's of the same
  run. `cpu_ms_per_call_second` is this process's CPU time (all its threads: the bot's
  pipelines, and the callers' transports, which stand where the network edge would be)
  over the seconds of all calls.
- `offline`: the same with Whisper, the on-device engine and Piper, until the p95 passes
  1.5 s, with each stage's median to say what bounds it.
- `leaks`: bench/load_leaks.py.

`--only PART` measures one part and prints it; with `--merge` it also replaces that part
in bench/results/load.json, keeping the others (with its own load average and time).
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from statistics import median, quantiles

from loguru import logger

from bench import latency
from bench.load_leaks import LINE, measure_leaks
from bench.machine import describe_machine
from harness.call import ScriptedCall, Turn, median_breakdown
from harness.voices import piper_speech
from provider_fakes import anthropic_server, cartesia_server, deepgram_server
from settings import Settings

RESULT = Path(__file__).parent / "results" / "load.json"
CLOUD_LINES = [
    "I'd like to book a table for four tomorrow evening.",
    "Can I bring my dog with me?",
]
"""Lines the fast path leaves to Claude (a booking, a question it has no fixed reply for)."""
CLOUD_LEVELS = (1, 2, 3, 5, 10, 20, 30, 40)
CLOUD_ADDED_P95_MS = 50.0
OFFLINE_LEVELS = (1, 2, 3, 4, 5, 6)
OFFLINE_P95_MS = 1500.0
MIN_TURNS = 20
RAMP_SECS = 0.25
"""Between two calls' starts (building a call's pipeline costs CPU)."""
SPREAD_SECS = 3.0
"""Each call's first turn starts at a random moment of this long, so turns do not align."""


@dataclass
class Level:
    calls: int
    turns: list[Turn]
    call_secs: float
    cpu_secs: float
    loop_cpu_secs: float
    """CPU time of the thread that runs the event loop (every call's frames go through it)."""
    wall_secs: float
    load: tuple[float, float]
    """1-minute load average at the start and the end."""

    def first_audio_ms(self) -> list[float]:
        return [t.first_audio * 1000 for t in self.turns if t.first_audio is not None]

    def p95_ms(self) -> float:
        return percentile95(self.first_audio_ms())

    def summary(self) -> dict:
        audio = self.first_audio_ms()
        return {
            "p50_ms": round(median(audio)) if audio else None,
            "p95_ms": round(self.p95_ms()),
            "n": len(audio),
            "unanswered": len(self.turns) - len(audio),
            "stages_median_s": median_breakdown(self.turns),
            "cpu_ms_per_call_second": round(1000 * self.cpu_secs / self.call_secs, 1),
            "process_cpu_cores": round(self.cpu_secs / self.wall_secs, 2),
            "event_loop_thread_busy": round(self.loop_cpu_secs / self.wall_secs, 2),
            "wall_secs": round(self.wall_secs, 1),
            "load_avg_1min": list(self.load),
        }


def percentile95(values: list[float]) -> float:
    if not values:
        return float("inf")
    return quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def load_now() -> float:
    return round(os.getloadavg()[0], 2)


@contextlib.asynccontextmanager
async def provider_fakes(lines: list[str], instant: bool = False) -> AsyncIterator[dict]:
    """bench/load_fakes.py in a process of its own; its URLs. It ends when its stdin closes."""
    args = ["--instant", *lines] if instant else lines
    fakes = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.load_fakes",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        yield json.loads(await fakes.stdout.readline())
    finally:
        fakes.stdin.close()
        await asyncio.wait_for(fakes.wait(), 10)


def bench_settings(data: str, urls: dict | None = None) -> Settings:
    """The product's defaults, with the call's stores in `data`; with `urls`, the cloud
    services (the fakes). The caller's silence reprompt is pushed back: callers that wait
    for the other calls of their level to be greeted must not be asked if they are there."""
    cloud = {}
    if urls is not None:
        cloud = {
            "deepgram_api_key": deepgram_server.API_KEY,
            "deepgram_base_url": urls["deepgram"],
            "anthropic_api_key": anthropic_server.API_KEY,
            "anthropic_base_url": urls["claude"],
            "cartesia_api_key": cartesia_server.API_KEY,
            "cartesia_url": urls["cartesia"],
        }
    return Settings(
        _env_file=None,
        database_url=f"sqlite:///{data}/reservations.db",
        conversations_database_url=f"sqlite:///{data}/conversations.db",
        handoff_file=Path(data) / "handoffs.jsonl",
        silence_reprompt_secs=60.0,
        silence_hangup_secs=120.0,
        **cloud,
    )


def caller_speech(lines: list[str], settings: Settings) -> list[bytes]:
    return [piper_speech(line, settings.piper_voice, length_scale=1.15) for line in lines]


async def run_level(
    settings: Settings, speech: list[bytes], calls: int, seed: int, turns: int = MIN_TURNS
) -> Level:
    """`calls` calls at once, each greeted, then `turns / calls` turns (at least 2)."""
    turns_each = max(2, -(-turns // calls))
    rng = random.Random(seed)
    everyone_greeted = asyncio.Event()
    greeted = 0

    async def one(index: int) -> tuple[list[Turn], float]:
        nonlocal greeted
        await asyncio.sleep(index * RAMP_SECS)
        started = time.monotonic()
        async with ScriptedCall(settings) as call:
            await call.greet()
            greeted += 1
            if greeted == calls:
                everyone_greeted.set()
            await everyone_greeted.wait()
            await asyncio.sleep(rng.uniform(0, SPREAD_SECS))
            turns = [await call.say(speech[(index + n) % len(speech)]) for n in range(turns_each)]
        return turns, time.monotonic() - started

    load_before, cpu, wall = load_now(), time.process_time(), time.monotonic()
    loop_cpu = time.thread_time()
    results = await asyncio.gather(*(one(i) for i in range(calls)))
    level = Level(
        calls=calls,
        turns=[turn for turns, _ in results for turn in turns],
        call_secs=sum(secs for _, secs in results),
        cpu_secs=time.process_time() - cpu,
        loop_cpu_secs=time.thread_time() - loop_cpu,
        wall_secs=time.monotonic() - wall,
        load=(load_before, load_now()),
    )
    print(
        f"{calls} calls: first audio p50 {level.summary()['p50_ms']} ms, "
        f"p95 {round(level.p95_ms())} ms, n {len(level.first_audio_ms())}, "
        f"cpu {level.summary()['cpu_ms_per_call_second']} ms per call-second, "
        f"event loop busy {level.summary()['event_loop_thread_busy']}, load {level.load}",
        file=sys.stderr,
    )
    return level


async def measure_cloud(data: str, levels: tuple[int, ...]) -> dict:
    async with provider_fakes(CLOUD_LINES) as urls:
        settings = bench_settings(data, urls)
        speech = caller_speech(CLOUD_LINES, settings)
        await run_level(settings, speech, 1, seed=0, turns=2)  # warm-up: models, pools
        measured: list[Level] = []
        for calls in levels:  # 1, 5, 10 and 20 always; more while the bound holds
            level = await run_level(settings, speech, calls, seed=calls)
            measured.append(level)
            if calls >= 20 and level.p95_ms() - measured[0].p95_ms() > CLOUD_ADDED_P95_MS:
                break
    alone = measured[0].p95_ms()
    held = [lv.calls for lv in measured if lv.p95_ms() - alone <= CLOUD_ADDED_P95_MS]
    # The largest level that held with every level below it holding too.
    held = [
        c for i, c in enumerate(held) if held[: i + 1] == [lv.calls for lv in measured][: i + 1]
    ]
    return {
        "what": "first audio (end of caller speech -> first audible bot frame), many calls at "
        "once, cloud services answered by the provider fakes at published timings in "
        "another process",
        "timings": {
            "deepgram_final_after_finalize_ms": 250,
            "claude_first_token_ms": 640,
            "cartesia_first_audio_ms": 150,
        },
        "max_concurrent_calls": max(held),
        "limit": f"added first-audio p95 over one call alone <= {CLOUD_ADDED_P95_MS:g} ms",
        "cpu_ms_per_call_second": cpu_at(measured, held),
        "latency_by_calls": by_calls(measured, alone),
    }


async def measure_offline(data: str, levels: tuple[int, ...]) -> dict:
    settings = bench_settings(data)
    lines = [latency.LINES[i] for i in (0, 1, 3)]  # short answers: hours, address, hours
    speech = caller_speech(lines, settings)
    await run_level(settings, speech, 1, seed=0, turns=2)  # warm-up
    measured: list[Level] = []
    for calls in levels:  # 1 and 2 always; more while the bound holds
        level = await run_level(settings, speech, calls, seed=calls)
        measured.append(level)
        if calls >= 2 and level.p95_ms() > OFFLINE_P95_MS:
            break
    held = [lv.calls for lv in measured if lv.p95_ms() <= OFFLINE_P95_MS]
    held = [
        c for i, c in enumerate(held) if held[: i + 1] == [lv.calls for lv in measured][: i + 1]
    ]
    return {
        "what": "the same, fully local: Whisper tiny.en, the on-device engine, Piper",
        "max_concurrent_calls": max(held, default=0),
        "limit": f"first-audio p95 <= {OFFLINE_P95_MS:g} ms",
        "cpu_ms_per_call_second": cpu_at(measured, held),
        "latency_by_calls": by_calls(measured, measured[0].p95_ms()),
    }


def cpu_at(levels: list[Level], held: list[int]) -> float:
    """CPU per call-second at the most calls that held (one call when none did): past it,
    calls wait more than they work, and the figure falls for that reason only."""
    level = next(lv for lv in levels if lv.calls == max(held, default=1))
    return round(1000 * level.cpu_secs / level.call_secs, 1)


def by_calls(levels: list[Level], alone_p95: float) -> dict:
    return {
        str(lv.calls): {**lv.summary(), "added_p95_ms": round(lv.p95_ms() - alone_p95)}
        for lv in levels
    }


async def measure(
    parts: set[str], sequential: int, rounds: int, cloud_levels: tuple[int, ...] = CLOUD_LEVELS
) -> dict:
    result: dict = {}
    started = time.monotonic()
    load = [load_now()]
    with tempfile.TemporaryDirectory() as data:
        if "cloud" in parts:
            result["cloud_emulated"] = await measure_cloud(data, cloud_levels)
            load.append(load_now())
        if "offline" in parts:
            result["offline"] = await measure_offline(data, OFFLINE_LEVELS)
            load.append(load_now())
        if "leaks" in parts:
            async with provider_fakes([LINE], instant=True) as urls:
                result["leaks"] = await measure_leaks(
                    bench_settings(data, urls), sequential, rounds
                )
            load.append(load_now())
    result["wall_secs"] = round(time.monotonic() - started)
    result["load_avg_1min"] = {"samples": load, "max": max(load)}
    result["machine"] = describe_machine()
    return result


def merged(result: dict) -> dict:
    """The results file with the parts in `result` replaced, each noting its own run."""
    kept = json.loads(RESULT.read_text()) if RESULT.exists() else {}
    for part, figures in result.items():
        if part in ("cloud_emulated", "offline", "leaks"):
            kept[part] = {
                **figures,
                "measured_alone": {
                    "load_avg_1min": result["load_avg_1min"],
                    "measured_at": result["machine"]["measured_at"],
                },
            }
    return kept


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("cloud", "offline", "leaks"), action="append")
    parser.add_argument(
        "--levels", type=lambda v: tuple(int(n) for n in v.split(",")), help="cloud: e.g. 1,5,10"
    )
    parser.add_argument("--sequential", type=int, default=200, help="leaks: calls one by one")
    parser.add_argument("--rounds", type=int, default=5, help="leaks: rounds of 20 calls")
    parser.add_argument(
        "--merge", action="store_true", help="with --only: replace those parts in the results"
    )
    args = parser.parse_args()
    logger.remove()
    logger.add(sys.stderr, level="ERROR")
    parts = set(args.only or ("cloud", "offline", "leaks"))
    result = asyncio.run(measure(parts, args.sequential, args.rounds, args.levels or CLOUD_LEVELS))
    if args.only:
        print(json.dumps(result, indent=1))
        if args.merge:
            RESULT.write_text(json.dumps(merged(result), indent=2) + "\n")
        return
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=1))


if __name__ == "__main__":
    main()
