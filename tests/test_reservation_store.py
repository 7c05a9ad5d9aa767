"""The reservation store: migrations on start, availability arithmetic, idempotent writes."""

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import date, time

import pytest
from sqlalchemy import create_engine, inspect

from store import NoTableFree, ReservationStore, SeatingRules
from store.database import current_revision, migrate
from store.reservations import MIGRATIONS, BookingCancelled, StoreError

DAY = date(2030, 1, 4)  # a Friday
RULES = SeatingRules(booking_minutes=120)


def open_store(path, tables=(2, 4, 6)) -> ReservationStore:
    return ReservationStore.open(f"sqlite:///{path}", tables, RULES)


async def book(store, at=time(19), party_size=2, key="k1", day=DAY, phone="+447911123456"):
    return await store.book(
        name="Ada",
        phone=phone,
        day=day,
        at=at,
        party_size=party_size,
        notes="",
        idempotency_key=key,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request) -> str:
    """Every test of a `store` runs on both databases."""
    return request.param


@pytest.fixture
def store(database_url):
    """A migrated store, on SQLite and on PostgreSQL."""
    opened = ReservationStore.open(database_url, (2, 4, 6), RULES)
    yield opened
    opened.close()


def test_an_empty_file_is_migrated_to_the_latest_schema(tmp_path):
    path = tmp_path / "fresh" / "reservations.db"
    opened = open_store(path)
    tables = set(inspect(opened._engine).get_table_names())
    assert {"dining_tables", "bookings", "outbox", "tool_results"} <= tables
    assert current_revision(opened._engine) == "0002"
    opened.close()


async def test_an_existing_file_keeps_its_bookings_when_opened_again(tmp_path):
    path = tmp_path / "reservations.db"
    first = open_store(path)
    made = await book(first)
    first.close()
    again = open_store(path)
    assert await again.bookings() == [made]
    again.close()


async def test_a_file_at_an_older_revision_is_upgraded_and_keeps_its_data(tmp_path):
    path = tmp_path / "reservations.db"
    engine = create_engine(f"sqlite:///{path}")
    migrate(engine, MIGRATIONS, "0001")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO dining_tables (id, label, seats, active) VALUES (1, 'T1', 2, 1)"
        )
        connection.exec_driver_sql(
            "INSERT INTO bookings (reference, name, phone, date, time, party_size, notes, status, "
            "table_id) VALUES ('123456', 'Old', '+447911123456', '2030-01-04', '19:00:00.000000', "
            "2, '', 'confirmed', 1)"
        )
    engine.dispose()
    upgraded = open_store(path)
    assert current_revision(upgraded._engine) == "0002"
    assert [b.name for b in await upgraded.bookings()] == ["Old"]
    await upgraded.put_result("key", "book_table", {"ok": True})
    assert await upgraded.get_result("key") == {"ok": True}
    upgraded.close()


async def test_a_postgresql_database_is_migrated_and_keeps_its_bookings_when_opened_again(
    postgres_server,
):
    url = postgres_server.database()
    first = ReservationStore.open(url, (2, 4, 6), RULES)
    assert current_revision(first._engine) == "0002"
    made = await book(first)
    first.close()
    again = ReservationStore.open(url, (2, 4, 6), RULES)  # already at head: nothing to do
    assert await again.bookings() == [made]
    again.close()
    postgres_server.drop(url)


def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path):
    path = tmp_path / "reservations.db"
    path.write_text("these are not the tables you are looking for" * 100)
    with pytest.raises(StoreError, match="cannot open the reservation store"):
        open_store(path)


async def test_a_party_gets_the_smallest_table_that_fits(store):
    assert (await store.check_availability(DAY, time(19), 3)).table == "T2"
    assert (await store.check_availability(DAY, time(19), 2)).table == "T1"


async def test_a_table_is_held_for_the_whole_sitting(store):
    await book(store, at=time(19), party_size=6)
    for at in (time(17, 30), time(19), time(20, 30)):
        found = await store.check_availability(DAY, at, 5)
        assert not found.available, at


async def test_a_sitting_that_ends_as_the_next_begins_does_not_clash(store):
    await book(store, at=time(17), party_size=6)
    assert (await store.check_availability(DAY, time(19), 6)).available
    assert not (await store.check_availability(DAY, time(18, 59), 6)).available


async def test_when_full_the_nearest_free_times_are_offered(store):
    await book(store, at=time(19), party_size=6)
    found = await store.check_availability(DAY, time(19), 6)
    assert not found.available
    assert found.alternatives == (time(16, 30), time(17), time(21))


async def test_a_party_larger_than_every_table_has_no_alternatives(store):
    found = await store.check_availability(DAY, time(19), 7)
    assert (found.available, found.alternatives) == (False, ())


async def test_alternatives_respect_the_earliest_time(store):
    await book(store, at=time(13), party_size=6)
    found = await store.check_availability(DAY, time(13), 6, earliest=time(15, 30))
    assert all(at >= time(15, 30) for at in found.alternatives)


async def test_the_same_idempotency_key_books_once(store):
    first = await book(store, key="same")
    again = await book(store, key="same")
    assert first == again
    assert len(await store.bookings()) == 1


async def test_booking_a_full_slot_raises_with_alternatives_and_writes_nothing(store):
    await book(store, at=time(19), party_size=6, key="a")
    with pytest.raises(NoTableFree) as full:
        await book(store, at=time(19), party_size=6, key="b")
    assert full.value.alternatives
    assert len(await store.bookings()) == 1


async def test_a_replaced_booking_is_cancelled_in_the_same_write(store):
    first = await book(store, at=time(19), party_size=6, key="a")
    second = await store.book(
        name="Ada",
        phone=first.phone,
        day=DAY,
        at=time(19, 30),
        party_size=6,
        notes="",
        idempotency_key="b",
        replaces=first.reference,
    )
    statuses = {b.reference: b.status for b in await store.bookings()}
    assert statuses == {first.reference: "cancelled", second.reference: "confirmed"}


async def test_a_change_moves_to_a_table_that_fits_and_frees_the_old_one(store):
    made = await book(store, party_size=2)
    changed = await store.change(made.reference, party_size=5)
    assert (changed.party_size, changed.table) == (5, "T3")
    assert (await store.check_availability(DAY, time(19), 2)).table == "T1"


async def test_a_change_with_no_table_free_changes_nothing(store):
    await book(store, party_size=6, key="big")
    made = await book(store, party_size=2, key="small")
    with pytest.raises(NoTableFree):
        await store.change(made.reference, party_size=6)
    assert (await store.booking(made.reference)).party_size == 2


async def test_a_cancelled_booking_frees_its_table_and_cannot_be_changed(store):
    made = await book(store, party_size=6)
    await store.cancel(made.reference)
    assert (await store.check_availability(DAY, time(19), 6)).available
    with pytest.raises(BookingCancelled):
        await store.change(made.reference, party_size=4)


async def test_tables_dropped_from_the_settings_are_no_longer_offered(tmp_path):
    path = tmp_path / "reservations.db"
    open_store(path, tables=(2, 8)).close()
    smaller = open_store(path, tables=(2,))
    assert not (await smaller.check_availability(DAY, time(19), 8)).available
    smaller.close()


async def test_the_outbox_writes_a_message_once_per_key(store):
    made = await book(store)
    for _ in range(2):
        await store.queue_message(
            channel="sms",
            recipient=made.phone,
            body="confirmed",
            idempotency_key="m1",
            booking_reference=made.reference,
        )
    assert [(m.channel, m.booking_reference) for m in await store.outbox()] == [
        ("sms", made.reference)
    ]


async def test_a_locked_database_is_reported_as_unavailable(tmp_path):
    from store import StoreUnavailable

    path = tmp_path / "reservations.db"
    opened = ReservationStore.open(f"sqlite:///{path}?timeout=0.1", (2,), RULES)
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreUnavailable):
            await book(opened)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
        opened.close()


def test_an_unreachable_postgresql_server_gives_a_clear_error_without_its_password():
    url = "postgresql+psycopg://bot:secret-word@127.0.0.1:1/reservations"
    with pytest.raises(StoreError, match="cannot open the reservation store at") as failed:
        ReservationStore.open(url, (2,), RULES)
    assert "secret-word" not in str(failed.value)


def test_bot_processes_starting_together_on_one_postgresql_database_all_open_it(postgres_server):
    url = postgres_server.database()
    with ThreadPoolExecutor(4) as starting:
        opened = list(starting.map(lambda _: ReservationStore.open(url, (2, 4), RULES), range(4)))
    assert {current_revision(store._engine) for store in opened} == {"0002"}
    for store in opened:
        store.close()
    postgres_server.drop(url)
