"""Bookings made at the same moment stay correct, on SQLite and on PostgreSQL: the last table
goes once, one phone gets one booking a day, one idempotency key books once."""

import asyncio
import time as clock
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time

import psycopg
import pytest

from flows.booking_rules import BookingRules
from flows.booking_tools import BookingTools
from function_calls import Breakers
from settings import Settings
from store import AlreadyBooked, NoTableFree, ReservationStore, SeatingRules, StoreUnavailable
from store.database import POOL_WAIT_SECS

NOW = datetime(2030, 1, 2, 10, 0)
DAY = date(2030, 1, 3)
CALLERS = 20
TABLES = (2, 2, 2, 2, 2)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request) -> str:
    return request.param


@pytest.fixture
async def store(database_url):
    # One thread per caller, so the bookings really run at once (asyncio's default pool has
    # as few as five on two cores).
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(CALLERS))
    opened = ReservationStore.open(database_url, TABLES, SeatingRules())
    yield opened
    opened.close()


def phone(caller: int) -> str:
    return f"+4479111234{caller:02d}"


async def book(store, caller: int, key: str | None = None, at=time(19), one_per_day=False):
    return await store.book(
        name=f"Caller {caller}",
        phone=phone(caller),
        day=DAY,
        at=at,
        party_size=2,
        notes="",
        idempotency_key=key or f"key-{caller}",
        one_per_day=one_per_day,
    )


async def everyone(calls) -> list:
    """Every call's result or exception, none raised."""
    return await asyncio.gather(*calls, return_exceptions=True)


async def test_twenty_callers_for_five_tables_get_five_bookings_and_fifteen_full(store):
    outcomes = await everyone(book(store, caller) for caller in range(CALLERS))
    booked = [o for o in outcomes if not isinstance(o, Exception)]
    full = [o for o in outcomes if isinstance(o, NoTableFree)]
    assert (len(booked), len(full)) == (5, 15), [o for o in outcomes if isinstance(o, Exception)]
    assert sorted(b.table for b in booked) == ["T1", "T2", "T3", "T4", "T5"]
    assert all(f.alternatives for f in full)
    assert len(await store.bookings()) == 5


async def test_twenty_book_table_calls_for_five_tables_answer_five_booked_fifteen_no_table(
    store,
):
    rules = BookingRules.from_settings(Settings(_env_file=None), clock=lambda: NOW)
    tools, breakers = BookingTools(store, rules, "Chez Test"), Breakers()
    request = {"date": DAY.isoformat(), "time": "19:00", "party_size": 2}

    async def call(caller: int):
        gate = tools.gate(f"session-{caller}", breakers)
        return await gate.call(
            "book_table", {**request, "name": f"Caller {caller}", "phone": phone(caller)}
        )

    results = await everyone(call(caller) for caller in range(CALLERS))
    answers = sorted(r.get("error", "booked") for r in results)
    assert answers == ["booked"] * 5 + ["no_table"] * 15, results
    assert all(r["alternatives"] for r in results if r.get("error") == "no_table")


async def test_one_phone_booking_the_same_day_at_once_gets_one_booking(store):
    times = [time(12), time(13), time(14), time(15), time(16), time(17)]
    outcomes = await everyone(
        book(store, 7, key=f"key-{at}", at=at, one_per_day=True) for at in times
    )
    booked = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, AlreadyBooked)]
    assert (len(booked), len(refused)) == (1, len(times) - 1), outcomes
    assert all(r.booking.reference == booked[0].reference for r in refused)
    assert [b.status for b in await store.bookings()] == ["confirmed"]


async def test_one_idempotency_key_sent_at_once_books_once(store):
    outcomes = await everyone(book(store, 3, key="the-same-key") for _ in range(8))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len({o.reference for o in outcomes}) == 1
    assert len(await store.bookings()) == 1


async def test_one_result_recorded_at_once_is_kept_once(store):
    outcomes = await everyone(
        store.put_result("gate-key", "book_table", {"ok": True, "n": n}) for n in range(8)
    )
    assert outcomes == [None] * 8
    assert (await store.get_result("gate-key"))["ok"] is True


async def test_a_booking_kept_waiting_for_its_day_on_postgresql_gives_up_and_writes_nothing(
    postgres_server,
):
    # lock_timeout from the URL instead of LOCK_WAIT_SECS, to keep the test short.
    url = postgres_server.database() + "?options=-c%20lock_timeout%3D200"
    opened = ReservationStore.open(url, TABLES, SeatingRules())
    other = psycopg.connect(url.replace("+psycopg", "").split("?")[0])
    try:
        other.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"bookings:{DAY}",))
        with pytest.raises(StoreUnavailable, match="lock timeout"):
            await book(opened, 1)
        other.rollback()
        assert await opened.bookings() == []
    finally:
        other.close()
        opened.close()
        postgres_server.drop(url.split("?")[0])


async def test_twenty_callers_on_sqlite_wait_their_turn_however_slow_each_booking_is(
    tmp_path, monkeypatch
):
    # Each transaction holds the process's one SQLite connection 0.1 s (a loaded machine):
    # the last caller waits 2 s in all, past the connection's own wait, and is still answered.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(CALLERS))
    store = ReservationStore.open(f"sqlite:///{tmp_path}/r.db", TABLES, SeatingRules())
    run = store._run

    def slow_run(work):
        def slowly(session):
            session.connection()  # the connection is taken: BEGIN IMMEDIATE
            clock.sleep(0.1)
            return work(session)

        return run(slowly)

    monkeypatch.setattr(store, "_run", slow_run)
    try:
        outcomes = await everyone(book(store, caller) for caller in range(CALLERS))
    finally:
        store.close()
    assert sum(not isinstance(o, Exception) for o in outcomes) == 5
    assert sum(isinstance(o, NoTableFree) for o in outcomes) == 15
    assert CALLERS * 0.1 > POOL_WAIT_SECS
