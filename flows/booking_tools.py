"""The reservation tools' handlers and read-backs, over one store, through the function-call gate.

Each handler gets arguments the tool's `Validator` method already normalised
(flows/booking_arguments.py) and runs against the reservation store; the gate
(function_calls/) adds consent, idempotency, timeouts, retries and the circuit
breaker. Business outcomes (no table, not found) are results the LLM can say.
"""

from datetime import date, time
from typing import Any

from loguru import logger
from pipecat.adapters.llm.schemas.function_schema import FunctionSchema

from flows.booking_arguments import (
    ChangeArgs,
    ConfirmationArgs,
    FindArgs,
    HandoffArgs,
    NewBookingArgs,
    ReferenceArgs,
    SlotArgs,
    Validator,
)
from flows.booking_rules import BookingRules
from flows.booking_schemas import (
    FAILED,
    HANDOFF,
    MESSAGES,
    RESERVATIONS,
    SCHEMAS,
    TIMEOUTS,
    UNAVAILABLE,
    ToolSpec,
)
from flows.caller_verification import (
    ASK_FACTS,
    NO_MATCH,
    NUMBER_ON_THE_BOOKING,
    CallerVerification,
    first_names_match,
)
from flows.speech import (
    booking_result,
    describe,
    people,
    spoken_date,
    spoken_phone,
    spoken_time,
)
from function_calls import Breakers, FunctionCallGate, GatedTool, InvalidArguments, Result
from store import (
    AlreadyBooked,
    BookingCancelled,
    BookingNotFound,
    BookingRecord,
    HandoffLog,
    NoTableFree,
    ReservationStore,
    StoreUnavailable,
)


class BookingTools:
    """The reservation tools over one store."""

    def __init__(
        self,
        store: ReservationStore,
        rules: BookingRules,
        restaurant_name: str,
        timeout_secs: float | None = None,
        caller_phone: str | None = None,
        handoffs: HandoffLog | None = None,
    ):
        """
        Args:
            store: The reservation store.
            rules: The booking rules and the clock.
            restaurant_name: Said in confirmation messages.
            timeout_secs: When given, replaces every tool's own timeout (`TIMEOUTS`).
            caller_phone: The caller's own number (E.164) when the transport gives it; a
                booking under it needs no other proof (flows/caller_verification.py).
            handoffs: Where a handoff goes when the bookings database cannot take it.
        """
        self.store = store
        self.verification = CallerVerification(caller_phone)
        self.handoffs = handoffs
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

        def tool(name, run, normalise, **gated):
            options = {
                "backend": RESERVATIONS,
                "timeout_secs": self._timeout or TIMEOUTS[name],
                "failure_message": FAILED,
                "unavailable_message": UNAVAILABLE,
                **gated,
            }
            schema = SCHEMAS[name]
            return ToolSpec(
                name,
                schema.description,
                schema.properties,
                schema.required,
                GatedTool(name=name, run=run, normalise=normalise, **options),
            )

        specs = [
            tool("check_availability", self._check_availability, v.slot),
            tool(
                "book_table",
                self._book_table,
                v.new_booking,
                side_effect=True,
                read_back=self._book_read_back,
            ),
            tool("find_booking", self._find_booking, v.find),
            tool(
                "change_booking",
                self._change_booking,
                v.change,
                side_effect=True,
                read_back=self._change_read_back,
                fingerprint=self._verified_fingerprint,
            ),
            tool(
                "cancel_booking",
                self._cancel_booking,
                v.booking_reference,
                side_effect=True,
                read_back=self._cancel_read_back,
                fingerprint=self._verified_fingerprint,
            ),
            tool(
                "send_confirmation",
                self._send_confirmation,
                v.confirmation,
                side_effect=True,
                backend=MESSAGES,
                after=("book_table", "change_booking", "cancel_booking"),
                fingerprint=self._confirmation_fingerprint,
            ),
            # Not side-effecting for the gate: its results are recorded in the bookings
            # database, and a handoff must work when that database is down. The outbox's
            # idempotency key still makes a repeat write nothing.
            tool("transfer_to_human", self._transfer_to_human, v.handoff, backend=HANDOFF),
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

    def _theirs(self, booking: BookingRecord, args: NewBookingArgs) -> bool:
        """Whether the booking under the caller's number that day is theirs: shown by the
        number and the name, or by the number, the day and the first name (a caller who asks
        for a new table when they meant to move theirs, and whose surname Whisper misspelt:
        "Nina Charles" for "Nina Schulz"), so they are offered the replacement."""
        facts = {"name": args.name, "phone": args.phone}
        if first_names_match(args.name, booking.name):
            facts["day"] = args.day
        return self.verification.check(booking, **facts)

    async def _book_read_back(self, args: NewBookingArgs) -> str | None:
        existing = await self._same_day_booking(args)
        if existing is None or not self._theirs(existing, args):
            return None  # none, or someone else's: the run refuses without saying whose
        return (
            f"You already have {describe(existing)}. Booking a table for "
            f"{people(args.party_size)} at "
            f"{spoken_time(args.at)} will replace it. Shall I go ahead?"
        )

    async def _book_table(self, args: NewBookingArgs, key: str) -> Result:
        # The booking the caller agreed to replace (the read-back named it); the store checks
        # again, in the booking's own transaction, that no other one has appeared since.
        existing = await self._same_day_booking(args)
        if existing is not None and not self._theirs(existing, args):
            return _taken_number()
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
                one_per_day=True,
            )
        except AlreadyBooked as already:
            if not self._theirs(already.booking, args):
                return _taken_number()
            return {
                "ok": False,
                "error": "already_booked",
                "message": f"You already have {describe(already.booking)}, so nothing was "
                "booked. Would you like to replace it?",
            }
        except NoTableFree as full:
            return {
                "ok": False,
                "error": "no_table",
                "message": "Sorry, that table has just gone.",
                **self._alternatives(full.alternatives),
            }
        self.verification.made(booking.reference)
        result = {"ok": True, "booking": self._result(booking)}
        if existing is not None and existing.reference != booking.reference:
            result["replaced"] = existing.reference
        return result

    async def _find_booking(self, args: FindArgs, _key: str) -> Result:
        found = await self.store.find(
            reference=args.reference, phone=args.phone, from_day=self.rules.today()
        )
        facts = {
            "name": args.name,
            "phone": args.phone,
            "reference": args.reference,
            "day": args.day,
        }
        bookings = [b for b in found if self.verification.check(b, **facts)]
        if not bookings:
            # The same words whether nothing is booked or the facts did not match.
            return {"ok": False, "error": "not_found", "message": f"{NO_MATCH} {ASK_FACTS}"}
        return {"ok": True, "bookings": [self._result(b) for b in bookings]}

    def _result(self, booking: BookingRecord) -> dict[str, Any]:
        """The booking as a tool result; its phone number only if the caller said it."""
        result = booking_result(booking, self.rules.phone_region)
        if booking.reference not in self.verification.phone_known:
            result.update(phone=None, spoken_phone=self._spoken_phone(booking))
        return result

    def _spoken_phone(self, booking: BookingRecord) -> str:
        """The booking's number as said to this caller: "the number on the booking" unless
        they said it, call from it or made the booking."""
        if booking.reference not in self.verification.phone_known:
            return NUMBER_ON_THE_BOOKING
        return spoken_phone(booking.phone, self.rules.phone_region)

    async def _upcoming(self, reference: str) -> BookingRecord | None:
        """The booking, if the caller has shown it is theirs."""
        found = await self.store.find(reference=reference)
        return found[0] if found and self.verification.allows(found[0]) else None

    async def _verified_fingerprint(self, args: ChangeArgs | ReferenceArgs) -> str:
        """A refusal before the caller showed the booking is theirs is not the answer to
        the same call made after: the gate keys a repeat by this too."""
        try:
            booking = await self.store.booking(args.reference)  # whatever its status now
        except BookingNotFound:
            return ""
        return "verified" if self.verification.allows(booking) else ""

    def _unseated(self, booking: BookingRecord, args: ChangeArgs) -> Result | None:
        """Why the booking cannot move to the day and time asked for (a time alone is checked
        on the booking's day, a day alone at its time), or None when it can."""
        if args.day is None and args.at is None:
            return None
        try:
            self._validate.seated(args.day or booking.date, args.at or booking.time)
        except InvalidArguments as invalid:
            return {
                "ok": False,
                "error": "invalid_argument",
                "argument": invalid.argument,
                "message": invalid.message,
            }
        return None

    async def _change_read_back(self, args: ChangeArgs) -> str | None:
        booking = await self._upcoming(args.reference)
        if booking is None or self._unseated(booking, args) is not None:
            return None  # nothing will change; the run says why
        day, at = args.day or booking.date, args.at or booking.time
        party = people(args.party_size or booking.party_size)
        notes = f", with the note: {args.notes}" if args.notes else ""
        return (
            f"I will change the booking under the name {booking.name} from "
            f"{people(booking.party_size)} on {spoken_date(booking.date)} at "
            f"{spoken_time(booking.time)} to {party} on {spoken_date(day)} at "
            f"{spoken_time(at)}{notes}. Shall I go ahead?"
        )

    async def _change_booking(self, args: ChangeArgs, _key: str) -> Result:
        booking = await self._upcoming(args.reference)
        if booking is None:
            return _not_found()
        if (unseated := self._unseated(booking, args)) is not None:
            return unseated
        try:
            booking = await self.store.change(
                args.reference,
                day=args.day,
                at=args.at,
                party_size=args.party_size,
                notes=args.notes,
            )
        except BookingNotFound:
            return _not_found()
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
        return {"ok": True, "booking": self._result(booking)}

    async def _cancel_read_back(self, args: ReferenceArgs) -> str | None:
        booking = await self._upcoming(args.reference)
        if booking is None:
            return None
        return (
            f"I will cancel the booking under the name {booking.name} for "
            f"{people(booking.party_size)} on {spoken_date(booking.date)} at "
            f"{spoken_time(booking.time)}. Shall I go ahead?"
        )

    async def _cancel_booking(self, args: ReferenceArgs, _key: str) -> Result:
        if await self._upcoming(args.reference) is None:
            return _not_found()
        try:
            booking = await self.store.cancel(args.reference)
        except BookingNotFound:
            return _not_found()
        return {"ok": True, "booking": self._result(booking)}

    async def _booking_to_confirm(self, args: ConfirmationArgs) -> BookingRecord | None:
        if args.reference is not None:
            try:
                booking = await self.store.booking(args.reference)
            except BookingNotFound:
                return None
            return booking if self.verification.allows(booking) else None
        upcoming = await self.store.find(phone=args.phone, from_day=self.rules.today())
        return next((b for b in upcoming if self.verification.allows(b)), None)

    async def _confirmation_fingerprint(self, args: ConfirmationArgs) -> str:
        """A changed booking is confirmed again; the same booking, once."""
        booking = await self._booking_to_confirm(args)
        return repr(booking)

    async def _send_confirmation(self, args: ConfirmationArgs, key: str) -> Result:
        booking = await self._booking_to_confirm(args)
        if booking is None:
            return _not_found()
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
            "spoken_phone": self._spoken_phone(booking),
        }

    async def _transfer_to_human(self, args: HandoffArgs, key: str) -> Result:
        callback = f" Call back on {args.phone}." if args.phone else ""
        body = f"A caller needs a person: {args.reason}.{callback}"
        try:
            await self.store.queue_message(
                channel="staff", recipient="front-of-house", body=body, idempotency_key=key
            )
        except Exception as error:
            # The bookings database is down, locked or gone: the handoff must not be.
            if self.handoffs is None:
                raise
            logger.warning(f"handoff: outbox failed ({type(error).__name__}), using its file")
            await self.handoffs.append(body=body, idempotency_key=key)
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


def _not_found() -> Result:
    """No such booking, or not one the caller has shown is theirs: the same words."""
    return {"ok": False, "error": "not_found", "message": f"{NO_MATCH} {ASK_FACTS}"}


def _taken_number() -> Result:
    """Another booking that day is under this phone, and the caller has not shown it is theirs."""
    return {
        "ok": False,
        "error": "phone_in_use",
        "message": "I can't book that under this phone number. Could you give me another "
        "number, or the name the other booking is under?",
    }
