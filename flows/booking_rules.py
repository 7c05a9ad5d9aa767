"""What a booking must meet (party size, horizon, seating hours), and the restaurant's clock."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from settings import Settings
from store import SeatingRules


@dataclass(frozen=True)
class BookingRules:
    """What a booking must meet, and the restaurant's clock."""

    timezone: ZoneInfo
    phone_region: str
    max_party_size: int
    horizon_days: int
    seating: SeatingRules
    clock: Callable[[], datetime] | None = None
    """Returns the restaurant's local time; the wall clock when None (tests fix it)."""

    @classmethod
    def from_settings(cls, settings: Settings, clock: Callable[[], datetime] | None = None):
        return cls(
            timezone=ZoneInfo(settings.restaurant_timezone),
            phone_region=settings.restaurant_phone_region,
            max_party_size=settings.max_party_size,
            horizon_days=settings.booking_horizon_days,
            seating=SeatingRules(
                opens=settings.seating_opens,
                last_seating=settings.last_seating,
                last_seating_late=settings.last_seating_late,
                booking_minutes=settings.booking_minutes,
            ),
            clock=clock,
        )

    def now(self) -> datetime:
        if self.clock is not None:
            return self.clock()
        return datetime.now(self.timezone).replace(tzinfo=None)

    def today(self) -> date:
        return self.now().date()
