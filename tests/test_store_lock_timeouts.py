"""A write that times out has written nothing: SQLite stops waiting for another connection's
lock before the tool stops waiting for the write, so no write commits after the bot said
it failed (a ghost booking)."""

import asyncio
import sqlite3
from datetime import datetime

import pytest

from flows.booking_rules import BookingRules
from flows.booking_schemas import TIMEOUTS
from flows.booking_tools import BookingTools
from function_calls import Breakers
from settings import Settings
from store import LOCK_WAIT_SECS, ReservationStore, StoreUnavailable

NOW = datetime(2030, 1, 2, 10, 0)
BOOKING = {
    "name": "Ada Lovelace",
    "phone": "07911 123456",
    "date": "2030-01-03",
    "time": "19:30",
    "party_size": 4,
}
WRITES = ("book_table", "change_booking", "cancel_booking", "send_confirmation")


@pytest.fixture
def database(tmp_path):
    return tmp_path / "r.db"


class LockedWhileBooking(ReservationStore):
    """The real store; as a booking starts, another process takes the write lock."""

    other: sqlite3.Connection

    async def book(self, **kwargs):
        if not self.other.in_transaction:
            self.other.execute("BEGIN IMMEDIATE")
        return await super().book(**kwargs)


@pytest.fixture
def tools(database):
    settings = Settings(_env_file=None)
    rules = BookingRules.from_settings(settings, clock=lambda: NOW)
    store = LockedWhileBooking.open(
        f"sqlite:///{database}", settings.restaurant_tables, rules.seating
    )
    store.other = sqlite3.connect(database, isolation_level=None)
    yield BookingTools(store, rules, "Chez Test")  # the production timeouts
    store.other.close()
    store.close()


def bookings_in(database) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT count(*) FROM bookings").fetchone()[0]


@pytest.mark.parametrize("tool", WRITES)
def test_every_write_waits_longer_than_sqlite_waits_for_the_lock(tool):
    assert LOCK_WAIT_SECS < TIMEOUTS[tool]


def test_the_waits_for_the_connection_and_for_the_lock_together_take_the_lock_wait(tools):
    with tools.store._engine.connect() as connection:
        busy = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert busy + tools.store._engine.pool.timeout() * 1000 == int(LOCK_WAIT_SECS * 1000)


async def test_one_write_attempt_on_a_held_lock_gives_up_before_its_timeout(tools, database):
    # One attempt as the gate runs it: the tool's work under its own timeout.
    tool = tools.specs["book_table"].gated
    with pytest.raises(StoreUnavailable):
        async with asyncio.timeout(tool.timeout_secs):
            await tool.run(tool.normalise(BOOKING), "key-1")
    tools.store.other.execute("ROLLBACK")  # the other process lets go
    # Wait for every store thread to finish, one still waiting for the lock included.
    await asyncio.get_running_loop().shutdown_default_executor()
    assert bookings_in(database) == 0


async def test_a_booking_that_failed_on_a_held_lock_is_not_written_once_it_is_released(
    tools, database
):
    result = await tools.gate("call-1", Breakers()).call("book_table", BOOKING)
    tools.store.other.execute("ROLLBACK")  # the other process lets go
    # Wait for every store thread, one still waiting for the lock included, to finish.
    await asyncio.get_running_loop().shutdown_default_executor()
    assert result["ok"] is False and result["error"] == "failed"
    assert bookings_in(database) == 0
