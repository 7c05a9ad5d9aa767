"""What the whole process shares across calls, opened once: the reservation store, its circuit
breakers and the call records; and the start-up checks that stop a bad configuration.

Cached per database URL, so every call of the process (and every test that asks
for the same URL) gets the same objects.
"""

import sys
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path

from conversation.call_records import CallRecordStore, CallRecordStoreError
from flows.booking_rules import BookingRules
from flows.booking_tools import BookingTools
from function_calls import Breakers
from settings import Settings
from store import HandoffLog, ReservationStore, SeatingRules, StoreError


@cache
def shared_store(url: str, tables: tuple[int, ...], rules: SeatingRules) -> ReservationStore:
    """One store per database for the whole process; it migrates the schema when opened."""
    return ReservationStore.open(url, tables, rules)


@cache
def shared_breakers(url: str) -> Breakers:
    """One set of circuit breakers per database for the whole process, shared by all calls."""
    return Breakers()


@cache
def shared_call_records(url: str) -> CallRecordStore:
    """One call-record store per database for the whole process; it migrates when opened."""
    return CallRecordStore.open(url)


@cache
def shared_handoffs(path: Path) -> HandoffLog:
    """One handoff file per path for the whole process (its writes are serialised)."""
    return HandoffLog(path)


def booking_tools(
    settings: Settings,
    clock: Callable[[], datetime] | None = None,
    caller_phone: str | None = None,
) -> BookingTools:
    """The reservation tools over the process's shared store, for one call;
    `caller_phone`: the caller's own number in E.164, when the transport gives it."""
    rules = BookingRules.from_settings(settings, clock)
    store = shared_store(settings.database_url, settings.restaurant_tables, rules.seating)
    return BookingTools(
        store,
        rules,
        settings.restaurant_name,
        caller_phone=caller_phone,
        handoffs=shared_handoffs(settings.handoff_file),
    )


def open_reservations_or_exit(settings: Settings) -> None:
    """Open (and migrate) the reservation store at start-up; if it cannot be, say why and exit 2."""
    try:
        booking_tools(settings)
    except StoreError as error:
        exit_with(f"DATABASE_URL: {error}")


def open_call_records_or_exit(settings: Settings) -> None:
    """Open (and migrate) the call records at start-up; if they cannot be, say why and exit 2."""
    try:
        shared_call_records(settings.conversations_database_url)
    except CallRecordStoreError as error:
        exit_with(f"CONVERSATIONS_DATABASE_URL: {error}")


def exit_with(problem: str):
    problem = " ".join(problem.split())  # one line, whatever the error's text held
    print(f"configuration error: {problem}", file=sys.stderr)
    raise SystemExit(2) from None
