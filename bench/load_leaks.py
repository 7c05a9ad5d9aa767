"""Does a call leave anything behind? `bench.load`'s `leaks` part.

Short cloud calls (the greeting, one caller turn, Claude's answer, then the caller hangs
up; the fakes answer at once, as this measures no latency): 5 warm-up calls, then the process's
state is the baseline (models loaded, thread pools made, database pools open); then
calls one after another, then rounds of 20 at once. After each stage: asyncio tasks,
threads (by name), open file descriptors, resident memory, and the database
connections checked out of the reservation store's and the call records' pools.
"""

import asyncio
import gc
import os
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from app import upkeep
from app.resources import shared_call_records, shared_store
from flows.booking_rules import BookingRules
from harness.call import ScriptedCall
from harness.voices import piper_speech
from settings import Settings

CONCURRENT = 20
RSS_LIMIT_MB = 50.0
LINE = "Can I bring my dog?"
DATABASE_FILE = re.compile(r"\.db(-wal|-shm|-journal)?$")
"""An SQLite database's files: a pooled connection holds the database and its log open."""


async def short_call(settings: Settings, speech: bytes) -> bool:
    """One call: the greeting, one caller turn, then the caller hangs up (the transport's
    disconnect cancels the worker, as a real hang-up does); whether the turn was answered."""
    async with ScriptedCall(settings) as call:
        await call.greet()
        turn = await call.say(speech)
    return turn.first_audio is not None


def state(settings: Settings) -> dict:
    """What the process holds now."""
    gc.collect()
    rules = BookingRules.from_settings(settings)
    store = shared_store(settings.database_url, settings.restaurant_tables, rules.seating)
    records = shared_call_records(settings.conversations_database_url)
    pools = [store._engine.pool, records.engine.pool]
    with open("/proc/self/status") as status:
        rss_kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    fds = [_fd_target(fd) for fd in os.listdir("/proc/self/fd")]
    names = Counter(_thread_kind(t.name) for t in threading.enumerate())
    tasks = Counter(_task_kind(t) for t in asyncio.all_tasks())
    return {
        "asyncio_tasks": len(asyncio.all_tasks()),
        "tasks_by_coroutine": dict(sorted(tasks.items())),
        "threads": threading.active_count(),
        "threads_by_name": dict(sorted(names.items())),
        "open_fds": len(fds),
        "open_fds_databases": sum(1 for target in fds if DATABASE_FILE.search(target)),
        "open_database_files": dict(
            sorted(Counter(Path(t).name for t in fds if DATABASE_FILE.search(t)).items())
        ),
        "rss_mb": round(rss_kb / 1024, 1),
        "db_connections_checked_out": sum(pool.checkedout() for pool in pools),
        "db_connections_open": sum(pool.checkedout() + pool.checkedin() for pool in pools),
    }


def _fd_target(fd: str) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:  # closed since it was listed (the listing's own)
        return ""


def _task_kind(task: asyncio.Task) -> str:
    return getattr(task.get_coro(), "__qualname__", type(task.get_coro()).__name__)


def _thread_kind(name: str) -> str:
    """A thread's name without its number ("ThreadPoolExecutor-0_3" -> "ThreadPoolExecutor")."""
    return name.rstrip("0123456789_-").split("-")[0] or name


def _upkeep_summary() -> dict:
    """What giving memory back at the calls' ends cost (app/upkeep.py)."""
    done = upkeep.upkeep
    return {
        "malloc_trims": done["trims"],
        "malloc_trim_ms_mean": round(1000 * done["trim_secs"] / max(1, done["trims"]), 2),
        "collections_when_idle": done["collections"],
        "collection_ms_mean": round(
            1000 * done["collection_secs"] / max(1, done["collections"]), 1
        ),
    }


def _besides_databases(state: dict) -> int:
    return state["open_fds"] - state["open_fds_databases"]


async def settled(settings: Settings) -> dict:
    """The state once the last call's tasks have had a moment to finish."""
    await asyncio.sleep(2.0)
    return state(settings)


PATIENT = {
    **{
        f"{stage}_deadline_secs": 30.0
        for stage in ("llm_first_token", "tts_first_audio", "stt_final")
    },
    **{f"{stage}_idle_deadline_secs": 30.0 for stage in ("llm", "tts")},
    "stt_hedge_secs": 0.0,
    "llm_hedge_secs": 0.0,
}
"""The failover chains wait and never hedge: on this shared 2-core machine a round of 20 misses
the first-result deadlines, and the fallbacks' first use loads their models (Whisper, Piper, the
on-device engine: some 600 MB, once per process), a load, not something a call leaves behind."""


async def measure_leaks(settings: Settings, sequential: int, rounds: int) -> dict:
    settings = settings.model_copy(update=PATIENT)
    speech = piper_speech(LINE, settings.piper_voice, length_scale=1.15)
    started = time.monotonic()
    unanswered = 0
    for _ in range(5):
        unanswered += not await short_call(settings, speech)
    baseline = await settled(settings)
    for index in range(sequential):
        unanswered += not await short_call(settings, speech)
        if (index + 1) % 50 == 0:
            print(f"leaks: {index + 1}/{sequential} calls, {state(settings)}", file=sys.stderr)
    after_sequential = await settled(settings)
    after_round: list[dict] = []
    for round_ in range(rounds):
        answered = await asyncio.gather(*(short_call(settings, speech) for _ in range(CONCURRENT)))
        unanswered += answered.count(False)
        after_round.append(await settled(settings))
        print(f"leaks: round {round_ + 1}/{rounds}, {after_round[-1]}", file=sys.stderr)
    after_rounds = after_round[-1]
    growth = round(after_rounds["rss_mb"] - baseline["rss_mb"], 1)
    return {
        "what": f"5 warm-up calls, then {sequential} calls one after another, then {rounds} "
        f"rounds of {CONCURRENT} at once: the greeting, '{LINE}', the answer, then the "
        "caller hangs up; the fakes answer at once",
        "calls": 5 + sequential + rounds * CONCURRENT,
        "turns_unanswered": unanswered,
        "baseline": baseline,
        "after_sequential": after_sequential,
        "after_rounds": after_rounds,
        "tasks_back_to_baseline": after_rounds["asyncio_tasks"] <= baseline["asyncio_tasks"],
        "threads_back_to_baseline": after_rounds["threads"] <= baseline["threads"],
        "fds_back_to_baseline": after_rounds["open_fds"] <= baseline["open_fds"],
        "rss_growth_mb": growth,
        "rss_growth_under_limit": growth < RSS_LIMIT_MB,
        "rss_growth_sequential_mb": round(after_sequential["rss_mb"] - baseline["rss_mb"], 1),
        "rss_by_round_mb": [r["rss_mb"] for r in after_round],
        "rss_growth_after_first_round_mb": round(
            after_rounds["rss_mb"] - after_round[0]["rss_mb"], 1
        ),
        "threads_by_round": [r["threads"] for r in after_round],
        "open_fds_by_round": [r["open_fds"] for r in after_round],
        "open_fds_besides_databases_back_to_baseline": _besides_databases(after_rounds)
        <= _besides_databases(baseline),
        "db_connections_open_by_round": [r["db_connections_open"] for r in after_round],
        "db_connections_returned": after_rounds["db_connections_checked_out"] == 0,
        "upkeep": _upkeep_summary(),
        "wall_secs": round(time.monotonic() - started),
    }
