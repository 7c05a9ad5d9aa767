"""What the reservation store hands out and raises: plain records, the seating rules, and
the outcomes a tool turns into an answer (no table, unknown or cancelled booking)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from store.models import Booking, DiningTable

CONFIRMED = "confirmed"
CANCELLED = "cancelled"
FRIDAY, SATURDAY = 4, 5


class StoreError(Exception):
    """The database failed in a way retrying will not fix."""


class StoreUnavailable(StoreError):
    """The database is busy or unreachable for now; retrying may work."""


class BookingNotFound(Exception):
    def __init__(self, reference: str):
        super().__init__(f"no booking {reference}")
        self.reference = reference


class BookingCancelled(Exception):
    def __init__(self, booking: "BookingRecord"):
        super().__init__(f"booking {booking.reference} is cancelled")
        self.booking = booking


class AlreadyBooked(Exception):
    """The phone already has a confirmed booking that day, other than the one being replaced."""

    def __init__(self, booking: "BookingRecord"):
        super().__init__(f"already booked that day: {booking.reference}")
        self.booking = booking


class NoTableFree(Exception):
    def __init__(self, alternatives: tuple[time, ...]):
        super().__init__("no table free")
        self.alternatives = alternatives


@dataclass(frozen=True)
class SeatingRules:
    """When guests can be seated, and how long a table is held for them."""

    opens: time = time(12, 0)
    last_seating: time = time(20, 30)
    last_seating_late: time = time(21, 30)
    late_weekdays: frozenset[int] = frozenset({FRIDAY, SATURDAY})
    booking_minutes: int = 120
    step_minutes: int = 30

    def last_seating_on(self, day: date) -> time:
        return self.last_seating_late if day.weekday() in self.late_weekdays else self.last_seating

    def seats_at(self, day: date, at: time) -> bool:
        return self.opens <= at <= self.last_seating_on(day)

    def slots(self, day: date) -> list[time]:
        """Every bookable start time of `day`, on the step grid."""
        slots, at = [], datetime.combine(day, self.opens)
        last = datetime.combine(day, self.last_seating_on(day))
        while at <= last:
            slots.append(at.time())
            at += timedelta(minutes=self.step_minutes)
        return slots


@dataclass(frozen=True)
class BookingRecord:
    reference: str
    name: str
    phone: str
    date: date
    time: time
    party_size: int
    notes: str
    status: str
    table: str

    @classmethod
    def of(cls, booking: Booking, table: DiningTable) -> "BookingRecord":
        return cls(
            reference=booking.reference,
            name=booking.name,
            phone=booking.phone,
            date=booking.date,
            time=booking.time,
            party_size=booking.party_size,
            notes=booking.notes,
            status=booking.status,
            table=table.label,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "name": self.name,
            "phone": self.phone,
            "date": self.date.isoformat(),
            "time": self.time.strftime("%H:%M"),
            "party_size": self.party_size,
            "notes": self.notes,
            "status": self.status,
        }


@dataclass(frozen=True)
class OutboxRecord:
    channel: str
    recipient: str
    body: str
    status: str
    booking_reference: str | None


@dataclass(frozen=True)
class Availability:
    available: bool
    table: str | None
    alternatives: tuple[time, ...] = ()
