"""Tool arguments from any LLM, validated and normalised, or refused with what to say.

A date in the past, a party of 0 or 40, a malformed phone number or booking
reference becomes an `InvalidArguments` whose message the LLM can say, never
an exception that reaches Pipecat.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import dateparser

from flows.booking_rules import BookingRules
from flows.booking_slots import parse_phone, parse_time
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


class Validator:
    """Reads raw tool arguments into normalised ones, or says what is wrong."""

    def __init__(self, rules: BookingRules):
        self.rules = rules

    def day(self, raw: Any, required: bool = True) -> date | None:
        if raw in (None, ""):
            if required:
                raise InvalidArguments("date", "Which day would you like to come?")
            return None
        text = str(raw).strip()
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
        today = self.rules.today()
        if day < today:
            raise InvalidArguments(
                "date", f"{spoken_date(day)} has already passed. Which day would you like?"
            )
        if day > today + timedelta(days=self.rules.horizon_days):
            raise InvalidArguments(
                "date", f"We take bookings up to {self.rules.horizon_days} days ahead."
            )
        return day

    def at(self, raw: Any, day: date | None, required: bool = True) -> time | None:
        if raw in (None, ""):
            if required:
                raise InvalidArguments("time", "What time would you like the table?")
            return None
        text = str(raw).strip()
        try:
            at = time.fromisoformat(text)
        except ValueError:
            at = parse_time(text, bare=True)
        if at is None:
            raise InvalidArguments(
                "time", f"I did not understand the time {text!r}. What time would you like?"
            )
        at = at.replace(second=0, microsecond=0)
        if day is not None:
            seating = self.rules.seating
            if not seating.seats_at(day, at):
                raise InvalidArguments(
                    "time",
                    f"On {spoken_date(day)} we seat guests from {spoken_time(seating.opens)} "
                    f"until {spoken_time(seating.last_seating_on(day))}.",
                )
            if datetime.combine(day, at) <= self.rules.now():
                raise InvalidArguments("time", f"{spoken_time(at)} today has already passed.")
        return at

    def party_size(self, raw: Any, required: bool = True) -> int | None:
        if raw in (None, ""):
            if required:
                raise InvalidArguments("party_size", "For how many people?")
            return None
        try:
            size = int(raw)
        except (TypeError, ValueError):
            raise InvalidArguments("party_size", "For how many people?") from None
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
        phone = parse_phone(str(raw), self.rules.phone_region, bare=True)
        if phone is None:
            raise InvalidArguments(
                "phone",
                "That phone number does not look right. Could you say it again, digit by digit?",
            )
        return phone

    def name(self, raw: Any) -> str:
        name = " ".join(str(raw or "").split())
        if not name:
            raise InvalidArguments("name", "What name should I put the booking under?")
        if len(name) > 80:
            raise InvalidArguments("name", "That name is too long for our booking system.")
        return name

    def notes(self, raw: Any) -> str:
        notes = " ".join(str(raw or "").split())
        if len(notes) > 500:
            raise InvalidArguments("notes", "Those notes are too long; please keep them short.")
        return notes

    def reference(self, raw: Any, required: bool = True) -> str | None:
        if raw in (None, ""):
            if required:
                raise InvalidArguments("reference", "What is the booking reference?")
            return None
        digits = re.sub(r"\D", "", str(raw))
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
        reason = " ".join(str(args.get("reason") or "the caller asked for a person").split())
        return HandoffArgs(reason[:300], self.phone(args.get("phone"), required=False))
