"""A burst of writes at once leaves no SQLite file descriptors behind: a file database has
one connection in the process, so SQLite never keeps a closed connection's descriptors."""

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time
from pathlib import Path

from conversation.call_records import CallRecordStore
from store import ReservationStore, SeatingRules

WRITERS = 20
DAY = date(2030, 1, 3)


def open_descriptors(database: Path) -> int:
    """Descriptors this process holds on `database` and its -wal and -shm files."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # closed since it was listed (the listing's own descriptor)
        count += target.startswith(str(database))
    return count


def test_twenty_call_record_writes_at_once_leave_the_descriptors_as_before(tmp_path):
    database = tmp_path / "conversations.db"
    store = CallRecordStore.open(f"sqlite:///{database}")
    store.start_session("warm-up", datetime(2030, 1, 2), "claude")
    before = open_descriptors(database)
    with ThreadPoolExecutor(WRITERS) as pool:
        for n in range(WRITERS):
            pool.submit(store.start_session, f"call-{n}", datetime(2030, 1, 2), "claude")
    assert store.count_sessions() == WRITERS + 1
    assert open_descriptors(database) == before
    store.close()


async def test_twenty_availability_checks_at_once_leave_the_descriptors_as_before(tmp_path):
    # One thread per check, so they really run at once.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(WRITERS))
    database = tmp_path / "reservations.db"
    store = ReservationStore.open(f"sqlite:///{database}", (2, 4), SeatingRules())
    await store.check_availability(DAY, time(19), 2)
    before = open_descriptors(database)
    await asyncio.gather(*(store.check_availability(DAY, time(19), 2) for _ in range(WRITERS)))
    assert open_descriptors(database) == before
    store.close()
