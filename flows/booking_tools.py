"""The reservation tools every LLM of the bot can call, and their checks at the boundary.

Seven tools: check_availability, book_table, find_booking, change_booking,
cancel_booking, send_confirmation, transfer_to_human. Each validates and
normalises its arguments before anything else (a date in the past, a party
of 0 or 40, a malformed phone number or booking reference becomes a result
the LLM can say, never an exception), then runs against the reservation
store through the function-call gate (processors/function_call_gate.py),
which adds consent, idempotency, timeouts, retries and the circuit breaker.
"""

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import dateparser
import phonenumbers
from pipecat.adapters.llm.schemas.function_schema import FunctionSchema

from flows.booking_slots import parse_phone, parse_time
from processors.function_call_gate import (
    Breakers,
    FunctionCallGate,
    GatedTool,
    InvalidArguments,
    Result,
)
from settings import Settings
from store import (
    BookingNotFound,
    BookingRecord,
    NoTableFree,
    ReservationStore,
    SeatingRules,
    StoreUnavailable,
)
from store.reservations import BookingCancelled, StoreError

# Seconds one attempt of each tool may take: a lookup is quick, a write waits for the lock.
TIMEOUTS = {
    "check_availability": 2.0,
    "find_booking": 2.0,
    "book_table": 4.0,
    "change_booking": 4.0,
    "cancel_booking": 4.0,
    "send_confirmation": 4.0,
    "transfer_to_human": 4.0,
}
RESERVATIONS = "reservations"
MESSAGES = "messages"
UNAVAILABLE = (
    "Sorry, our booking system is not working right now. Would you like me to put you "
    "through to a member of staff?"
)
FAILED = (
    "Sorry, I could not get through to our booking system just now. Shall I try again, or "
    "put you through to a member of staff?"
)


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


# -- how things are said ----------------------------------------------------------


def spoken_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def spoken_time(at: time) -> str:
    if at == time(12, 0):
        return "noon"
    hour = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    return f"{hour} {suffix}" if at.minute == 0 else f"{hour}:{at.minute:02d} {suffix}"


def spoken_phone(e164: str, region: str) -> str:
    number = phonenumbers.parse(e164, region)
    if number.country_code == phonenumbers.country_code_for_region(region):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def spoken_reference(reference: str) -> str:
    """Digit by digit, so the TTS does not read it as one big number."""
    return " ".join(reference)


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


def describe(booking: BookingRecord) -> str:
    return (
        f"a table for {_people(booking.party_size)} on {spoken_date(booking.date)} at {spoken_time(booking.time)}, "
        f"under the name {booking.name}"
    )


def booking_result(booking: BookingRecord, region: str) -> dict[str, Any]:
    return {
        **booking.as_dict(),
        "spoken_date": spoken_date(booking.date),
        "spoken_time": spoken_time(booking.time),
        "spoken_phone": spoken_phone(booking.phone, region),
        "spoken_reference": spoken_reference(booking.reference),
    }


# -- arguments, validated and normalised -----------------------------------------


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


# -- the tools -----------------------------------------------------------------------

DATE = {"type": "string", "description": "The day, as YYYY-MM-DD."}
TIME = {"type": "string", "description": "The time of day, 24-hour HH:MM (e.g. 19:30)."}
PARTY = {"type": "integer", "description": "How many people, including the caller."}
PHONE = {"type": "string", "description": "The caller's phone number, as they said it."}
REFERENCE = {"type": "string", "description": "The six-digit booking reference."}
SLOT_OF_ARGUMENT = {
    "date": "day",
    "time": "at",
    "party_size": "party_size",
    "name": "name",
    "phone": "phone",
}
"""A tool argument, and the conversation-state slot (flows/state_slots.py) that holds it."""
CONSENT = (
    " It changes a booking, so the first call only returns a read_back: say it to the caller "
    "and ask them to confirm. When they say yes, call again with exactly the same arguments."
)


@dataclass(frozen=True)
class ToolSpec:
    """A tool's schema (for any LLM) and how the gate runs it."""

    name: str
    description: str
    properties: dict[str, Any]
    required: list[str]
    gated: GatedTool


class BookingTools:
    """The reservation tools over one store."""

    def __init__(
        self,
        store: ReservationStore,
        rules: BookingRules,
        restaurant_name: str,
        timeout_secs: float | None = None,
    ):
        """`timeout_secs`, when given, replaces every tool's own timeout (`TIMEOUTS`)."""
        self.store = store
        self._timeout = timeout_secs
        self.rules = rules
        self._restaurant = restaurant_name
        self._validate = Validator(rules)
        self.specs = self._specs()

    def gate(self, session_id: str, breakers: Breakers, **options) -> FunctionCallGate:
        """A gate for one call, its first results kept in the store across reconnects."""
        return FunctionCallGate(
            [spec.gated for spec in self.specs.values()],
            session_id=session_id,
            records=self.store,
            breakers=breakers,
            transient=(StoreUnavailable, TimeoutError, ConnectionError),
            **options,
        )

    def schemas(self, gate: FunctionCallGate) -> list[FunctionSchema]:
        """The tools as Pipecat `FunctionSchema`s whose handlers run through `gate`."""
        return [
            FunctionSchema(
                name=spec.name,
                description=spec.description,
                properties=spec.properties,
                required=spec.required,
                handler=gate.handler(spec.name),
            )
            for spec in self.specs.values()
        ]

    def _specs(self) -> dict[str, ToolSpec]:
        v = self._validate

        def tool(name, description, properties, required, run, normalise, **gated):
            options = {
                "backend": RESERVATIONS,
                "timeout_secs": self._timeout or TIMEOUTS[name],
                "failure_message": FAILED,
                "unavailable_message": UNAVAILABLE,
                **gated,
            }
            return ToolSpec(
                name,
                description,
                properties,
                required,
                GatedTool(name=name, run=run, normalise=normalise, **options),
            )

        specs = [
            tool(
                "check_availability",
                "Check whether a table is free. Call it once you know the day, time and party "
                "size, before reading the booking back to the caller.",
                {"date": DATE, "time": TIME, "party_size": PARTY},
                ["date", "time", "party_size"],
                self._check_availability,
                v.slot,
            ),
            tool(
                "book_table",
                "Book a table, after the caller confirmed the read-back of all its details. If "
                "the caller already has a booking that day it would be replaced: then the first "
                "call returns a read_back to confirm, as for change_booking.",
                {
                    "name": {"type": "string", "description": "The name for the booking."},
                    "phone": PHONE,
                    "date": DATE,
                    "time": TIME,
                    "party_size": PARTY,
                    "notes": {
                        "type": "string",
                        "description": "Allergies, an occasion, seating wishes; empty if none.",
                    },
                },
                ["name", "phone", "date", "time", "party_size"],
                self._book_table,
                v.new_booking,
                side_effect=True,
                read_back=self._book_read_back,
            ),
            tool(
                "find_booking",
                "Find the caller's upcoming bookings by phone number or booking reference.",
                {"phone": PHONE, "reference": REFERENCE},
                [],
                self._find_booking,
                v.find,
            ),
            tool(
                "change_booking",
                "Change the day, time, party size or notes of a booking found with find_booking."
                + CONSENT,
                {
                    "reference": REFERENCE,
                    "date": DATE,
                    "time": TIME,
                    "party_size": PARTY,
                    "notes": {"type": "string", "description": "New notes, if they change."},
                },
                ["reference"],
                self._change_booking,
                v.change,
                side_effect=True,
                read_back=self._change_read_back,
            ),
            tool(
                "cancel_booking",
                "Cancel a booking found with find_booking." + CONSENT,
                {"reference": REFERENCE},
                ["reference"],
                self._cancel_booking,
                v.booking_reference,
                side_effect=True,
                read_back=self._cancel_read_back,
            ),
            tool(
                "send_confirmation",
                "Text the caller the details of their booking (booked, changed or cancelled). "
                "Give the reference from book_table or find_booking, or else the phone number "
                "the booking was made with.",
                {"reference": REFERENCE, "phone": PHONE},
                [],
                self._send_confirmation,
                v.confirmation,
                side_effect=True,
                backend=MESSAGES,
                after=("book_table", "change_booking", "cancel_booking"),
                fingerprint=self._confirmation_fingerprint,
            ),
            tool(
                "transfer_to_human",
                "Ask a member of staff to take over: when the caller asks for a person, when the "
                "booking system is unavailable, or for what the tools cannot do (large groups).",
                {
                    "reason": {"type": "string", "description": "Why, in a few words."},
                    "phone": PHONE,
                },
                [],
                self._transfer_to_human,
                v.handoff,
                side_effect=True,
                backend=MESSAGES,
            ),
        ]
        return {spec.name: spec for spec in specs}

    # -- the work ----------------------------------------------------------------------

    def _earliest(self, day: date) -> time | None:
        now = self.rules.now()
        return now.time() if day == now.date() else None

    def _alternatives(self, alternatives: tuple[time, ...]) -> dict[str, Any]:
        return {
            "alternatives": [at.strftime("%H:%M") for at in alternatives],
            "spoken_alternatives": [spoken_time(at) for at in alternatives],
        }

    async def _check_availability(self, args: SlotArgs, _key: str) -> Result:
        found = await self.store.check_availability(
            args.day, args.at, args.party_size, earliest=self._earliest(args.day)
        )
        result = {
            "ok": True,
            "available": found.available,
            "date": args.day.isoformat(),
            "time": args.at.strftime("%H:%M"),
            "party_size": args.party_size,
            "spoken_date": spoken_date(args.day),
            "spoken_time": spoken_time(args.at),
        }
        if not found.available:
            result.update(self._alternatives(found.alternatives))
        return result

    async def _same_day_booking(self, args: NewBookingArgs) -> BookingRecord | None:
        bookings = await self.store.find(phone=args.phone, from_day=args.day)
        return next((b for b in bookings if b.date == args.day), None)

    async def _book_read_back(self, args: NewBookingArgs) -> str | None:
        existing = await self._same_day_booking(args)
        if existing is None:
            return None
        return (
            f"You already have {describe(existing)}. Booking a table for "
            f"{_people(args.party_size)} at "
            f"{spoken_time(args.at)} will replace it. Shall I go ahead?"
        )

    async def _book_table(self, args: NewBookingArgs, key: str) -> Result:
        existing = await self._same_day_booking(args)
        try:
            booking = await self.store.book(
                name=args.name,
                phone=args.phone,
                day=args.day,
                at=args.at,
                party_size=args.party_size,
                notes=args.notes,
                idempotency_key=key,
                replaces=existing.reference if existing else None,
            )
        except NoTableFree as full:
            return {
                "ok": False,
                "error": "no_table",
                "message": "Sorry, that table has just gone.",
                **self._alternatives(full.alternatives),
            }
        result = {"ok": True, "booking": booking_result(booking, self.rules.phone_region)}
        if existing is not None and existing.reference != booking.reference:
            result["replaced"] = existing.reference
        return result

    async def _find_booking(self, args: FindArgs, _key: str) -> Result:
        bookings = await self.store.find(
            reference=args.reference, phone=args.phone, from_day=self.rules.today()
        )
        if not bookings:
            return {
                "ok": False,
                "error": "not_found",
                "message": "I could not find an upcoming booking under that "
                + ("reference." if args.reference else "number."),
            }
        region = self.rules.phone_region
        return {"ok": True, "bookings": [booking_result(b, region) for b in bookings]}

    async def _upcoming(self, reference: str) -> BookingRecord | None:
        found = await self.store.find(reference=reference)
        return found[0] if found else None

    async def _change_read_back(self, args: ChangeArgs) -> str | None:
        booking = await self._upcoming(args.reference)
        if booking is None:
            return None  # nothing will change; the run says why
        day, at = args.day or booking.date, args.at or booking.time
        people = _people(args.party_size or booking.party_size)
        notes = f", with the note: {args.notes}" if args.notes else ""
        return (
            f"I will change the booking under the name {booking.name} from "
            f"{_people(booking.party_size)} on {spoken_date(booking.date)} at "
            f"{spoken_time(booking.time)} to {people} on {spoken_date(day)} at "
            f"{spoken_time(at)}{notes}. Shall I go ahead?"
        )

    async def _change_booking(self, args: ChangeArgs, _key: str) -> Result:
        try:
            booking = await self.store.change(
                args.reference,
                day=args.day,
                at=args.at,
                party_size=args.party_size,
                notes=args.notes,
            )
        except BookingNotFound:
            return _not_found(args.reference)
        except BookingCancelled:
            return {
                "ok": False,
                "error": "cancelled",
                "message": "That booking was cancelled, so it cannot be changed.",
            }
        except NoTableFree as full:
            return {
                "ok": False,
                "error": "no_table",
                "message": "Sorry, we have no table free for those details; nothing was changed.",
                **self._alternatives(full.alternatives),
            }
        return {"ok": True, "booking": booking_result(booking, self.rules.phone_region)}

    async def _cancel_read_back(self, args: ReferenceArgs) -> str | None:
        booking = await self._upcoming(args.reference)
        if booking is None:
            return None
        return (
            f"I will cancel the booking under the name {booking.name} for "
            f"{_people(booking.party_size)} on {spoken_date(booking.date)} at "
            f"{spoken_time(booking.time)}. Shall I go ahead?"
        )

    async def _cancel_booking(self, args: ReferenceArgs, _key: str) -> Result:
        try:
            booking = await self.store.cancel(args.reference)
        except BookingNotFound:
            return _not_found(args.reference)
        return {"ok": True, "booking": booking_result(booking, self.rules.phone_region)}

    async def _booking_to_confirm(self, args: ConfirmationArgs) -> BookingRecord | None:
        if args.reference is not None:
            try:
                return await self.store.booking(args.reference)
            except BookingNotFound:
                return None
        upcoming = await self.store.find(phone=args.phone, from_day=self.rules.today())
        return upcoming[0] if upcoming else None

    async def _confirmation_fingerprint(self, args: ConfirmationArgs) -> str:
        """A changed booking is confirmed again; the same booking, once."""
        booking = await self._booking_to_confirm(args)
        return repr(booking)

    async def _send_confirmation(self, args: ConfirmationArgs, key: str) -> Result:
        booking = await self._booking_to_confirm(args)
        if booking is None:
            return {
                "ok": False,
                "error": "not_found",
                "message": "I could not find the booking to confirm.",
            }
        if booking.status == "cancelled":
            body = f"{self._restaurant}: your booking {booking.reference}, {describe(booking)}, has been cancelled."
        else:
            body = (
                f"{self._restaurant}: {describe(booking)} is confirmed. "
                f"Your reference is {booking.reference}."
            )
        await self.store.queue_message(
            channel="sms",
            recipient=booking.phone,
            body=body,
            idempotency_key=key,
            booking_reference=booking.reference,
        )
        return {
            "ok": True,
            "channel": "sms",
            "reference": booking.reference,
            "spoken_phone": spoken_phone(booking.phone, self.rules.phone_region),
        }

    async def _transfer_to_human(self, args: HandoffArgs, key: str) -> Result:
        callback = f" Call back on {args.phone}." if args.phone else ""
        await self.store.queue_message(
            channel="staff",
            recipient="front-of-house",
            body=f"A caller needs a person: {args.reason}.{callback}",
            idempotency_key=key,
        )
        return {
            "ok": True,
            "message": "I have asked a member of our staff to take over; they will be with you "
            "shortly"
            + (
                f", or call you back on {spoken_phone(args.phone, self.rules.phone_region)}."
                if args.phone
                else "."
            ),
        }


def _not_found(reference: str) -> Result:
    return {
        "ok": False,
        "error": "not_found",
        "message": f"I could not find a booking with the reference {spoken_reference(reference)}.",
    }


@cache
def shared_store(url: str, tables: tuple[int, ...], rules: SeatingRules) -> ReservationStore:
    """One store per database for the whole process; it migrates the schema when opened."""
    return ReservationStore.open(url, tables, rules)


@cache
def shared_breakers(url: str) -> Breakers:
    """One set of circuit breakers per database for the whole process, shared by all calls."""
    return Breakers()


def open_reservations_or_exit(settings: Settings) -> None:
    """Open (and migrate) the reservation store at start-up; if it cannot be, say why and exit 2."""
    try:
        booking_tools(settings)
    except StoreError as error:
        print(f"configuration error: DATABASE_URL: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def booking_tools(settings: Settings, clock: Callable[[], datetime] | None = None) -> BookingTools:
    rules = BookingRules.from_settings(settings, clock)
    store = shared_store(settings.database_url, settings.restaurant_tables, rules.seating)
    return BookingTools(store, rules, settings.restaurant_name)
