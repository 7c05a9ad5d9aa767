"""A database file deleted (or replaced) while the bot runs is noticed before the next write:
SQLite would keep writing to the deleted file, and those bookings would vanish at restart."""

import os
import sqlite3
from datetime import date, datetime, time

import pytest
from loguru import logger

from conversation.call_records import CallRecordStore, CallRecordStoreError
from flows.booking_tools import BookingTools
from function_calls import Breakers
from store import ReservationStore, StoreUnavailable

BOOKING = {
    "name": "Ada Lovelace",
    "phone": "+447911123456",
    "day": date(2030, 1, 3),
    "at": time(19, 30),
    "party_size": 4,
    "notes": "",
}


@pytest.fixture
def database(tmp_path):
    return tmp_path / "r.db"


@pytest.fixture
def store(database, rules):
    opened = ReservationStore.open(f"sqlite:///{database}", (2, 4, 6), rules.seating)
    yield opened
    opened.close()


@pytest.fixture
def errors():
    lines: list[str] = []
    sink = logger.add(lines.append, level="ERROR", format="{message}")
    yield lines
    logger.remove(sink)


def delete(database):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{database}{suffix}"):
            os.remove(f"{database}{suffix}")


async def test_a_write_to_a_deleted_database_file_is_refused(store, database):
    await store.book(**BOOKING, idempotency_key="first")
    delete(database)
    # Before the fix this booking was "made", in a file no one can open any more.
    with pytest.raises(StoreUnavailable, match="was deleted while the bot was running"):
        await store.book(**{**BOOKING, "party_size": 2}, idempotency_key="second")


async def test_a_deleted_database_file_is_logged_once_with_what_to_do(store, database, errors):
    delete(database)
    for key in ("a", "b"):
        with pytest.raises(StoreUnavailable):
            await store.book(**BOOKING, idempotency_key=key)
    (line,) = errors
    assert f"reservation store: {database} was deleted" in line and "Restart the bot" in line


async def test_a_database_file_replaced_by_another_is_refused(store, database, tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()
    os.replace(other, database)
    with pytest.raises(StoreUnavailable, match="was replaced by another file"):
        await store.bookings()


async def test_a_booking_on_a_deleted_database_file_is_a_failure_the_bot_can_say(
    store, database, rules
):
    gate = BookingTools(store, rules, "Chez Test").gate(
        "call-1", Breakers(), backoff_initial_secs=0.01, backoff_max_secs=0.01
    )
    delete(database)
    result = await gate.call(
        "book_table",
        {"name": "Ada", "phone": "07911 123456", "date": "2030-01-03", "time": "19:30",
         "party_size": 4},
    )  # fmt: skip
    assert result["ok"] is False and result["error"] in ("failed", "unavailable")


def test_a_call_record_write_to_a_deleted_database_file_is_refused(tmp_path):
    records = CallRecordStore.open(f"sqlite:///{tmp_path}/c.db")
    delete(tmp_path / "c.db")
    with pytest.raises(CallRecordStoreError, match="was deleted"):
        records.start_session("s-1", datetime(2030, 1, 2, 10, 0), "ondevice")
    records.close()
