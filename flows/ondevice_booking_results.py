"""What the on-device brain does with each tool's result: the booking's next step.

The half of `OfflineBookings` (flows/ondevice_bookings.py) that reads tool results; the other
half reads caller turns. A lookup that finds nothing gets the tools' words alone
(flows/caller_verification.py): the caller is asked for the name and the phone number.
"""

from dataclasses import replace
from typing import Any

from flows.booking_progress import QUESTIONS, BookingProgress
from flows.booking_schemas import SLOT_OF_ARGUMENT
from flows.booking_slots import Slots
from flows.caller_verification import NO_MATCH
from flows.speech import people
from services.ondevice_llm import DialogueTurn, Reply, ToolResult

ANYTHING_ELSE = "Is there anything else I can help with?"
NOT_SENT = "Sorry, the text message did not go through, but your booking stands. "
LOOKUPS_BEFORE_A_PERSON = 2
"""Lookups that found nothing in one call before the bot offers a person instead of asking again."""
OFFER_A_PERSON = "Would you like me to put you through to a member of staff?"
NUMBER_TAKEN = (
    "That number already has a booking that day. What name is that booking under, or is there "
    "another number we can use?"
)
"""Said when the tools refuse a new table under a number with a booking that day (often a
change Whisper heard as a new booking, under a name it spelt otherwise): the other booking's
name shows it is the caller's, and the tools then offer to replace it."""


class BookingResults:
    """Tool results for `OfflineBookings`: it provides `progress`, `recent`, `failed_lookups`,
    `second_table`, `start`, `_next`, `_ask`, `_question` and `_day_fact`."""

    def on_tool_results(self, turn: DialogueTurn) -> Reply:
        replies = [self._after(result) for result in turn.tool_results]
        text = " ".join(r.text for r in replies if r.text)
        calls = tuple(call for r in replies for call in r.calls)
        return Reply(text, calls=calls)

    def _after(self, outcome: ToolResult) -> Reply:
        result = outcome.result if isinstance(outcome.result, dict) else {}
        if outcome.name == "check_availability":
            self.progress.checking = None
        if outcome.name == "end_call":
            return Reply("")
        if not result:
            return Reply("Sorry, that did not go through. Could you say that again?")
        if result.get("status") == "confirmation_required":
            self.progress.awaiting, self.progress.held = (
                "consent",
                (outcome.name, outcome.arguments),
            )
            return Reply(result["read_back"])
        error = result.get("error")
        if error in ("unavailable", "failed"):
            self.progress.awaiting = "human"
            return Reply(result["message"])
        if error == "invalid_argument":
            return self._fix(result)
        handle = getattr(self, f"_after_{outcome.name}", None)
        if handle is None:
            return Reply(result.get("message", ""))
        return handle(result, outcome.arguments)

    def _fix(self, result: dict[str, Any]) -> Reply:
        """The tool refused a detail: forget it and ask again, in the tool's words."""
        slot = SLOT_OF_ARGUMENT.get(result["argument"])
        desk = self.progress
        if slot is not None:
            desk.slots = replace(desk.slots, **{slot: None})
            desk.asked = slot
        if result["argument"] == "notes" and desk.task == "book":
            # A note is optional: drop the one refused and read the booking back without it.
            desk.slots = replace(desk.slots, notes=None)
            return self._next(f"{result['message']} I have left the note off. ")
        if "put you through" in result["message"]:
            desk.awaiting = "human"
        elif slot is not None and not result["message"].rstrip().endswith("?"):
            # "A booking needs at least one guest.": and the question, or the call stalls.
            return Reply(f"{result['message']} {self._question(slot)}")
        return Reply(result["message"])

    def _after_check_availability(self, result, arguments) -> Reply:
        desk = self.progress
        day, at = desk.slots.day, desk.slots.at
        if result["available"]:
            desk.checked = (day, at, desk.slots.party_size)
            return self._next(
                f"Good news, we have a table for {people(desk.slots.party_size)} on "
                f"{result['spoken_date']} at {result['spoken_time']}. "
            )
        return self._offer_alternatives(
            result, f"at {result['spoken_time']} on {result['spoken_date']}"
        )

    def _offer_alternatives(self, result: dict[str, Any], when: str) -> Reply:
        """No table: offer the nearest free times that day, else ask for another day."""
        desk = self.progress
        size = desk.slots.party_size or (desk.booking or {}).get("party_size", 1)
        times = result.get("spoken_alternatives") or []
        if times:
            desk.slots, desk.asked = replace(desk.slots, at=None), "at"
            choices = ", ".join(times[:-1]) + f" or {times[-1]}" if len(times) > 1 else times[0]
            return Reply(
                f"Sorry, we have no table for {people(size)} {when}. "
                f"We could do {choices}. Would one of those suit you?"
            )
        # The time stays: "Saturday then" is checked at the time the caller wanted.
        desk.slots, desk.asked = replace(desk.slots, day=None), "day"
        return Reply(
            f"Sorry, we have no table for {people(size)} that day. What other day would suit you?"
        )

    def _after_book_table(self, result, arguments) -> Reply:
        if not result.get("ok"):
            if result.get("error") == "no_table":
                self.progress.checked = None
                return self._offer_alternatives(result, "then")
            if result.get("error") == "phone_in_use":
                desk = self.progress
                desk.taken = (desk.slots.phone, desk.slots.name)
                desk.slots, desk.asked = replace(desk.slots, name=None), "name"
                return Reply(NUMBER_TAKEN)
            return Reply(result.get("message", ""))
        booking = result["booking"]
        self.progress, self.recent = (
            BookingProgress(task="book", booking=booking),
            booking["reference"],
        )
        return _sending(
            f"Your table is booked. Your booking reference is {booking['spoken_reference']}.",
            booking,
        )

    def _after_send_confirmation(self, result, arguments) -> Reply:
        booked = self.progress.booking or {}
        # The caller's name and number stay for what they ask next in this call (another
        # table is read back with them before it is made).
        caller = Slots(name=booked.get("name"), phone=booked.get("phone"))
        self.progress = BookingProgress(slots=caller)
        said = "" if result.get("ok") else NOT_SENT
        if self.second_table is not None and booked.get("name") and booked.get("phone"):
            # The second table asked for in the same breath, for the same caller.
            second, self.second_table = self.second_table, None
            reply = self.start("book", second)
            return Reply(f"{said}Now your second table. {reply.text}".rstrip(), reply.calls)
        return Reply(f"{said}{ANYTHING_ELSE}")

    def _after_find_booking(self, result, arguments) -> Reply:
        desk = self.progress
        if not result.get("ok") and (number := desk.number_before()) is not None:
            desk.slots = replace(desk.slots, phone=number)  # the one heard before, tried too
            return Reply("", calls=(("find_booking", self._find_arguments()),))
        if not result.get("ok"):
            self.failed_lookups += 1
            if self.failed_lookups >= LOOKUPS_BEFORE_A_PERSON:
                # Asking forever helps no one: a person can check who is calling.
                # A table asked for in the change is kept, for a booking made instead.
                self.progress = BookingProgress(awaiting="human", slots=desk.table_asked())
                return Reply(f"{NO_MATCH} {OFFER_A_PERSON}")
            if desk.slots.phone and self._day_fact() is None:
                # The name may be what was misheard (the booking's day is a fact too), or
                # the number: a number said again replaces it.
                desk.booking, desk.asked = None, "booking_day"
                return Reply(f"{NO_MATCH} {QUESTIONS['booking_day']}")
            # Nothing said about any booking: ask for both facts again, the phone first.
            desk.booking, desk.asked = None, "phone"
            desk.slots = replace(desk.slots, phone=None, name=None)
            self.recent = None
            return Reply(result["message"])
        booking = desk.booking_meant(result["bookings"])
        desk.booking, self.recent = booking, booking["reference"]
        found = (
            f"I found your booking for {people(booking['party_size'])} on "
            f"{booking['spoken_date']} at {booking['spoken_time']}, under the name {booking['name']}. "
        )
        if desk.task == "cancel":
            return Reply("", calls=(("cancel_booking", {"reference": booking["reference"]}),))
        return self._next(found)

    def _after_change_booking(self, result, arguments) -> Reply:
        if not result.get("ok"):
            if result.get("error") == "no_table":
                return self._offer_alternatives(result, "then")
            self.progress = BookingProgress()
            return Reply(f"{result['message']} {ANYTHING_ELSE}")
        booking = result["booking"]
        self.progress = BookingProgress(task="change", booking=booking)
        return _sending(
            f"Done. Your booking is now for {people(booking['party_size'])} on "
            f"{booking['spoken_date']} at {booking['spoken_time']}.",
            booking,
        )

    def _after_cancel_booking(self, result, arguments) -> Reply:
        if not result.get("ok"):
            self.progress = BookingProgress()
            return Reply(f"{result['message']} {ANYTHING_ELSE}")
        booking = result["booking"]
        self.progress, self.recent = BookingProgress(task="cancel", booking=booking), None
        return _sending("Your booking is cancelled.", booking)

    def _after_transfer_to_human(self, result, arguments) -> Reply:
        self.progress = BookingProgress()
        return Reply(result.get("message", ""))


def _sending(said: str, booking: dict[str, Any]) -> Reply:
    """What was done, and the text message under way, in one answer. Pipecat runs the LLM on a
    tool's result only once the bot has stopped speaking, so a second answer after
    `send_confirmation` starts with a pause: only the short question is left for it."""
    return Reply(
        f"{said} I'm sending the details by text message to {booking['spoken_phone']}.",
        calls=(("send_confirmation", {"reference": booking["reference"]}),),
    )
