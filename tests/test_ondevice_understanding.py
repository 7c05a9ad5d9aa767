"""The on-device brain understands callers it was not tuned on (issue 15), at the text level:
details in one breath, answers to another question, replies that are not what was asked."""

import asyncio
from datetime import date, time

import pytest

from conversation.state import ConversationState
from store import ReservationStore
from tests.test_ondevice_bookings import BOOK, talk


async def test_every_detail_said_in_one_breath_is_taken(store, rules):
    call = await talk(
        store,
        rules,
        "Hi, this is Maria Lopez. A table for four next Friday at seven thirty. "
        "My number is 07911 123456.",
    )
    assert call.replies == [
        "Good news, we have a table for 4 people on Friday 4 January at 7:30 pm. "
        "So that's a table for 4 people, on Friday 4 January at 7:30 pm, under the name Maria "
        "Lopez, phone 07911 123456. Shall I book it?"
    ]


async def test_details_given_in_answer_to_another_question_are_taken(store, rules):
    call = await talk(
        store,
        rules,
        "I'd like to make a reservation.",
        "Friday at eight for two. It's Maria Lopez, and my number is 07911 123456.",
    )
    assert call.replies[-1].endswith(
        "under the name Maria Lopez, phone 07911 123456. Shall I book it?"
    )


async def test_a_yes_to_what_name_is_not_taken_as_a_name_and_the_name_is_asked_again(store, rules):
    call = await talk(
        store,
        rules,
        "A table for two tomorrow at 8.",
        "Yes, that's right, please book it.",
    )
    assert call.replies[-1] == (
        "Sorry, I did not catch that. What name should I put the booking under?"
    )


async def test_a_time_given_for_the_name_is_not_taken_as_a_name(store, rules):
    call = await talk(store, rules, "A table for two tomorrow at 8.", "Seven thirty.")
    assert "What name should I put the booking under?" in call.replies[-1]
    assert "under the name Seven" not in call.spoken


async def test_a_time_heard_for_the_name_leaves_the_time_held(store, rules):
    # Whisper's "It's Freya Lund" in a development call (3 Dec 2026).
    call = await talk(
        store,
        rules,
        "A table for two tomorrow at 8, 07911 123456.",
        "It's three o'clock.",
        "Ann Lee.",
    )
    assert " at 8 pm, under the name Ann Lee" in call.replies[-1]


async def test_a_time_changed_in_answer_to_what_name_is_changed(store, rules):
    call = await talk(store, rules, "A table for two tomorrow at 8.", "Actually, make it 7.")
    assert call.replies[-1].startswith(
        "Good news, we have a table for 2 people on Thursday 3 January at 7 pm."
    )


async def test_a_weekday_with_a_day_of_the_month_books_that_day(store, rules):
    call = await talk(store, rules, "A table for two on Sunday 13th at 8pm.")
    assert call.replies[0].startswith(
        "Good news, we have a table for 2 people on Sunday 13 January at 8 pm."
    )


async def test_may_heard_for_my_does_not_become_a_month(store, rules):
    call = await talk(store, rules, "Can I book a table for 4 May name is Maria Lopez.")
    assert call.replies == ["What day would you like to come?"]


async def test_a_table_for_free_is_a_table_for_three(store, rules):
    call = await talk(store, rules, "A table for free tomorrow at 8pm.", "Yes.")
    assert call.replies[-1].startswith(
        "Good news, we have a table for 3 people on Thursday 3 January at 8 pm."
    )


async def test_my_wife_and_i_is_a_table_for_two(store, rules):
    call = await talk(store, rules, "My wife and I would like a table tomorrow at 8pm.")
    assert call.replies[0].startswith(
        "Good news, we have a table for 2 people on Thursday 3 January at 8 pm."
    )


BOOKED_FOR_TWO = ("A table for two tomorrow at 8pm.", "Maria Lopez")


async def test_a_phone_number_said_as_numbers_in_the_first_breath_is_taken(store, rules):
    call = await talk(
        store,
        rules,
        "Hi, this is Maria Lopez, a table for two tomorrow at 8pm, and my number is zero seven, "
        "one two three four hundred and fifty six thousand seven hundred and eighty nine.",
    )
    assert call.replies[0].endswith(
        "under the name Maria Lopez, phone 07123 456789. Shall I book it?"
    )


async def test_a_number_heard_a_digit_short_is_said_back_when_the_turn_ends(store, rules):
    # Only the start of one ("zero seven one two three.") waits for the rest (3 Dec 2026).
    said = "zero seven one two three, four five six seven eight."
    call = await talk(store, rules, *BOOKED_FOR_TWO, said)
    assert call.replies[-1] == (
        "I heard 0 7 1 2 3 4 5 6 7 8 — could you say the whole number again, digit by digit?"
    )


async def test_a_phone_number_too_long_is_said_back(store, rules):
    call = await talk(store, rules, *BOOKED_FOR_TWO, "07911 123456 789")
    assert call.replies[-1] == (
        "I heard 0 7 9 1 1 1 2 3 4 5 6 7 8 9 — could you say the whole number again, digit by digit?"
    )


async def test_the_whole_number_said_again_after_the_bot_said_back_a_part_is_taken(store, rules):
    call = await talk(store, rules, *BOOKED_FOR_TWO, "zero seven one two three.", "07911 123456")
    assert call.replies[-1].endswith("phone 07911 123456. Shall I book it?")


async def test_a_number_that_is_no_phone_number_said_early_is_said_back_when_the_phone_is_due(
    store, rules
):
    call = await talk(
        store,
        rules,
        "Hi, this is Maria Lopez. A table for four next Friday at seven thirty. "
        "My number is 07700 900123.",
    )
    assert call.replies[0].endswith(
        "I heard 0 7 7 0 0 9 0 0 1 2 3 — could you say the whole number again, digit by digit?"
    )


async def book(store, day: date, key: str):
    await store.book(
        name="Maria Lopez",
        phone="+447911123456",
        day=day,
        at=time(19, 30),
        party_size=4,
        notes="",
        idempotency_key=key,
    )


async def test_a_cancellation_said_in_one_breath_finds_the_booking_on_the_day_named(store, rules):
    await book(store, date(2030, 1, 3), "thursday")
    await book(store, date(2030, 1, 4), "friday")
    call = await talk(
        store,
        rules,
        "I need to cancel my booking for next Friday. The name is Maria Lopez and the number "
        "is 07911 123456.",
        "Yes, cancel it.",
    )
    assert call.replies[0].startswith(
        "I will cancel the booking under the name Maria Lopez for 4 people on Friday 4 January"
    )
    assert sorted((b.date.day, b.status) for b in await store.bookings()) == [
        (3, "confirmed"),
        (4, "cancelled"),
    ]


async def test_half_pass_six_is_half_past_six(store, rules):
    call = await talk(store, rules, "A table for two tomorrow at half-pass six.")
    assert call.replies[0].startswith(
        "Good news, we have a table for 2 people on Thursday 3 January at 6:30 pm."
    )


async def test_a_party_size_read_from_a_sound_alike_is_confirmed_alone(store, rules):
    call = await talk(store, rules, "A table for free tomorrow at 8pm.")
    assert call.replies == ["Was that 3 people?"]


async def test_a_time_written_without_its_colon_is_confirmed_alone(store, rules):
    call = await talk(store, rules, "A table for two tomorrow at 850.")
    assert call.replies == ["Was that 8:50 pm?"]


async def test_another_value_in_answer_to_a_confirmation_replaces_the_guess(store, rules):
    call = await talk(store, rules, "A table for free tomorrow at 8pm.", "No, four.")
    assert call.replies[-1].startswith(
        "Good news, we have a table for 4 people on Thursday 3 January at 8 pm."
    )


async def test_a_no_to_a_confirmation_asks_for_that_detail_alone(store, rules):
    call = await talk(store, rules, "A table for free tomorrow at 8pm.", "No.")
    assert call.replies[-1] == "Sorry about that. For how many people?"


async def test_a_name_the_call_state_holds_with_low_confidence_is_confirmed_alone(store, rules):
    state = ConversationState()
    state.fill("name", "Maria Lopez", 0.6, 1)
    state.fill("phone", "+447911123456", 0.9, 1)
    call = await talk(store, rules, "A table for two tomorrow at 8pm.", state=state)
    assert call.replies[-1].endswith("8 pm. Is the booking under the name Maria Lopez?")


async def test_details_said_after_a_hello_are_taken_not_answered_with_a_greeting(store, rules):
    call = await talk(
        store,
        rules,
        "I'd like to make a reservation.",
        "Hello? Yes, Friday at eight for two.",
    )
    assert call.replies[-1].startswith(
        "Good news, we have a table for 2 people on Friday 4 January at 8 pm."
    )


@pytest.mark.parametrize("said", ["Hello?", "I'm here to fail."])  # the second: Whisper's name
async def test_a_hello_mid_booking_gets_the_question_again_not_the_opening(store, rules, said):
    call = await talk(store, rules, "A table for two on Friday at 8.", said)
    assert call.replies[-1] == "Yes, I'm here. What name should I put the booking under?"


async def test_the_two_of_us_is_a_party_size_and_leaves_the_day_alone(store, rules):
    call = await talk(
        store, rules, "I'd like to book a table tomorrow at 8pm.", "Just the two of us."
    )
    assert call.replies[-1].startswith(
        "Good news, we have a table for 2 people on Thursday 3 January at 8 pm."
    )


async def test_a_name_spelled_out_after_it_is_taken_once(store, rules):
    call = await talk(
        store,
        rules,
        "A table for two tomorrow at 8pm.",
        "Smith. S M I T H.",
        "07911 123456",
    )
    assert call.replies[-1].endswith("under the name Smith, phone 07911 123456. Shall I book it?")


async def test_moving_a_booking_said_in_one_breath_is_a_change_not_a_new_booking(store, rules):
    await book(store, date(2030, 1, 4), "friday")
    call = await talk(
        store,
        rules,
        "Hi, this is Maria Lopez, I booked a table for Friday and I'd like to move it to 8pm. "
        "My number is 07911 123456.",
    )
    assert call.replies[-1].endswith("to 4 people on Friday 4 January at 8 pm. Shall I go ahead?")


async def test_a_cancellation_said_without_the_word_booking_is_a_cancellation(store, rules):
    await book(store, date(2030, 1, 4), "friday")
    call = await talk(
        store,
        rules,
        "We won't be able to make it on Friday, can you cancel it? It's under 07911 123456.",
    )
    assert call.replies[-1].startswith(
        "I will cancel the booking under the name Maria Lopez for 4 people on Friday 4 January"
    )


async def test_a_name_corrected_at_the_read_back_is_read_back_corrected(store, rules):
    call = await talk(
        store,
        rules,
        "A table for two tomorrow at 8pm.",
        "Maria Lopez",
        "07911 123456",
        "No, the name is Marie, not Maria.",
    )
    # The first name corrected alone keeps the surname (it was booked as "Marie" until 3 Dec).
    assert call.replies[-1].endswith("So that's under the name Marie Lopez. Shall I book it?")


async def test_free_alone_in_answer_to_how_many_is_confirmed_as_three(store, rules):
    call = await talk(store, rules, "A table tomorrow at 8pm, please.", "Free, please.")
    assert call.replies == ["For how many people?", "Was that 3 people?"]


async def test_cancel_it_right_after_booking_cancels_the_booking_just_made(store, rules):
    call = await talk(store, rules, *BOOK, "Actually, can you cancel it?")
    assert call.replies[-1].startswith("I will cancel the booking under the name Anna Smith")


class SlowStore(ReservationStore):
    """Availability takes longer than the caller's pause: they speak while it is checked."""

    async def check_availability(self, *args, **kwargs):
        await asyncio.sleep(0.8)  # under the tools' 1 s timeout
        return await super().check_availability(*args, **kwargs)


async def test_details_said_while_availability_is_checked_do_not_check_it_again(tmp_path, rules):
    slow = SlowStore.open(f"sqlite:///{tmp_path}/s.db", (2, 4, 6), rules.seating)
    call = await talk(
        slow,
        rules,
        "A table for two tomorrow at 8pm, it's Maria Lopez.",
        "07911 123456",
        overlap=True,
    )
    slow.close()
    checks = [
        c
        for m in call.context.get_messages()
        for c in m.get("tool_calls") or []
        if c["function"]["name"] == "check_availability"
    ]
    assert len(checks) == 1


@pytest.mark.parametrize(
    ("first", "then", "name"),
    [
        (
            "Hi, this is Nadia. A table for 2 on Friday at 8. My number is 07911 123456.",
            "Surname Karim.",
            "Nadia Karim",
        ),
        (
            "A table for 2 on Friday at 8, under Harper, 07911 123456.",
            "First name Ben.",
            "Ben Harper",
        ),
    ],
)
async def test_the_other_part_of_a_one_word_name_said_at_the_read_back_completes_it(
    store, rules, first, then, name
):
    call = await talk(store, rules, first, then)
    # The rest was read back and agreed: the name alone is said again.
    assert call.replies[-1] == f"Thank you. So that's under the name {name}. Shall I book it?"


async def test_a_number_heard_two_digits_short_is_said_back_not_waited_for(store, rules):
    call = await talk(
        store, rules, *BOOKED_FOR_TWO, "It's zero seven nine one eight nine one. Four and four."
    )
    assert call.replies[-1] == (
        "I heard 0 7 9 1 8 9 1 4 4 — could you say the whole number again, digit by digit?"
    )
