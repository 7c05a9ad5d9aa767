"""The reservation tools: every bad argument is an answer the LLM can say, and nothing is written."""

import asyncio
from datetime import datetime

import pytest

from flows.booking_rules import BookingRules
from flows.booking_tools import BookingTools
from function_calls import Breakers
from settings import Settings
from store import ReservationStore
from tests.postgres_server import BOTH_DATABASES  # the tests that write, on both databases

NOW = datetime(2030, 1, 2, 10, 0)  # a Wednesday morning
TOMORROW = "2030-01-03"
GOOD = {
    "name": "Ada Lovelace",
    "phone": "07911 123456",
    "date": TOMORROW,
    "time": "19:30",
    "party_size": 4,
}


@pytest.fixture
def tools(database_url):
    """The tools over a store on SQLite, or on PostgreSQL where a test says `BOTH_DATABASES`."""
    settings = Settings(_env_file=None, database_url=database_url)
    rules = BookingRules.from_settings(settings, clock=lambda: NOW)
    store = ReservationStore.open(settings.database_url, settings.restaurant_tables, rules.seating)
    yield BookingTools(store, rules, "Chez Test")
    store.close()


@pytest.fixture
def gate(tools):
    return tools.gate("session-1", Breakers())


async def call(gate, tool, /, **arguments):
    return await gate.call(tool, arguments)


@pytest.mark.parametrize(
    ("changes", "argument", "says"),
    [
        ({"date": "2029-12-31"}, "date", "has already passed"),
        ({"date": "2030-06-01"}, "date", "up to 90 days ahead"),
        ({"date": "the day after never"}, "date", "did not understand the date"),
        ({"time": "10:00"}, "time", "we seat guests from noon until 8:30 pm"),
        ({"time": "quarter to sometime"}, "time", "did not understand the time"),
        ({"party_size": 0}, "party_size", "at least one guest"),
        ({"party_size": 40}, "party_size", "up to 8 people"),
        ({"party_size": "lots"}, "party_size", "how many people"),
        ({"phone": "12345"}, "phone", "does not look right"),
        ({"phone": "0791 155512"}, "phone", "does not look right"),  # a digit short
        ({"phone": "call 07911 555123 or 7"}, "phone", "does not look right"),
        ({"name": "   "}, "name", "What name"),
    ],
)
async def test_each_bad_booking_argument_gets_a_clear_answer_and_books_nothing(
    tools, gate, changes, argument, says
):
    result = await call(gate, "book_table", **{**GOOD, **changes})
    assert result["ok"] is False
    assert (result["error"], result["argument"]) == ("invalid_argument", argument)
    assert says.lower() in result["message"].lower()
    assert await tools.store.bookings() == []


async def test_a_mobiles_length_in_a_range_phonenumbers_does_not_know_is_booked(gate, tools):
    result = await call(gate, "book_table", **{**GOOD, "phone": "07911 555123"})
    assert result["ok"]
    (booking,) = await tools.store.bookings()
    assert booking.phone == "+447911555123"


async def test_a_time_already_past_today_is_refused(gate):
    result = await call(gate, "check_availability", date="2030-01-02", time="09:30", party_size=2)
    assert result["argument"] == "time"
    today_late = await call(
        gate, "check_availability", date="2030-01-02", time="10:00", party_size=2
    )
    assert "seat guests" in today_late["message"]


async def test_a_missing_required_argument_is_asked_for(gate):
    result = await call(gate, "check_availability", date=TOMORROW, time="19:30")
    assert result["message"] == "For how many people?"


async def test_spoken_forms_are_normalised_like_iso_ones(gate, tools):
    spoken = await call(gate, "check_availability", date="tomorrow", time="7:30 pm", party_size="4")
    assert (spoken["date"], spoken["time"], spoken["party_size"]) == (TOMORROW, "19:30", 4)


async def test_availability_says_when_it_is_free(gate):
    result = await call(gate, "check_availability", date=TOMORROW, time="19:30", party_size=4)
    assert result["ok"] and result["available"]
    assert (result["spoken_date"], result["spoken_time"]) == ("Thursday 3 January", "7:30 pm")


@BOTH_DATABASES
async def test_a_full_slot_offers_alternatives(gate):
    await call(gate, "book_table", **{**GOOD, "party_size": 8})
    result = await call(gate, "check_availability", date=TOMORROW, time="19:30", party_size=7)
    assert result["available"] is False
    assert result["alternatives"] == ["16:30", "17:00", "17:30"]
    assert result["spoken_alternatives"][1] == "5 pm"


@BOTH_DATABASES
async def test_a_booking_is_written_with_every_detail(gate, tools):
    result = await call(gate, "book_table", **GOOD, notes="nut allergy")
    assert result["ok"]
    (booking,) = await tools.store.bookings()
    assert (booking.name, booking.phone, booking.party_size, booking.notes, booking.status) == (
        "Ada Lovelace",
        "+447911123456",
        4,
        "nut allergy",
        "confirmed",
    )
    assert result["booking"]["reference"] == booking.reference
    assert result["booking"]["spoken_phone"] == "07911 123456"


@pytest.mark.parametrize("tool", ["find_booking", "change_booking", "cancel_booking"])
async def test_a_malformed_reference_is_refused(gate, tool):
    result = await call(gate, tool, reference="12", party_size=2)
    assert (result["error"], result["argument"]) == ("invalid_argument", "reference")


@pytest.mark.parametrize("tool", ["change_booking", "cancel_booking"])
async def test_an_unknown_booking_is_reported_and_nothing_changes(gate, tools, tool):
    result = await call(gate, tool, reference="999999", party_size=2)
    assert (result["ok"], result["error"]) == (False, "not_found")
    assert result["message"].startswith("I can't find a matching booking.")
    assert await tools.store.bookings() == []


async def test_find_without_phone_or_reference_asks_for_one(gate):
    result = await call(gate, "find_booking")
    assert "phone number" in result["message"]


@BOTH_DATABASES
async def test_find_by_phone_said_differently_finds_the_booking(gate):
    made = await call(gate, "book_table", **GOOD)
    found = await call(gate, "find_booking", phone="+44 7911 123456")
    assert [b["reference"] for b in found["bookings"]] == [made["booking"]["reference"]]


async def test_a_change_with_nothing_to_change_asks_what_to_change(gate):
    made = await call(gate, "book_table", **GOOD)
    result = await call(gate, "change_booking", reference=made["booking"]["reference"])
    assert result["message"] == "What would you like to change?"


@pytest.mark.parametrize(
    ("booked", "changes"),
    [
        ({}, {"time": "03:00"}),  # a time alone, on the booking's Thursday
        ({"date": "2030-01-04", "time": "21:00"}, {"date": "2030-01-06"}),  # Sunday's last: 8:30
    ],
)
async def test_a_change_outside_the_seating_hours_is_refused_and_changes_nothing(
    gate, tools, booked, changes
):
    made = await call(gate, "book_table", **{**GOOD, **booked})
    reference = made["booking"]["reference"]
    result = await call(gate, "change_booking", reference=reference, **changes)
    assert (result["error"], result["argument"]) == ("invalid_argument", "time")
    assert "we seat guests from noon" in result["message"]
    (booking,) = await tools.store.bookings()
    assert (booking.date.isoformat(), booking.time.strftime("%H:%M")) == (
        booked.get("date", TOMORROW),
        booked.get("time", "19:30"),
    )


async def test_send_confirmation_writes_an_sms_to_the_outbox(gate, tools):
    made = await call(gate, "book_table", **GOOD)
    sent = await call(gate, "send_confirmation", reference=made["booking"]["reference"])
    assert sent["ok"]
    (message,) = await tools.store.outbox()
    assert (message.channel, message.recipient) == ("sms", "+447911123456")
    assert made["booking"]["reference"] in message.body
    assert "Thursday 3 January at 7:30 pm" in message.body


@BOTH_DATABASES
async def test_book_and_text_me_in_one_response_confirms_the_new_booking(gate, tools):
    # Both calls of one LLM response start together; the text waits for the booking.
    made, sent = await asyncio.gather(
        call(gate, "book_table", **GOOD), call(gate, "send_confirmation", phone="07911123456")
    )
    assert sent["ok"] and sent["reference"] == made["booking"]["reference"]
    (message,) = await tools.store.outbox()
    assert made["booking"]["reference"] in message.body


async def test_send_confirmation_by_phone_confirms_the_next_booking(gate, tools):
    made = await call(gate, "book_table", **GOOD)
    sent = await call(gate, "send_confirmation", phone="07911123456")
    assert sent["reference"] == made["booking"]["reference"]


@BOTH_DATABASES
async def test_a_changed_booking_is_confirmed_again_with_the_new_details(gate, tools):
    made = await call(gate, "book_table", **GOOD)
    reference = made["booking"]["reference"]
    await call(gate, "send_confirmation", reference=reference)
    await tools.store.change(reference, party_size=2)
    await call(gate, "send_confirmation", reference=reference)
    await call(gate, "send_confirmation", reference=reference)
    bodies = [m.body for m in await tools.store.outbox()]
    assert len(bodies) == 2
    assert "2 people" in bodies[1]


@BOTH_DATABASES
async def test_transfer_to_human_leaves_a_note_for_staff(gate, tools):
    result = await call(gate, "transfer_to_human", reason="group of 40", phone="07911 123456")
    assert result["ok"] and "07911 123456" in result["message"]
    (note,) = await tools.store.outbox()
    assert (note.channel, note.recipient) == ("staff", "front-of-house")
    assert "group of 40" in note.body


async def test_an_unknown_tool_is_an_answer_not_an_exception(gate):
    result = await call(gate, "order_pizza")
    assert result["error"] == "unknown_tool"


async def test_a_same_day_booking_made_after_the_read_back_is_not_replaced_nor_doubled(
    gate, tools, monkeypatch
):
    first = await call(gate, "book_table", **GOOD)
    # As if another call booked it between this call's read-back (which saw none) and its write.
    monkeypatch.setattr(tools, "_same_day_booking", lambda args: asyncio.sleep(0, None))
    result = await call(gate, "book_table", **{**GOOD, "time": "20:00"})
    assert (result["ok"], result["error"]) == (False, "already_booked")
    assert "replace it" in result["message"]
    assert [b.reference for b in await tools.store.bookings()] == [first["booking"]["reference"]]
