"""The reservation store: tables, bookings and an outbox of messages, in a real database."""

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
    "Availability",
    "BookingNotFound",
    "BookingRecord",
    "NoTableFree",
    "OutboxRecord",
    "ReservationStore",
    "SeatingRules",
    "StoreUnavailable",
]
