"""A note too long to keep is dropped, the caller is told, and it is never read back again.

The on-device brain is driven turn by turn through the real gate and store, with no
pipeline and no pauses: each caller turn, then every tool call it asks for, in order.
"""

from dataclasses import replace
from datetime import datetime

import pytest

from flows.booking_arguments import MAX_NOTES_CHARS
from flows.booking_rules import BookingRules
from flows.booking_tools import BookingTools
from flows.ondevice_bookings import OfflineBookings
from function_calls import Breakers
from services.ondevice_llm import DialogueTurn, Match, ToolResult
from settings import Settings
from store import ReservationStore

NOW = datetime(2030, 1, 2, 10, 0)  # Wednesday; "tomorrow" is Thursday 3 January
LONG_NOTE = "One of us has a nut allergy, " + "and we would like a quiet corner please " * 14
NOT_FOUND = Match(intent=None, score=0.0)


@pytest.fixture
def rules():
    return BookingRules.from_settings(Settings(_env_file=None), clock=lambda: NOW)


@pytest.fixture
def store(tmp_path, rules):
    opened = ReservationStore.open(f"sqlite:///{tmp_path}/r.db", (2, 4, 6), rules.seating)
    yield opened
    opened.close()


class Call:
    """One call with the on-device booking brain; `say` returns what the bot said back."""

    def __init__(self, store, rules):
        self.gate = BookingTools(store, rules, "Chez Test").gate("call-1", Breakers())
        self.bookings = OfflineBookings(rules)
        self.messages: list[dict] = []

    async def say(self, text: str) -> str:
        self.messages.append({"role": "user", "content": text})
        reply = self.bookings.interpret(DialogueTurn(text, None), NOT_FOUND)
        said = [reply.text] if reply and reply.text else []
        while reply is not None and reply.calls:
            results = []
            for name, arguments in reply.calls:
                result = await self.gate.call(name, arguments, messages=self.messages)
                results.append(ToolResult(name, arguments, result))
            reply = self.bookings.on_tool_results(DialogueTurn(None, None, tuple(results)))
            said += [reply.text] if reply.text else []
        return " ".join(said)


async def test_a_note_too_long_is_dropped_with_the_caller_told_and_not_read_back(store, rules):
    assert len(LONG_NOTE) > MAX_NOTES_CHARS
    call = Call(store, rules)
    await call.say("I'd like to book a table for four tomorrow at half past seven.")
    await call.say("My name is Anna Smith.")
    await call.say("It's 07911 123456.")
    told = await call.say(LONG_NOTE)
    assert "too long" in told and "left it off" in told
    assert "nut allergy" not in told
    assert told.endswith("Shall I book it?")


async def test_after_a_long_note_the_booking_is_made_without_it(store, rules):
    call = Call(store, rules)
    for said in (
        "I'd like to book a table for four tomorrow at half past seven.",
        "My name is Anna Smith.",
        "It's 07911 123456.",
        LONG_NOTE,
    ):
        await call.say(said)
    booked = await call.say("Yes please.")
    assert "Your table is booked" in booked
    (booking,) = await store.bookings()
    assert booking.notes == ""


async def test_a_note_the_tool_refuses_is_dropped_and_the_booking_read_back_without_it(
    store, rules
):
    # However a too-long note got past the brain's own check, the tool's refusal drops it.
    call = Call(store, rules)
    for said in (
        "I'd like to book a table for four tomorrow at half past seven.",
        "My name is Anna Smith.",
        "It's 07911 123456.",
    ):
        await call.say(said)
    desk = call.bookings.progress
    desk.slots = replace(desk.slots, notes="x" * (MAX_NOTES_CHARS - 10) + " allergy " * 5)
    desk.awaiting = "readback"
    told = await call.say("Yes please.")
    assert "too long" in told and "left the note off" in told
    assert "allergy" not in told and told.endswith("Shall I book it?")
    again = await call.say("Yes please.")
    assert "Your table is booked" in again
