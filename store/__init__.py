"""The reservation store: tables, bookings and an outbox of messages, in a real database."""

from store.database import LOCK_WAIT_SECS
from store.handoffs import HandoffLog
from store.records import (
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
from store.reservations import ReservationStore

__all__ = [
    "LOCK_WAIT_SECS",
    "AlreadyBooked",
    "Availability",
    "BookingCancelled",
    "BookingNotFound",
    "BookingRecord",
    "HandoffLog",
    "NoTableFree",
    "OutboxRecord",
    "ReservationStore",
    "SeatingRules",
    "StoreError",
    "StoreUnavailable",
]
