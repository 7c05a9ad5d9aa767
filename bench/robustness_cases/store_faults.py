"""Store faults on a real SQLite file under the booking tools: read-only, locked, deleted,
replaced, full, corrupt.

Every fault must end as a result the bot can say, within the hang budget, and what it says must
match the file: `ok` only when the booking is in it, a failure only when nothing was written (no
ghost booking). How each fault is made, since this runs without root-only tricks like a tiny
loop device:

- read-only: `chattr +i` on the file and its WAL files (the suite may run as root, for whom
  `chmod 444` changes nothing); where chattr fails, the case says so and fails;
- locked: a second connection holds `BEGIN IMMEDIATE` (SQLite's write lock);
- deleted / replaced: the file is unlinked, or another file is moved over it;
- full: `PRAGMA max_page_count` set to the file's current page count on each of the store's
  connections, which SQLite then reports as SQLITE_FULL ("database or disk is full"), as a
  full disk would be; an emulation, not a full disk;
- corrupt: the file's header overwritten, then the store opened.
"""

import asyncio
import contextlib
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from bench.robustness_cases.common import Case, Got
from bench.robustness_cases.tools import GOOD, ToolBench, tool_bench

SAYABLE_ERRORS = ("unavailable", "failed", "timeout", "store_error", "error")


def _said(result: dict) -> str:
    keys = ("ok", "error", "message")
    return str({k: result[k] for k in keys if k in result})[:200]


def _database(bench: ToolBench) -> Path:
    return Path(bench.store._engine.url.database)


async def _rows(path: Path) -> int | None:
    """Bookings in the file, read by a connection of our own (None: unreadable)."""

    def count() -> int | None:
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                return db.execute("SELECT count(*) FROM bookings").fetchone()[0]
        except sqlite3.Error:
            return None

    return await asyncio.to_thread(count)


def _truthful(
    result: dict, before: int | None, after: int | None, books: bool = True
) -> tuple[bool, str]:
    """Whether the result is sayable and matches what the file holds (`books`: the tool
    writes a booking when it says ok; others write none)."""
    if not isinstance(result, dict) or "ok" not in result or not result.get("message", True):
        return False, f"not a sayable result: {result!r}"[:200]
    written = None if before is None or after is None else after - before
    if result["ok"] is True and books:
        return written == 1, f"{_said(result)}; {written} written"
    return written in (0, None), f"{_said(result)}; {written} written"


def fault_case(name: str, expected: str, make_fault, tool: str = "book_table", args=None) -> Case:
    """`make_fault(bench, path)` breaks the store (a context manager); then `tool` is called."""

    async def run(_context) -> Got:
        async with tool_bench() as bench:
            path = _database(bench)
            await bench.call("check_availability", GOOD)  # the store's connection is open
            before = await _rows(path)
            async with make_fault(bench, path) as check:
                result = await bench.call(tool, args or GOOD)
                after = await _rows(path)
            ok, shown = _truthful(result, before, after, books=tool == "book_table")
            if check is not None:
                extra_ok, extra = await check(bench, result)
                ok, shown = ok and extra_ok, f"{shown}; {extra}"
            return Got(ok, shown)

    return Case(name=name, group="store", expected=expected, run=run)


@contextlib.asynccontextmanager
async def locked(_bench, path: Path):
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield None
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@contextlib.asynccontextmanager
async def read_only(bench: ToolBench, path: Path):
    bench.store._engine.dispose()
    files = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
    made = subprocess.run(["chattr", "+i", *map(str, files)], capture_output=True)
    try:
        if made.returncode != 0:
            raise RuntimeError(f"chattr +i failed: {made.stderr.decode().strip()}")
        yield None
    finally:
        subprocess.run(["chattr", "-i", *map(str, files)], capture_output=True)


@contextlib.asynccontextmanager
async def deleted(_bench, path: Path):
    path.unlink()

    async def nothing_new(_bench, _result):
        return not path.exists(), "no new empty file made" if not path.exists() else "new file"

    yield nothing_new


@contextlib.asynccontextmanager
async def replaced(_bench, path: Path):
    other = path.with_name("other.db")
    shutil.copy(path, other)
    other.replace(path)
    yield None


async def _full(_context) -> Got:
    """Bookings into a file capped at its size until one does not fit: that one must fail
    sayably with nothing written, and every earlier `ok` must be in the file."""
    from datetime import date, timedelta

    from sqlalchemy import event

    async with tool_bench() as bench:
        path = _database(bench)
        await bench.call("check_availability", GOOD)
        engine = bench.store._engine
        with contextlib.closing(sqlite3.connect(path)) as db:
            pages = db.execute("PRAGMA page_count").fetchone()[0]

        def cap(connection, _record):
            connection.execute(f"PRAGMA max_page_count = {pages}")

        engine.dispose()
        event.listen(engine, "connect", cap)
        try:
            for n in range(80):
                day = date(2030, 1, 3) + timedelta(days=n % 60)
                args = {**GOOD, "name": f"Guest {n}", "phone": f"07912 3456{n:02d}"}
                before = await _rows(path)
                result = await bench.call("book_table", {**args, "date": day.isoformat()})
                ok, shown = _truthful(result, before, await _rows(path))
                if not ok:
                    return Got(False, f"booking {n}: {shown}")
                if result["ok"] is False:
                    return Got(True, f"booking {n} did not fit: {shown}")
            return Got(False, "80 bookings fitted: the cap did not bite")
        finally:
            event.remove(engine, "connect", cap)


@contextlib.asynccontextmanager
async def handoff_with_bookings_locked(bench: ToolBench, path: Path):
    async def handed_over(_bench, result):
        return result.get("ok") is True, f"handoff ok={result.get('ok')}"

    async with locked(bench, path):
        yield handed_over


async def _corrupt(_context) -> Got:
    from flows.booking_rules import BookingRules
    from settings import Settings
    from store import ReservationStore, StoreError

    with tempfile.TemporaryDirectory(prefix="robust-corrupt-") as data:
        path = Path(data) / "reservations.db"
        path.write_bytes(b"this is not an SQLite database" * 200)
        settings = Settings(_env_file=None, database_url=f"sqlite:///{path}")
        rules = BookingRules.from_settings(settings)
        try:
            store = ReservationStore.open(
                settings.database_url, settings.restaurant_tables, rules.seating
            )
        except StoreError as error:
            return Got("reservation store" in str(error), f"StoreError: {error}"[:200])
        store.close()
        return Got(False, "a corrupt file was opened as a store")


HANDOFF = {"reason": "The caller asked for a person."}

CASES = [
    fault_case(
        "locked: book",
        "a sayable failure (unavailable) within the hang budget; no ghost booking later",
        locked,
    ),
    fault_case(
        "locked: check availability",
        "a sayable answer or failure within the hang budget",
        locked,
        tool="check_availability",
    ),
    fault_case(
        "locked: handoff to a person still works",
        "transfer_to_human ok although the bookings database is locked",
        handoff_with_bookings_locked,
        tool="transfer_to_human",
        args=HANDOFF,
    ),
    fault_case(
        "read-only file: book",
        "a sayable failure, nothing written",
        read_only,
    ),
    fault_case(
        "deleted file: book",
        "refused (unavailable), not written to the deleted file; no empty file made",
        deleted,
    ),
    fault_case(
        "deleted file: find",
        "a sayable failure (unavailable)",
        deleted,
        tool="find_booking",
        args={"phone": GOOD["phone"], "name": GOOD["name"]},
    ),
    fault_case(
        "replaced file: book", "refused (unavailable): the file is not the one opened", replaced
    ),
    Case(
        "full database (max_page_count): book",
        "store",
        "the first booking that does not fit: a sayable failure, nothing written",
        _full,
        budget=60,
    ),
    Case(
        "corrupt file at open",
        "store",
        "a StoreError naming the reservation store, no traceback",
        _corrupt,
    ),
]
