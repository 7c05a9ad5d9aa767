"""What the bot's process sets up once for its calls, and takes back after each call.

Measured by `python -m bench.load --only leaks` (docs/deployment.md, "Calls per process"):

- glibc's malloc gives each thread that allocates an arena of its own (up to 8 per core)
  and keeps what a call frees there: after a round of 20 calls at once the process was
  some 250 MB larger, and stayed so. Two arenas (`M_ARENA_MAX`), and `malloc_trim(0)` at
  each call's end, give the freed pages back to the system.
- The loop's default thread pool (the stores' work, the call records) grew with the first
  burst of calls and kept its threads. It is started at its full size with the process's
  first call (Python's own bound for it), so a burst neither adds threads nor leaves any.

Both only on glibc (Linux); elsewhere the allocator is left as it is.

And numpy's BLAS runs on one thread. OpenBLAS starts a thread per core, and after each
matrix product they spin, waiting for the next: Smart Turn's mel features (Pipecat's, at
each turn end) took 7.5 ms of wall time but 65 ms of CPU on two spinning threads, 7.8 ms on
one (2-core EPYC, 1 Dec 2026). The calls' products are small; the models' own thread pools
(onnxruntime, CTranslate2) are not BLAS's and keep their threads.
"""

import asyncio
import atexit
import ctypes
import gc
import os
import threading
import time
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import cache

from loguru import logger
from threadpoolctl import threadpool_limits

M_ARENA_MAX = -8
"""mallopt's parameter number for the arena cap (glibc's malloc.h)."""
ARENAS = 2
POOL_THREADS = min(32, (os.cpu_count() or 1) + 4)
"""The size Python gives the loop's default pool, which it fills only as work arrives."""

_prepared: "weakref.WeakSet[asyncio.AbstractEventLoop]" = weakref.WeakSet()
_calls = 0
"""The calls this process runs now."""
upkeep = {"trims": 0, "trim_secs": 0.0, "collections": 0, "collection_secs": 0.0}
"""What giving memory back took (read by bench.load)."""


@cache
def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim, libc.mallopt  # noqa: B018 (glibc has both; musl and macOS do not)
    except (OSError, AttributeError):
        return None
    return libc


@cache
def cap_malloc_arenas() -> None:
    """At most `ARENAS` malloc arenas from now on (the threads started later share them)."""
    libc = _glibc()
    if libc is not None and not libc.mallopt(M_ARENA_MAX, ARENAS):
        logger.warning("malloc arenas could not be capped")


@cache
def one_blas_thread() -> None:
    """numpy's BLAS on one thread from now on, for the whole process."""
    threadpool_limits(limits=1, user_api="blas")


@cache
def freeze_loaded_objects() -> None:
    """What the process holds before its first call (modules, settings, models) is left out
    of every later garbage collection, which then walks what the calls made."""
    gc.collect()
    gc.freeze()
    atexit.register(gc.unfreeze)  # so the exit's own collection still reaches them


def started_pool(size: int = POOL_THREADS) -> ThreadPoolExecutor:
    """A thread pool whose `size` threads are all running: each waits for the others once."""
    pool = ThreadPoolExecutor(size, thread_name_prefix="asyncio")
    everyone = threading.Barrier(size)
    for _ in range(size):
        pool.submit(everyone.wait, 5.0)
    return pool


def prepare_process() -> None:
    """Before a call is built: the malloc arena cap, BLAS on one thread, the loaded objects
    frozen, and the running loop's default pool at full size (once per loop; the pool it
    replaces is dropped, and its idle threads end)."""
    cap_malloc_arenas()
    one_blas_thread()
    freeze_loaded_objects()
    loop = asyncio.get_running_loop()
    if loop not in _prepared:
        loop.set_default_executor(started_pool())
        _prepared.add(loop)


@contextmanager
def call_in_progress() -> Iterator[None]:
    """Around a call: at its end, what it freed goes back to the system; and when no other
    call runs, its reference cycles are collected first (a collection stops the loop for
    tens of ms, so it waits until no caller is listening; meanwhile Python's own
    collections free them, and the next call's end gives them back)."""
    global _calls
    _calls += 1
    try:
        yield
    finally:
        _calls -= 1
        if _calls == 0:
            started = time.perf_counter()
            gc.collect()
            upkeep["collections"] += 1
            upkeep["collection_secs"] += time.perf_counter() - started
        release_freed_memory()


def release_freed_memory() -> None:
    """The pages malloc holds free go back to the system."""
    libc = _glibc()
    if libc is None:
        return
    started = time.perf_counter()
    libc.malloc_trim(0)
    upkeep["trims"] += 1
    upkeep["trim_secs"] += time.perf_counter() - started
