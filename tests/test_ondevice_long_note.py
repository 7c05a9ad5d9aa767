"""A note too long to keep is dropped, the caller is told, and it is never read back again.

The on-device brain is driven turn by turn through the real gate and store
(tests/fakes/offline_call.py), with no pipeline and no pauses.
"""

from dataclasses import replace

from flows.booking_arguments import MAX_NOTES_CHARS
from flows.booking_tools import BookingTools
from tests.fakes.offline_call import OfflineCall

LONG_NOTE = "One of us has a nut allergy, " + "and we would like a quiet corner please " * 14


async def test_a_note_too_long_is_dropped_with_the_caller_told_and_not_read_back(store, rules):
    assert len(LONG_NOTE) > MAX_NOTES_CHARS
    call = OfflineCall(BookingTools(store, rules, "Chez Test"))
    await call.say("I'd like to book a table for four tomorrow at half past seven.")
    await call.say("My name is Anna Smith.")
    await call.say("It's 07911 123456.")
    told = await call.say(LONG_NOTE)
    assert "too long" in told and "left it off" in told
    assert "nut allergy" not in told
    assert told.endswith("Shall I book it?")


async def test_after_a_long_note_the_booking_is_made_without_it(store, rules):
    call = OfflineCall(BookingTools(store, rules, "Chez Test"))
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
    call = OfflineCall(BookingTools(store, rules, "Chez Test"))
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
