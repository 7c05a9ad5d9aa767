"""Tool arguments from any LLM, validated and normalised, or refused with what to say.

A date in the past, a party of 0 or 40, a malformed phone number or booking
reference becomes an `InvalidArguments` whose message the LLM can say, never
an exception that reaches Pipecat. So does what only a model sends: a party of
`true`, `2.9` or `1e999`, a time with a zone ("19:30Z"), a list where a word
belongs, a name of zero-width characters or one reordered by a right-to-left
override. Text loses its control and format characters (Unicode Cc/Cf): speech
never contains them, and they hide or reorder what staff and logs show.
"""

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import dateparser

from flows.booking_rules import BookingRules
from flows.booking_slots import parse_time
from flows.impossible_dates import date_problem, horizon_problem, iso_problem
from flows.phone_numbers import parse_phone, possible_phone
from flows.speech import spoken_date, spoken_time
from function_calls import InvalidArguments


@dataclass(frozen=True)
class SlotArgs:
    day: date
    at: time
    party_size: int


@dataclass(frozen=True)
class NewBookingArgs:
    name: str
    phone: str
    day: date
    at: time
    party_size: int
    notes: str


@dataclass(frozen=True)
class FindArgs:
    reference: str | None
    phone: str | None
    name: str | None = None
    day: date | None = None


@dataclass(frozen=True)
class ChangeArgs:
    reference: str
    day: date | None
    at: time | None
    party_size: int | None
    notes: str | None


@dataclass(frozen=True)
class ReferenceArgs:
    reference: str


@dataclass(frozen=True)
class ConfirmationArgs:
    reference: str | None
    phone: str | None


@dataclass(frozen=True)
class HandoffArgs:
    reason: str
    phone: str | None


MAX_NOTES_CHARS = 500
"""The longest note a booking keeps (after whitespace is collapsed)."""
MAX_NAME_CHARS = 80
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides and isolates: they make a name display as something else."""
NUMBER_ONLY = re.compile(r"\+?[0-9][0-9 ().-]{5,24}")
"""A phone number written as one: digits and the marks that group them, nothing else."""
_WHOLE_NUMBER = re.compile(r"\s*[0-9]{1,6}\s*")


def _plain_text(raw: str) -> str:
    """`raw` without control or format characters, its whitespace collapsed."""
    kept = "".join(ch for ch in raw if unicodedata.category(ch) not in ("Cc", "Cf") or ch.isspace())
    return " ".join(kept.split())


class Validator:
    """Reads raw tool arguments into normalised ones, or says what is wrong."""

    def __init__(self, rules: BookingRules):
        self.rules = rules

    def day(self, raw: Any, required: bool = True) -> date | None:
        if raw in (None, ""):
            if required:
                raise InvalidArguments("date", "Which day would you like to come?")
            return None
        if not isinstance(raw, str):
            raise InvalidArguments("date", "Which day would you like to come?")
        text = _plain_text(raw)
        today = self.rules.today()
        problem = iso_problem(text) or date_problem(text, today, self.rules.horizon_days)
        if problem is not None:
            raise InvalidArguments("date", problem)
        try:
            day = date.fromisoformat(text)
        except ValueError:
            parsed = dateparser.parse(
                text,
                languages=["en"],
                settings={
                    "PREFER_DATES_FROM": "future",
                    "RELATIVE_BASE": self.rules.now(),
                    "DATE_ORDER": "DMY",
                },
            )
            if parsed is None:
                raise InvalidArguments(
                    "date", f"I did not understand the date {text!r}. Which day would you like?"
                ) from None
            day = parsed.date()
        if (problem := horizon_problem(day, today, self.rules.horizon_days)) is not None:
            raise InvalidArguments("date", problem)
        return day

    def at(self, raw: Any, day: date | None, required: bool = True) -> time | None:
        if raw in (None, ""):
            if required:
                raise InvalidArguments("time", "What time would you like the table?")
            return None
        if not isinstance(raw, str):
            raise InvalidArguments("time", "What time would you like the table?")
        text = _plain_text(raw)
        try:
            at = time.fromisoformat(text)
        except ValueError:
            at = parse_time(text, bare=True)
        if at is not None and at.tzinfo is not None:
            # "19:30Z" or "19:30+01:00": the restaurant's clock has no zone to convert from.
            raise InvalidArguments(
                "time", f"I did not understand the time {text!r}. What time would you like?"
            )
        if at is None:
            raise InvalidArguments(
                "time", f"I did not understand the time {text!r}. What time would you like?"
            )
        at = at.replace(second=0, microsecond=0)
        if day is not None:
            self.seated(day, at)
        return at

    def seated(self, day: date, at: time) -> None:
        """Raise unless the restaurant seats guests on `day` at `at`, and that is still ahead."""
        seating = self.rules.seating
        if not seating.seats_at(day, at):
            raise InvalidArguments(
                "time",
                f"On {spoken_date(day)} we seat guests from {spoken_time(seating.opens)} "
                f"until {spoken_time(seating.last_seating_on(day))}. What time would suit you?",
            )
        if datetime.combine(day, at) <= self.rules.now():
            raise InvalidArguments("time", f"{spoken_time(at)} today has already passed.")

    def party_size(self, raw: Any, required: bool = True) -> int | None:
        if raw in (None, ""):
            if required:
                raise InvalidArguments("party_size", "For how many people?")
            return None
        size = _whole_number(raw)
        if size is None:
            raise InvalidArguments("party_size", "For how many people?")
        if size < 1:
            raise InvalidArguments("party_size", "A booking needs at least one guest.")
        if size > self.rules.max_party_size:
            raise InvalidArguments(
                "party_size",
                f"I can book tables for up to {self.rules.max_party_size} people. For a group "
                f"of {size}, a member of our staff can help; shall I put you through?",
            )
        return size

    def phone(self, raw: Any, required: bool = True) -> str | None:
        if raw in (None, ""):
            if required:
                raise InvalidArguments("phone", "What phone number can we reach you on?")
            return None
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            raise InvalidArguments("phone", "What phone number can we reach you on?")
        plain = _plain_text(str(raw))
        phone = parse_phone(plain, self.rules.phone_region, bare=True)
        if phone is None and NUMBER_ONLY.fullmatch(plain.strip()):
            # A mobile's length in a range phonenumbers does not know yet, read back and said
            # again by the caller: theirs.
            phone = possible_phone(plain, self.rules.phone_region)
        if phone is None:
            raise InvalidArguments(
                "phone",
                "That phone number does not look right. Could you say it again, digit by digit?",
            )
        return phone

    def name(self, raw: Any) -> str:
        if raw is not None and not isinstance(raw, str):
            raise InvalidArguments("name", "What name should I put the booking under?")
        if _BIDI_CONTROLS.intersection(raw or ""):
            raise InvalidArguments(
                "name", "I could not read that name. What name should I put the booking under?"
            )
        name = _plain_text(raw or "")
        if not name:
            raise InvalidArguments("name", "What name should I put the booking under?")
        if len(name) > MAX_NAME_CHARS:
            raise InvalidArguments("name", "That name is too long for our booking system.")
        return name

    def notes(self, raw: Any) -> str:
        if raw is not None and not isinstance(raw, str):
            raise InvalidArguments("notes", "What should the note say?")
        notes = _plain_text(raw or "")
        if len(notes) > MAX_NOTES_CHARS:
            raise InvalidArguments("notes", "Those notes are too long; please keep them short.")
        return notes

    def reference(self, raw: Any, required: bool = True) -> str | None:
        if raw in (None, ""):
            if required:
                raise InvalidArguments("reference", "What is the booking reference?")
            return None
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            raise InvalidArguments("reference", "What is the booking reference?")
        digits = re.sub(r"[^0-9]", "", str(raw))
        if len(digits) != 6:
            raise InvalidArguments(
                "reference", "Booking references are six digits. Could you say it again?"
            )
        return digits

    # per tool

    def slot(self, args: Mapping[str, Any]) -> SlotArgs:
        day = self.day(args.get("date"))
        return SlotArgs(
            day, self.at(args.get("time"), day), self.party_size(args.get("party_size"))
        )

    def new_booking(self, args: Mapping[str, Any]) -> NewBookingArgs:
        day = self.day(args.get("date"))
        return NewBookingArgs(
            name=self.name(args.get("name")),
            phone=self.phone(args.get("phone")),
            day=day,
            at=self.at(args.get("time"), day),
            party_size=self.party_size(args.get("party_size")),
            notes=self.notes(args.get("notes")),
        )

    def find(self, args: Mapping[str, Any]) -> FindArgs:
        found = FindArgs(
            self.reference(args.get("reference"), required=False),
            self.phone(args.get("phone"), required=False),
            self.name(args["name"]) if args.get("name") else None,
            self.day(args.get("date"), required=False),
        )
        if found.reference is None and found.phone is None:
            raise InvalidArguments(
                "phone", "What phone number, or booking reference, is the booking under?"
            )
        return found

    def change(self, args: Mapping[str, Any]) -> ChangeArgs:
        day = self.day(args.get("date"), required=False)
        change = ChangeArgs(
            reference=self.reference(args.get("reference")),
            day=day,
            at=self.at(args.get("time"), day, required=False),
            party_size=self.party_size(args.get("party_size"), required=False),
            notes=self.notes(args.get("notes")) if args.get("notes") else None,
        )
        if change.day is None and change.at is None and change.party_size is None:
            if change.notes is None:
                raise InvalidArguments("date", "What would you like to change?")
        return change

    def booking_reference(self, args: Mapping[str, Any]) -> ReferenceArgs:
        return ReferenceArgs(self.reference(args.get("reference")))

    def confirmation(self, args: Mapping[str, Any]) -> ConfirmationArgs:
        found = self.find(args)
        return ConfirmationArgs(found.reference, found.phone)

    def handoff(self, args: Mapping[str, Any]) -> HandoffArgs:
        reason = args.get("reason")
        reason = (_plain_text(reason) if isinstance(reason, str) else "") or (
            "the caller asked for a person"
        )
        return HandoffArgs(reason[:300], self.phone(args.get("phone"), required=False))


def _whole_number(raw: Any) -> int | None:
    """A count as a model may send it: 4, 4.0 or "4"; None for true, 2.9, "2.9", 1e999 or NaN."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if math.isfinite(raw) and raw.is_integer() else None
    if isinstance(raw, str) and _WHOLE_NUMBER.fullmatch(raw):
        return int(raw)
    return None
