"""Scripted booking calls with one fault each: is every turn answered, once, and every booking made once?

Runs `--calls` four-turn booking calls (harness/failover_call.py) against the
provider fakes at healthy timings (Deepgram's final 250 ms after the Finalize,
Claude's first token 640 ms, Cartesia's first audio 150 ms), each with one fault,
every kind at every stage (STT, LLM, TTS) in turn, at a random moment of the
call; the deadlines and recovery are the settings' defaults but a 1 s first
probe, so recoveries happen within a call. Writes bench/results/failover.json:
calls, turns, unanswered turns, words spoken twice, bookings lost or
duplicated, and failover_ms (from when the failed service should have answered
to the first audio of the fallback's answer, harness `CallResult.failover_ms`)
overall and by stage and fault; `failover_to_result_ms` stops at the fallback's
own first result instead (transcript, token, audio).
"""

import argparse
import asyncio
import json
import os
import random
import sys
from collections import defaultdict
from pathlib import Path
from statistics import median, quantiles

from loguru import logger

from bench.machine import describe_machine
from harness.failover_call import MOMENTS, CallResult, run_call
from provider_fakes.faults import FAULT_KINDS, Fault

RESULT = Path(__file__).parent / "results" / "failover.json"


STAGES = ("stt", "llm", "tts")


def plan(calls: int, seed: int) -> list[tuple[str, Fault, int]]:
    """Each call's stage, fault and moment: every kind at every stage in turn, the moment
    (and for a stall, whether it comes before the first result or in the middle of the
    answer) at random."""
    rng = random.Random(seed)
    plans = []
    for index in range(calls):
        kind = FAULT_KINDS[index % len(FAULT_KINDS)]
        stage = STAGES[(index // len(FAULT_KINDS)) % len(STAGES)]
        moment = rng.randrange(MOMENTS[stage])
        mid_answer = stage != "stt" and kind == "stall" and rng.random() < 0.5
        fault = Fault(
            kind,
            stall_secs=30.0,
            after=rng.randint(1, 6),
            trickle_secs=1.0,
            stall_after=rng.randint(1, 3) if mid_answer else 0,
        )
        plans.append((stage, fault, moment))
    rng.shuffle(plans)
    return plans


def spread(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p95": None, "n": 0}
    p95 = quantiles(values, n=20)[-1] if len(values) > 1 else values[0]
    return {"p50": round(median(values)), "p95": round(p95), "n": len(values)}


def failover_ms(result: CallResult) -> list[float]:
    return [heard for heard, _ in result.failover_ms()]


def to_result_ms(result: CallResult) -> list[float]:
    return [first for _, first in result.failover_ms()]


def summarise(
    results: list[CallResult], wall_secs: float, concurrency: int, load: list[float]
) -> dict:
    by_fault: dict[str, list[CallResult]] = defaultdict(list)
    for result in results:
        by_fault[f"{result.stage}:{result.kind}"].append(result)
    every_ms = [ms for r in results for ms in failover_ms(r)]
    return {
        "what": "four-turn booking calls against the provider fakes, one fault per call",
        "calls": len(results),
        "turns_total": sum(r.turns for r in results),
        "turns_unanswered": sum(r.unanswered for r in results),
        "failover_ms": spread(every_ms),
        "failover_to_result_ms": spread([ms for r in results for ms in to_result_ms(r)]),
        "spoken_twice": sum(r.spoken_twice for r in results),
        "bookings_lost": sum(r.bookings == 0 for r in results),
        "bookings_duplicated": sum(r.bookings > 1 for r in results),
        "recoveries": sum(s.kind == "recovery" for r in results for s in r.switches),
        "by_fault": {
            key: {
                "calls": len(group),
                "failovers": sum(s.kind == "failover" for r in group for s in r.switches),
                "unanswered": sum(r.unanswered for r in group),
                "spoken_twice": sum(r.spoken_twice for r in group),
                "failover_ms": spread([ms for r in group for ms in failover_ms(r)]),
                "failover_to_result_ms": spread([ms for r in group for ms in to_result_ms(r)]),
            }
            for key, group in sorted(by_fault.items())
        },
        "timings": {
            "deepgram_final_after_finalize_ms": 250,
            "claude_first_token_ms": 640,
            "openai_compatible_first_token_ms": 300,
            "cartesia_first_audio_ms": 150,
            "llm_first_token_deadline_s": 1.5,
            "tts_first_audio_deadline_s": 0.8,
            "stt_final_deadline_s": 1.0,
            "stt_hedge_s": 0.5,
            "stt_replay_encode_pad_s": 2.0,
            "llm_idle_deadline_s": 1.0,
            "tts_idle_deadline_s": 1.0,
        },
        "caller_audio": "Piper's voice, each turn's audio sent at once (not paced in real time)",
        "concurrency": concurrency,
        "wall_secs": round(wall_secs, 1),
        "load_avg_1min": {
            "min": min(load),
            "median": round(median(load), 2),
            "max": max(load),
            "samples": len(load),
        },
        "machine": describe_machine(),
    }


async def measure(calls: int, concurrency: int, seed: int, only: str | None = None) -> dict:
    limit = asyncio.Semaphore(concurrency)
    done = 0

    async def one(stage, fault, moment) -> CallResult:
        nonlocal done
        async with limit:
            result = await run_call(stage, fault, moment)
        done += 1
        print(
            f"{done}/{calls} {stage}:{fault.kind}@{moment}"
            f"{'/mid' if fault.stall_after else ''} unanswered={result.unanswered} "
            f"twice={result.spoken_twice} bookings={result.bookings} "
            f"failover_ms={[round(ms) for ms in failover_ms(result)]}",
            file=sys.stderr,
        )
        for switch in result.switches:
            print(
                f"    {switch.kind} {switch.stage} {switch.from_service}->{switch.to_service}: "
                f"{switch.reason[:90]}",
                file=sys.stderr,
            )
        if result.spoken_twice:
            print(f"    said: {' '.join(result.words)}", file=sys.stderr)
        return result

    load: list[float] = []

    async def sample_load():
        # Other jobs share the machine: its load is part of the figures.
        while True:
            load.append(round(os.getloadavg()[0], 2))
            await asyncio.sleep(10)

    sampler = asyncio.create_task(sample_load())
    started = asyncio.get_running_loop().time()
    plans = [p for p in plan(calls, seed) if only is None or p[0] == only]
    calls = len(plans)
    results = await asyncio.gather(*(one(*p) for p in plans))
    sampler.cancel()
    return summarise(results, asyncio.get_running_loop().time() - started, concurrency, load)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=126)
    parser.add_argument("--only", choices=STAGES, help="one stage only (a quick look)")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--seed", type=int, default=10)
    args = parser.parse_args()
    logger.remove()
    logger.add(sys.stderr, level="ERROR")
    result = asyncio.run(measure(args.calls, args.concurrency, args.seed, args.only))
    if args.only:
        print(json.dumps(result["by_fault"], indent=1))
        return
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("calls", "turns_unanswered", "failover_ms")}))


if __name__ == "__main__":
    main()
