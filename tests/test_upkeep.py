"""The process's upkeep around calls (app/upkeep.py): a pool started at full size, and
memory given back at each call's end, collected only when no other call runs."""

import asyncio
import threading

from threadpoolctl import threadpool_info

from app import upkeep


def test_the_started_pool_has_all_its_threads_before_any_work():
    # Threads new since before, not a count: another test's idle thread may end meanwhile.
    before = set(threading.enumerate())
    pool = upkeep.started_pool(3)
    try:
        assert len(set(threading.enumerate()) - before) == 3
    finally:
        pool.shutdown(wait=True)


async def test_the_loops_default_pool_is_set_once_per_loop():
    upkeep.prepare_process()
    first = threading.active_count()
    upkeep.prepare_process()
    assert threading.active_count() == first
    name = await asyncio.to_thread(lambda: threading.current_thread().name)
    assert name.startswith("asyncio")


def test_a_calls_end_collects_only_when_no_other_call_runs(monkeypatch):
    collected = []
    monkeypatch.setattr(upkeep.gc, "collect", lambda: collected.append(True))
    with upkeep.call_in_progress():
        with upkeep.call_in_progress():
            pass
        assert collected == []
    assert collected == [True]


async def test_numpys_blas_runs_on_one_thread_once_the_process_is_prepared():
    upkeep.prepare_process()
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)
