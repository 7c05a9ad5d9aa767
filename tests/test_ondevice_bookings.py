"""The on-device brain books, changes and cancels a table with no LLM, through the gate."""

import pytest
from pipecat.tests.utils import SleepFrame

from flows.booking_tools import BookingTools
from flows.call_tools import END_CALL
from flows.ondevice_dialogue import restaurant_dialogue
from flows.restaurant import Restaurant
from function_calls import Breakers
from services.ondevice_llm import OnDeviceLLMService
from store import ReservationStore, StoreUnavailable
from tests.fakes.conversation import converse, turns, user

RESTAURANT = Restaurant(name="Chez Test", hours="from noon to ten", address="1 Test Road")


class FailingStore(ReservationStore):
    async def check_availability(self, *args, **kwargs):
        raise StoreUnavailable("database is locked")


async def talk(store, rules, *said, breakers=None, state=None, overlap=False):
    tools = BookingTools(store, rules, "Chez Test", timeout_secs=1.0)
    gate = tools.gate("call-1", breakers or Breakers(), backoff_initial_secs=0.01)
    llm = OnDeviceLLMService(dialogue=restaurant_dialogue(RESTAURANT, rules, state))
    # `overlap`: each turn 0.2 s after the one before, whether or not the bot has answered.
    frames = (
        [f for text in said for f in (user(text), SleepFrame(0.2))] if overlap else turns(*said)
    )
    return await converse(llm, [END_CALL, *tools.schemas(gate)], frames)


BOOK = (
    "Hi, I'd like to book a table for four tomorrow at half past seven.",
    "My name is Anna Smith.",
    "It's 07911 123456.",
    "Yes please.",
)


async def test_a_booking_from_free_speech_is_written_and_confirmed_by_text(store, rules):
    call = await talk(store, rules, *BOOK)
    assert call.replies == [
        "Good news, we have a table for 4 people on Thursday 3 January at 7:30 pm. "
        "What name should I put the booking under?",
        "And what phone number can we reach you on?",
        "So that's a table for 4 people, on Thursday 3 January at 7:30 pm, under the name Anna "
        "Smith, phone 07911 123456. Shall I book it?",
        f"Your table is booked. Your booking reference is {' '.join((await store.bookings())[0].reference)}. "
        "I'm sending the details by text message to 07911 123456.",
        "Is there anything else I can help with?",
    ]
    (booking,) = await store.bookings()
    assert (booking.name, booking.phone, booking.party_size, booking.status) == (
        "Anna Smith",
        "+447911123456",
        4,
        "confirmed",
    )
    assert (booking.date.isoformat(), booking.time.isoformat()) == ("2030-01-03", "19:30:00")
    (sms,) = await store.outbox()
    assert (sms.channel, sms.recipient, sms.booking_reference) == (
        "sms",
        "+447911123456",
        booking.reference,
    )


async def test_missing_details_are_asked_for_one_at_a_time(store, rules):
    call = await talk(
        store, rules, "I'd like to make a reservation.", "Next Friday", "eight", "Two of us."
    )
    assert call.replies[:3] == [
        "What day would you like to come?",
        "What time would you like the table?",
        "For how many people?",
    ]
    assert call.replies[3].startswith(
        "Good news, we have a table for 2 people on Friday 4 January at 8 pm."
    )


async def test_a_phone_number_said_with_a_pause_is_joined_across_two_turns(store, rules):
    call = await talk(
        store, rules, *BOOK[:2], "It's oh seven nine one one,", "one two three, four five six."
    )
    assert call.replies[-1].endswith("phone 07911 123456. Shall I book it?")
    assert call.replies[-2] == "Go on, I'm listening."  # never silence between the halves


@pytest.mark.parametrize("parts", [("07911.", "123456."), ("Oh seven nine one one.", "123 456.")])
async def test_the_start_of_a_number_said_alone_is_joined_to_the_rest(store, rules, parts):
    call = await talk(store, rules, *BOOK[:2], *parts)
    assert call.replies[-2] == "Go on, I'm listening."
    assert call.replies[-1].endswith("phone 07911 123456. Shall I book it?")


@pytest.mark.parametrize(
    ("asked_by", "said"),
    [
        (BOOK[:1], "Hold on one sec."),  # was 1 pm
        (BOOK[:2], "Hang on one second."),  # was "I heard 1 2"
        (BOOK[:2], "Give me a second, let me check my diary."),
    ],
)
async def test_a_caller_asking_for_a_moment_is_given_it_and_the_question_waits(
    store, rules, asked_by, said
):
    call = await talk(store, rules, *asked_by, said, *BOOK[len(asked_by) :])
    assert call.replies[len(asked_by)] == "Of course, take your time."
    (booking,) = await store.bookings()
    assert (booking.name, booking.phone, booking.party_size) == ("Anna Smith", "+447911123456", 4)


async def test_a_no_to_the_read_back_changes_nothing_and_asks_what_to_change(store, rules):
    call = await talk(store, rules, *BOOK[:3], "No, make it three people.")
    assert call.replies[-1].startswith("Good news, we have a table for 3 people")
    assert await store.bookings() == []


async def test_a_change_is_read_back_confirmed_and_written(store, rules):
    call = await talk(
        store,
        rules,
        *BOOK,
        "I need to change my booking.",  # the number and name just given: not asked again
        "Make it six people at eight.",
        "Yes, go ahead.",
    )
    assert call.replies[-4].startswith("I found your booking for 4 people on Thursday 3 January")
    assert call.replies[-3] == (
        "I will change the booking under the name Anna Smith from 4 people on Thursday 3 January "
        "at 7:30 pm to 6 people on Thursday 3 January at 8 pm. Shall I go ahead?"
    )
    assert call.replies[-2] == (
        "Done. Your booking is now for 6 people on Thursday 3 January at 8 pm. "
        "I'm sending the details by text message to 07911 123456."
    )
    (booking,) = await store.bookings()
    assert (booking.party_size, booking.time.isoformat()) == (6, "20:00:00")
    assert len(await store.outbox()) == 2


CHANGE_READ_BACK = (*BOOK, "Change my booking.", "Move it to 8 pm.")
"""A booking made, then a change to 8 pm read back: "... Shall I go ahead?"."""


async def test_other_details_instead_of_a_yes_are_read_back_again(store, rules):
    call = await talk(store, rules, *CHANGE_READ_BACK, "Make it 6 pm.")
    assert call.replies[-1].endswith("to 4 people on Thursday 3 January at 6 pm. Shall I go ahead?")
    assert (await store.bookings())[0].time.isoformat() == "19:30:00"


async def test_a_no_with_other_details_is_read_back_again_not_dropped(store, rules):
    call = await talk(store, rules, *CHANGE_READ_BACK, "No, make it six people instead.")
    assert call.replies[-1].endswith("to 6 people on Thursday 3 January at 8 pm. Shall I go ahead?")
    assert (await store.bookings())[0].party_size == 4


async def test_a_no_with_a_change_not_caught_asks_for_the_change_again(store, rules):
    call = await talk(store, rules, *CHANGE_READ_BACK, "No, make it sticky, baby, please.")
    assert call.replies[-1] == (
        "Sorry, I did not catch that. "
        "What would you like to change: the day, the time or the number of people?"
    )
    assert (await store.bookings())[0].party_size == 4


async def test_a_change_declined_with_a_bare_no_keeps_the_booking(store, rules):
    call = await talk(store, rules, *CHANGE_READ_BACK, "No.")
    assert call.replies[-1].startswith("All right, I have left your booking as it was.")
    assert (await store.bookings())[0].time.isoformat() == "19:30:00"


async def test_a_cancellation_is_read_back_confirmed_and_written(store, rules):
    call = await talk(
        store,
        rules,
        *BOOK,
        "Can I cancel my booking please?",
        "Yes.",
    )
    assert call.replies[-3].startswith("I will cancel the booking under the name Anna Smith")
    assert call.replies[-2].startswith("Your booking is cancelled.")
    assert [b.status for b in await store.bookings()] == ["cancelled"]
    assert "has been cancelled" in (await store.outbox())[-1].body


async def test_a_cancellation_the_caller_declines_keeps_the_booking(store, rules):
    call = await talk(store, rules, *BOOK, "Cancel my booking.", "No, keep it.")
    assert call.replies[-1].startswith("All right, I have left your booking as it was.")
    assert [b.status for b in await store.bookings()] == ["confirmed"]


async def test_an_answer_to_a_cancellation_that_is_neither_yes_nor_no_reads_it_back_again(
    store, rules
):
    call = await talk(store, rules, *BOOK, "Cancel my booking.", "Oh sorry, it's Smith.", "Yes.")
    assert call.replies[-4].startswith("I will cancel the booking under the name Anna Smith")
    assert call.replies[-3] == call.replies[-4]
    assert [b.status for b in await store.bookings()] == ["cancelled"]


async def test_two_answers_to_a_cancellation_that_are_neither_yes_nor_no_keep_the_booking(
    store, rules
):
    call = await talk(store, rules, *BOOK, "Cancel my booking.", "Hm.", "Hm.")
    assert call.replies[-1].startswith("All right, I have left your booking as it was.")
    assert [b.status for b in await store.bookings()] == ["confirmed"]


async def test_an_unknown_phone_number_is_asked_again(store, rules):
    call = await talk(
        store, rules, "I want to cancel my reservation.", "020 7946 0018", "Maria Lopez."
    )
    assert call.replies[-2] == "And what name is the booking under?"
    assert call.replies[-1] == (
        "I can't find a matching booking. "
        "What day is the booking for, and what phone number is it under?"
    )


async def test_a_party_too_large_is_offered_a_person(store, rules):
    call = await talk(
        store, rules, "Can I book a table for 40 people tomorrow at 7?", "Yes please."
    )
    assert "up to 8 people" in call.replies[0]
    assert "member of our staff" in call.replies[-1]
    (note,) = await store.outbox()
    assert note.channel == "staff"


async def test_a_full_slot_offers_other_times(store, rules):
    await talk(store, rules, "A table for 6 tomorrow at 7:30 pm.", "Ann", "07911 123456", "Yes.")
    call = await talk(store, rules, "A table for 6 tomorrow at 7:30 pm.")
    assert call.replies[0] == (
        "Sorry, we have no table for 6 people at 7:30 pm on Thursday 3 January. "
        "We could do 4:30 pm, 5 pm or 5:30 pm. Would one of those suit you?"
    )


async def test_a_day_with_no_table_asks_for_another_day_and_keeps_the_time(store, rules):
    # The tests' tables are for 2, 4 and 6: a party of 7 fits none, on any day.
    call = await talk(store, rules, "A table for 7 on Friday at 7 pm.", "Saturday then.")
    assert call.replies[0] == (
        "Sorry, we have no table for 7 people that day. What other day would suit you?"
    )
    assert call.replies[1] == call.replies[0]  # Saturday checked at 7 pm, not "What time?"


async def test_a_broken_booking_system_is_said_and_a_person_offered(tmp_path, rules):
    broken = FailingStore.open(f"sqlite:///{tmp_path}/b.db", (2,), rules.seating)
    call = await talk(broken, rules, "A table for two tomorrow at 8pm.")
    assert "could not get through to our booking system" in call.replies[0]
    assert "member of staff" in call.replies[0]
    broken.close()


async def test_questions_in_the_middle_of_a_booking_are_answered_and_the_booking_goes_on(
    store, rules
):
    call = await talk(
        store, rules, "Book a table for two tomorrow.", "Where are you located?", "At 8pm."
    )
    assert call.replies[1] == "You will find us at 1 Test Road. What time would you like the table?"
    assert call.replies[2].startswith(
        "Good news, we have a table for 2 people on Thursday 3 January at 8 pm"
    )


async def test_hours_asked_at_the_read_back_are_answered_and_the_read_back_waits(store, rules):
    call = await talk(store, rules, *BOOK[:3], "When do you close?", "Yes please.")
    assert call.replies[3] == "We are open from noon to ten. Shall I go ahead?"
    assert call.replies[4].startswith("Your table is booked.")


async def test_hours_asked_in_the_same_breath_as_a_booking_are_answered_first(store, rules):
    call = await talk(store, rules, "What time do you open? Can I book a table for 2 at 1?")
    assert call.replies[0] == "We are open from noon to ten. What day would you like to come?"


async def test_out_of_domain_requests_still_get_the_honest_offline_reply(store, rules):
    call = await talk(store, rules, "Can you recommend a good wine with fish?")
    assert call.replies == [
        "Sorry, while I'm offline I can only help with booking, changing or cancelling a table, "
        "our opening hours and our address. Is there anything about those I can do for you?"
    ]


async def test_the_day_the_booking_already_has_is_no_change(store, rules):
    call = await talk(
        store,
        rules,
        *BOOK,
        "I need to change my booking.",
        "It's the Thursday one.",
    )
    assert call.replies[-1] == (
        "What would you like to change: the day, the time or the number of people?"
    )


async def test_a_detail_the_tool_refuses_is_asked_for_again_in_the_same_answer(store, rules):
    call = await talk(store, rules, "Table for 0 people tomorrow at 8.")
    assert call.replies[-1] == "A booking needs at least one guest. For how many people?"


@pytest.mark.parametrize(
    ("said", "now"),
    [
        (
            "Actually can we make it 9? The name's Tom Baker.",
            "2 people on Friday 4 January at 9 pm",
        ),
        ("Sorry, make that 3. The name's Tom Baker.", "3 people on Friday 4 January at 8 pm"),
    ],
)
async def test_make_it_a_number_said_of_an_earlier_turn_changes_the_nearer_detail(
    store, rules, said, now
):
    call = await talk(store, rules, "A table for 2 on Friday at 8 please.", said)
    assert call.replies[1] == (
        f"Good news, we have a table for {now}. And what phone number can we reach you on?"
    )


async def test_another_table_in_the_same_call_keeps_the_callers_name_and_number(store, rules):
    call = await talk(store, rules, *BOOK, "Yes, another table please, Saturday at 1 for 4.")
    assert call.replies[-1] == (
        "Good news, we have a table for 4 people on Saturday 5 January at 1 pm. So that's a "
        "table for 4 people, on Saturday 5 January at 1 pm, under the name Anna Smith, phone "
        "07911 123456. Shall I book it?"
    )
