"""Bookings, table availability and the outbox, kept in a SQL database (SQLite by default).

Every operation is one transaction run in a worker thread: a caller that stops
waiting (a timeout, a cancelled task) never leaves a booking half-written,
because the transaction either commits whole or not at all. Write
transactions on SQLite take the write lock up front (`BEGIN IMMEDIATE`); on
PostgreSQL a booking or a change takes its day's lock first
(store/transactions.py). Either way two calls, in one bot process or two,
cannot give the same table away twice, nor book one phone twice on one day.

Infrastructure failures surface as `StoreUnavailable` (worth retrying) or
`StoreError`; business outcomes (no table, unknown booking) as their own
exceptions, which the tools turn into answers.
"""

import asyncio
import json
import secrets
import weakref
from collections.abc import Callable, Sequence
from datetime import date, time
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from store.database import DatabaseFile, create_engine_for, migrate, shown_url
from store.models import Booking, DiningTable, OutboxMessage, ToolResult
from store.records import (
    CANCELLED,
    CONFIRMED,
    AlreadyBooked,
    Availability,
    BookingCancelled,
    BookingNotFound,
    BookingRecord,
    NoTableFree,
    OutboxRecord,
    SeatingRules,
    StoreError,
    StoreUnavailable,
)
from store.transactions import lock_days, run_with_retries

MIGRATIONS = Path(__file__).parent / "migrations"

T = TypeVar("T")


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


class ReservationStore:
    """The restaurant's reservations. Open it with `ReservationStore.open`."""

    def __init__(self, engine: Engine, rules: SeatingRules, file: DatabaseFile | None = None):
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.rules = rules
        self._file = file  # the SQLite file, checked before every transaction
        pool = engine.pool
        self._one_connection = isinstance(pool, QueuePool) and pool.size() == 1
        """The process has one connection to the database (an SQLite file, store/database.py)."""
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    @classmethod
    def open(cls, url: str, tables: Sequence[int], rules: SeatingRules) -> "ReservationStore":
        """Connect, migrate the schema to the latest revision, and lay out the tables."""
        shown = shown_url(url)
        try:
            # Its folder cannot be made (under a file, no permission), its driver is missing...
            engine = create_engine_for(url)
        except (SQLAlchemyError, OSError, ImportError) as error:
            raise StoreError(f"cannot open the reservation store at {shown}: {error}") from None
        try:
            migrate(engine, MIGRATIONS)
        except (SQLAlchemyError, OSError) as error:
            engine.dispose()
            reason = getattr(error, "orig", None) or error
            raise StoreError(f"cannot open the reservation store at {shown}: {reason}") from None
        store = cls(engine, rules, DatabaseFile.of(url, "reservation store"))
        store._run(lambda session: _lay_out_tables(session, tables))
        return store

    def close(self):
        self._engine.dispose()

    def reachable(self) -> bool:
        """Whether the database answers a trivial query now (the server's /readyz); blocking."""
        if self._file is not None and self._file.check():
            return False
        try:
            with self._engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    # -- availability -----------------------------------------------------------

    async def check_availability(
        self, day: date, at: time, party_size: int, earliest: time | None = None
    ) -> Availability:
        """Whether a table for `party_size` is free at `at`, else the nearest free times."""

        def check(session: Session) -> Availability:
            table = self._free_table(session, day, at, party_size)
            if table is not None:
                return Availability(True, table.label)
            return Availability(
                False, None, self._alternatives(session, day, at, party_size, earliest)
            )

        return await self._call(check)

    def _free_table(
        self, session: Session, day: date, at: time, party_size: int, ignore: int | None = None
    ) -> DiningTable | None:
        """The smallest active table that seats the party and is free for the whole sitting."""
        start = _minutes(at)
        end = start + self.rules.booking_minutes
        taken = {
            booking.table_id
            for booking in session.scalars(
                select(Booking).where(Booking.date == day, Booking.status == CONFIRMED)
            )
            if booking.id != ignore
            and _minutes(booking.time) < end
            and start < _minutes(booking.time) + self.rules.booking_minutes
        }
        tables = session.scalars(
            select(DiningTable)
            .where(DiningTable.active, DiningTable.seats >= party_size)
            .order_by(DiningTable.seats, DiningTable.id)
        )
        return next((table for table in tables if table.id not in taken), None)

    def _alternatives(
        self,
        session: Session,
        day: date,
        at: time,
        party_size: int,
        earliest: time | None,
        ignore: int | None = None,
        count: int = 3,
    ) -> tuple[time, ...]:
        candidates = [
            slot
            for slot in self.rules.slots(day)
            if slot != at and (earliest is None or slot >= earliest)
        ]
        candidates.sort(key=lambda slot: (abs(_minutes(slot) - _minutes(at)), slot))
        free = [
            slot
            for slot in candidates
            if self._free_table(session, day, slot, party_size, ignore) is not None
        ]
        return tuple(sorted(free[:count]))

    # -- bookings ---------------------------------------------------------------

    async def book(
        self,
        *,
        name: str,
        phone: str,
        day: date,
        at: time,
        party_size: int,
        notes: str,
        idempotency_key: str,
        replaces: str | None = None,
        one_per_day: bool = False,
    ) -> BookingRecord:
        """Book the smallest free table; the same key books once. `replaces` is cancelled with it.

        With `one_per_day`, `AlreadyBooked` if the phone has another confirmed booking that day
        (checked in the same transaction as the free table, under the same lock)."""

        def book(session: Session) -> BookingRecord:
            lock_days(session, day)
            earlier = session.scalar(
                select(Booking).where(Booking.idempotency_key == idempotency_key)
            )
            if earlier is not None:
                return BookingRecord.of(earlier, session.get(DiningTable, earlier.table_id))
            replaced = self._booking(session, replaces, for_update=True) if replaces else None
            if one_per_day:
                self._no_other_booking_that_day(session, phone, day, replaced)
            table = self._free_table(
                session, day, at, party_size, ignore=replaced.id if replaced else None
            )
            if table is None:
                raise NoTableFree(self._alternatives(session, day, at, party_size, None))
            if replaced is not None:
                replaced.status = CANCELLED
            booking = Booking(
                reference=self._new_reference(session),
                name=name,
                phone=phone,
                date=day,
                time=at,
                party_size=party_size,
                notes=notes,
                status=CONFIRMED,
                table_id=table.id,
                idempotency_key=idempotency_key,
            )
            session.add(booking)
            session.flush()
            return BookingRecord.of(booking, table)

        return await self._call(book)

    def _no_other_booking_that_day(
        self, session: Session, phone: str, day: date, replaced: Booking | None
    ) -> None:
        other = session.scalar(
            select(Booking)
            .where(Booking.phone == phone, Booking.date == day, Booking.status == CONFIRMED)
            .where(Booking.id != (replaced.id if replaced is not None else -1))
            .order_by(Booking.time)
            .limit(1)
        )
        if other is not None:
            raise AlreadyBooked(BookingRecord.of(other, session.get(DiningTable, other.table_id)))

    async def find(
        self,
        *,
        reference: str | None = None,
        phone: str | None = None,
        from_day: date | None = None,
    ) -> list[BookingRecord]:
        """Confirmed bookings by reference or phone, from `from_day` on, soonest first."""

        def find(session: Session) -> list[BookingRecord]:
            query = (
                select(Booking, DiningTable).join(DiningTable).where(Booking.status == CONFIRMED)
            )
            if reference is not None:
                query = query.where(Booking.reference == reference)
            if phone is not None:
                query = query.where(Booking.phone == phone)
            if from_day is not None:
                query = query.where(Booking.date >= from_day)
            rows = session.execute(query.order_by(Booking.date, Booking.time))
            return [BookingRecord.of(booking, table) for booking, table in rows]

        return await self._call(find)

    async def booking(self, reference: str) -> BookingRecord:
        """One booking, whatever its status; `BookingNotFound` if there is none."""

        def get(session: Session) -> BookingRecord:
            booking = self._booking(session, reference)
            return BookingRecord.of(booking, session.get(DiningTable, booking.table_id))

        return await self._call(get)

    async def change(
        self,
        reference: str,
        *,
        day: date | None = None,
        at: time | None = None,
        party_size: int | None = None,
        notes: str | None = None,
    ) -> BookingRecord:
        """Move or resize a booking, keeping it only if a table is free for the new details."""

        def change(session: Session) -> BookingRecord:
            booking = self._booking(session, reference)
            lock_days(session, booking.date, day or booking.date)  # days first, then the row
            booking = self._booking(session, reference, for_update=True)
            # Moved meanwhile by another change? Its day now (a lock held already is no wait).
            lock_days(session, booking.date, day or booking.date)
            if booking.status != CONFIRMED:
                raise BookingCancelled(
                    BookingRecord.of(booking, session.get(DiningTable, booking.table_id))
                )
            new_day, new_at = day or booking.date, at or booking.time
            new_size = party_size or booking.party_size
            table = self._free_table(session, new_day, new_at, new_size, ignore=booking.id)
            if table is None:
                raise NoTableFree(
                    self._alternatives(session, new_day, new_at, new_size, None, ignore=booking.id)
                )
            booking.date, booking.time, booking.party_size = new_day, new_at, new_size
            booking.table_id = table.id
            if notes is not None:
                booking.notes = notes
            return BookingRecord.of(booking, table)

        return await self._call(change)

    async def cancel(self, reference: str) -> BookingRecord:
        """Cancel a booking; cancelling it again changes nothing."""

        def cancel(session: Session) -> BookingRecord:
            booking = self._booking(session, reference, for_update=True)
            booking.status = CANCELLED
            return BookingRecord.of(booking, session.get(DiningTable, booking.table_id))

        return await self._call(cancel)

    async def bookings(self) -> list[BookingRecord]:
        """Every booking, whatever its status, in the order they were made."""

        def everything(session: Session) -> list[BookingRecord]:
            rows = session.execute(
                select(Booking, DiningTable).join(DiningTable).order_by(Booking.id)
            )
            return [BookingRecord.of(booking, table) for booking, table in rows]

        return await self._call(everything)

    # -- outbox -----------------------------------------------------------------

    async def queue_message(
        self,
        *,
        channel: str,
        recipient: str,
        body: str,
        idempotency_key: str,
        booking_reference: str | None = None,
    ) -> OutboxRecord:
        """Write a message to the outbox (it is sent elsewhere); the same key writes once."""

        def queue(session: Session) -> OutboxRecord:
            earlier = session.scalar(
                select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key)
            )
            message = earlier or OutboxMessage(
                channel=channel,
                recipient=recipient,
                body=body,
                status="pending",
                idempotency_key=idempotency_key,
                booking_id=self._booking(session, booking_reference).id
                if booking_reference
                else None,
            )
            session.add(message)
            session.flush()
            return OutboxRecord(
                message.channel, message.recipient, message.body, message.status, booking_reference
            )

        return await self._call(queue)

    async def outbox(self) -> list[OutboxRecord]:
        def everything(session: Session) -> list[OutboxRecord]:
            rows = session.execute(
                select(OutboxMessage, Booking.reference)
                .outerjoin(Booking, OutboxMessage.booking_id == Booking.id)
                .order_by(OutboxMessage.id)
            )
            return [
                OutboxRecord(m.channel, m.recipient, m.body, m.status, reference)
                for m, reference in rows
            ]

        return await self._call(everything)

    # -- first results of tool calls (the function-call gate's idempotency records) ---

    async def get_result(self, key: str) -> dict[str, Any] | None:
        def get(session: Session) -> dict[str, Any] | None:
            record = session.get(ToolResult, key)
            return json.loads(record.result) if record else None

        return await self._call(get)

    async def put_result(self, key: str, tool: str, result: dict[str, Any]) -> None:
        def put(session: Session) -> None:
            if session.get(ToolResult, key) is None:
                session.add(ToolResult(key=key, tool=tool, result=json.dumps(result)))

        await self._call(put)

    # -- plumbing ---------------------------------------------------------------

    def _booking(self, session: Session, reference: str, for_update: bool = False) -> Booking:
        """A booking by reference; `for_update` locks its row (and reads it afresh) until the
        transaction ends, so a change and a cancel of one booking run one after the other."""
        query = select(Booking).where(Booking.reference == reference)
        if for_update:
            query = query.with_for_update().execution_options(populate_existing=True)
        booking = session.scalar(query)
        if booking is None:
            raise BookingNotFound(reference)
        return booking

    def _new_reference(self, session: Session) -> str:
        """Six digits: easy to say on the phone and for speech recognition to hear."""
        while True:
            reference = f"{secrets.randbelow(900000) + 100000}"
            if session.scalar(select(Booking.id).where(Booking.reference == reference)) is None:
                return reference

    def _run(self, work: Callable[[Session], T]) -> T:
        if self._file is not None and (problem := self._file.check()):
            raise StoreUnavailable(problem)

        def transaction() -> T:
            with self._sessions.begin() as session:
                return work(session)

        try:
            return run_with_retries(transaction)
        except OperationalError as error:
            raise StoreUnavailable(str(error.orig)) from error
        except PoolTimeout as error:  # the process's one SQLite connection stayed busy
            raise StoreUnavailable("the database is busy") from error
        except IntegrityError as error:
            raise StoreError(str(error.orig)) from error
        except SQLAlchemyError as error:
            raise StoreError(str(error)) from error

    async def _call(self, work: Callable[[Session], T]) -> T:
        # In a thread, so a caller that stops waiting cannot cut the transaction short.
        if not self._one_connection:
            return await asyncio.to_thread(self._run, work)
        # With one connection the process's transactions run one at a time anyway: they
        # wait their turn here, in order and for as long as it takes (20 bookings at once on
        # a loaded 2-core machine waited over 1.5 s for the connection, and 11 were told the
        # database was busy), and a caller that stops waiting leaves before its transaction
        # began. The connection's own wait (`POOL_WAIT_SECS`) is then only for a transaction
        # whose caller stopped waiting and that is still finishing.
        async with self._turn():
            return await asyncio.to_thread(self._run, work)

    def _turn(self) -> asyncio.Lock:
        """The queue for the one connection, for the running event loop (an asyncio lock
        belongs to one loop; a store may be used from several, as the tests do)."""
        loop = asyncio.get_running_loop()
        turn = self._turns.get(loop)
        if turn is None:
            turn = self._turns[loop] = asyncio.Lock()
        return turn


def _lay_out_tables(session: Session, seats: Sequence[int]) -> None:
    """Make the active tables match the settings; tables no longer listed stay, inactive."""
    existing = {table.label: table for table in session.scalars(select(DiningTable))}
    wanted = {f"T{number}": count for number, count in enumerate(seats, start=1)}
    for label, count in wanted.items():
        table = existing.get(label) or DiningTable(label=label)
        table.seats, table.active = count, True
        session.add(table)
    for label, table in existing.items():
        if label not in wanted:
            table.active = False
