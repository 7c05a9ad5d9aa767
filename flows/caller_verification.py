"""Who may hear or act on a booking: the caller must show it is theirs first.

A phone number or a reference alone is not enough (anyone may know them). A booking is
the caller's when, for that booking:

- the caller's own number, as the transport gives it (Daily dial-in's `From`), is the
  booking's phone; or
- two of four facts the caller said match it: the phone number (exactly, both in E.164
  after `phonenumbers` normalised them), the name (allowing for how speech recognition
  spells it: `rapidfuzz` ratio of at least `NAME_MATCH` on the whole name or on the
  surname), the six-digit reference (exactly), the day the booking is for. The day is
  there because speech recognition mangles names it has not heard before ("Owen Hughes"
  heard as "all in views"), and a caller who knows their number and their booking's day
  is as likely the booker as one who knows the number and the name.

A booking the call itself made, or one already verified in this call, stays verified.
Until then the tools say only `NO_MATCH`: no name, party, day or time, and the same
words whether there is no booking or the facts did not match.
"""

import unicodedata
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz

from store import BookingRecord

NAME_MATCH = 80.0
"""The least `rapidfuzz.fuzz.ratio` (0-100) for a heard name to match the booked one:
"Lopes"/"Lopez" and "Smyth"/"Smith" score 80, "Katherine"/"Catherine" 89, "Jones"/"Smith" 20."""
NO_MATCH = "I can't find a matching booking."
ASK_FACTS = "Could you tell me the name and the phone number the booking is under?"
NUMBER_ON_THE_BOOKING = "the number on the booking"
"""Said for a booking's phone number the caller did not give: "I'm sending the details by
text message to the number on the booking"."""


def _plain_name(name: str) -> str:
    """Lower case, accents and everything but letters and spaces removed."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalpha() else " " for c in bare).split())


def names_match(heard: str | None, booked: str) -> bool:
    """Whether a name the caller said is the booking's, as speech recognition may spell it:
    the whole name, or the surname alone ("Lopes" for "Maria Lopez")."""
    said, kept = _plain_name(heard or ""), _plain_name(booked)
    if not said or not kept:
        return False
    if fuzz.ratio(said, kept) >= NAME_MATCH:
        return True
    return fuzz.ratio(said.split()[-1], kept.split()[-1]) >= NAME_MATCH


def first_names_match(heard: str | None, booked: str) -> bool:
    """Whether the first name the caller said is the booking's, as `names_match` allows."""
    said, kept = _plain_name(heard or "").split(), _plain_name(booked).split()
    return bool(said and kept) and fuzz.ratio(said[0], kept[0]) >= NAME_MATCH


@dataclass
class CallerVerification:
    """What one call has shown about who the caller is.

    Args:
        caller_phone: The caller's own number in E.164, when the transport gives it.
    """

    caller_phone: str | None = None
    verified: set[str] = field(default_factory=set)
    """References of the bookings this caller has shown are theirs, or that this call made."""
    phone_known: set[str] = field(default_factory=set)
    """Of those, the ones whose phone number the caller said or calls from: only their number
    is said back (one shown by its reference and name keeps its number to itself)."""

    def check(
        self,
        booking: BookingRecord,
        *,
        name: str | None = None,
        phone: str | None = None,
        reference: str | None = None,
        day: date | None = None,
    ) -> bool:
        """Whether what the caller said (or their own number) shows `booking` is theirs;
        if so it stays verified for the rest of the call."""
        if self.allows(booking):
            return True
        facts = (
            phone is not None and phone == booking.phone,
            names_match(name, booking.name),
            reference is not None and reference == booking.reference,
            day is not None and day == booking.date,
        )
        if facts[0]:
            self.phone_known.add(booking.reference)  # said, whether or not it is enough
        if sum(facts) >= 2:
            self.verified.add(booking.reference)
            return True
        return False

    def allows(self, booking: BookingRecord) -> bool:
        """Whether the caller may hear or change `booking` now."""
        if booking.reference in self.verified:
            return True
        if self.caller_phone is not None and self.caller_phone == booking.phone:
            self.verified.add(booking.reference)
            self.phone_known.add(booking.reference)
            return True
        return False

    def made(self, reference: str):
        """The call made this booking: its caller knows it, and the number they gave."""
        self.verified.add(reference)
        self.phone_known.add(reference)
