"""The reservation store: tables, bookings and an outbox of messages, in a real database."""

from store.database import LOCK_WAIT_SECS
from store.reservations import (
    Availability,
    BookingNotFound,
    BookingRecord,
    NoTableFree,
    OutboxRecord,
    ReservationStore,
    SeatingRules,
    StoreUnavailable,
)

__all__ = [
    "LOCK_WAIT_SECS",
    "Availability",
    "BookingNotFound",
    "BookingRecord",
    "NoTableFree",
    "OutboxRecord",
    "ReservationStore",
    "SeatingRules",
    "StoreUnavailable",
]
