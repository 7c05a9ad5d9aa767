"""How the reservation store's transactions stay correct when several run at once, on SQLite
and on PostgreSQL alike.

SQLite: every transaction takes the database's write lock up front (`BEGIN IMMEDIATE`,
store/database.py), so writes run one at a time, across processes too.

PostgreSQL has no such lock: two transactions at READ COMMITTED would both see the last
table free and both book it. A write that reads a day's bookings and then writes one first
takes that day's lock (`pg_advisory_xact_lock`, held until it commits or rolls back), so the
free-table check, the same-phone check and the insert see every booking committed before
them and no other write of that day can come in between. Waiting for a lock is bounded by
`LOCK_WAIT_SECS` (`lock_timeout`, store/database.py), like SQLite's.

A transaction the database aborted because of another one (a serialisation failure, a
deadlock, a unique key another process inserted first) is run again, a few times: run
again, it sees the other's row (an idempotency key's first booking, a recorded result) and
answers with it.
"""

import time as clock
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from store.database import LOCK_WAIT_SECS
from store.models import DiningTable

T = TypeVar("T")

ATTEMPTS = 4
"""Runs of one transaction the database aborted because of another (see `is_conflict`)."""

RETRY_WITHIN_SECS = LOCK_WAIT_SECS / 2
"""No new run after this long: an attempt must end before the tool's own timeout (twice
`LOCK_WAIT_SECS`), never commit after the bot said it failed."""

SERIALISATION_FAILURE, DEADLOCK, UNIQUE_VIOLATION = "40001", "40P01", "23505"


def lock_days(session: Session, *days: date) -> None:
    """Hold the booking lock of each day until the transaction ends (in one order: no deadlock)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return  # BEGIN IMMEDIATE already holds the database's write lock
    if dialect == "postgresql":
        for day in sorted(set(days)):
            session.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                {"key": f"bookings:{day.isoformat()}"},
            )
        return
    # Any other database: lock every table row, so its writes run one at a time.
    session.execute(select(DiningTable.id).order_by(DiningTable.id).with_for_update()).all()


def is_conflict(error: DBAPIError) -> bool:
    """Whether the database aborted the transaction because of a concurrent one."""
    code = getattr(error.orig, "sqlstate", None)
    if code in (SERIALISATION_FAILURE, DEADLOCK, UNIQUE_VIOLATION):
        return True
    return isinstance(error, IntegrityError) and "UNIQUE constraint failed" in str(error.orig)


def run_with_retries(transaction: Callable[[], T]) -> T:
    """`transaction()`, run again while the database aborts it for a concurrent one."""
    started = clock.monotonic()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return transaction()
        except (OperationalError, IntegrityError) as error:
            last = attempt == ATTEMPTS or clock.monotonic() - started > RETRY_WITHIN_SECS
            if last or not is_conflict(error):
                raise
    raise AssertionError("unreachable")
