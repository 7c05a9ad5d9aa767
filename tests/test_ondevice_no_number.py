"""A caller who cannot or will not give the phone number is told why it is needed, and a
question the offline brain cannot answer is said to be one (issue 15): neither is asked the
same question again with "Sorry, I did not catch that"."""

import pytest

from tests.test_ondevice_bookings import talk
from tests.test_ondevice_tasks_said_plainly import booked

FORGOT_THE_NUMBER = (
    "I want to cancel my booking for Friday. It's under Lena Vogel.",
    "I don't remember which number I used.",
)
REFERENCE_ASKED = (
    "What is the booking reference? It is the six-digit number in the text message we sent."
)


async def test_a_caller_who_forgot_the_number_of_a_booking_is_asked_for_its_reference(store, rules):
    await booked(store)
    call = await talk(
        store,
        rules,
        *FORGOT_THE_NUMBER,
    )
    assert call.replies[-1] == f"No problem. {REFERENCE_ASKED}"


async def test_the_reference_instead_of_the_number_finds_the_booking(store, rules):
    await booked(store)
    (booking,) = await store.bookings()
    call = await talk(
        store,
        rules,
        "I want to cancel.",
        "I don't know the number, it's under Vogel.",
        f"It's {' '.join(booking.reference)}.",
        "Yes.",
    )
    assert call.replies[2] == (
        "I will cancel the booking under the name Lena Vogel for 2 people on Friday 4 January "
        "at 7 pm. Shall I go ahead?"
    )
    (booking,) = await store.bookings()
    assert booking.status == "cancelled"


async def test_a_number_not_known_when_the_task_is_named_asks_for_the_reference(store, rules):
    call = await talk(
        store, rules, "I need to change a booking but I don't know which number I booked with."
    )
    assert call.replies[-1] == f"Of course. {REFERENCE_ASKED}"


async def test_a_caller_with_neither_number_nor_reference_is_offered_a_person(store, rules):
    await booked(store)
    call = await talk(
        store,
        rules,
        *FORGOT_THE_NUMBER,
        "No, I don't have that either.",
    )
    assert call.replies[-1] == (
        "I can only find a booking with the phone number it is under, or its reference. "
        "Would you like me to put you through to a member of staff?"
    )
    (booking,) = await store.bookings()
    assert booking.status == "confirmed"


@pytest.mark.parametrize("said", ["I'd rather not give my number.", "Why do you need my number?"])
async def test_a_caller_who_will_not_give_a_number_for_a_new_booking_is_told_why(
    store, rules, said
):
    call = await talk(
        store,
        rules,
        "Book a table for 2 on Friday at 7 please.",
        "Lena Vogel.",
        said,
        "Fine, 07911 254346.",
    )
    assert call.replies[2] == (
        "We need a phone number to send the confirmation by text message. "
        "What number can we reach you on?"
    )
    assert call.replies[3].startswith("So that's a table for 2 people, on Friday 4 January")


async def test_a_question_the_offline_brain_cannot_answer_is_said_so_and_the_booking_goes_on(
    store, rules
):
    call = await talk(store, rules, "A table for 4 on Saturday at 7:30.", "Do you have parking?")
    assert call.replies[-1] == (
        "Sorry, I can't answer that while I'm offline. What name should I put the booking under?"
    )


@pytest.mark.parametrize(
    "said", ["What times do you have?", "What's your latest sitting?", "How late can we come?"]
)
async def test_which_times_are_free_is_answered_with_the_days_seating_hours(store, rules, said):
    call = await talk(store, rules, "A table for 4 tomorrow.", said)
    assert call.replies[-1] == (
        "On Thursday 3 January we seat guests from noon until 8:30 pm. "
        "What time would you like the table?"
    )


async def test_which_times_are_free_before_the_day_says_it_depends_on_the_day(store, rules):
    call = await talk(store, rules, "A table for 4 please.", "What times do you have?")
    assert call.replies[-1] == "That depends on the day. What day would you like to come?"


@pytest.mark.parametrize("said", ["Whenever you have something free.", "As early as possible."])
async def test_a_time_left_to_the_restaurant_is_told_the_days_seating_hours(store, rules, said):
    call = await talk(store, rules, "A table for 2 tomorrow please.", said)
    assert call.replies[-1] == (
        "On Thursday 3 January we seat guests from noon until 8:30 pm. "
        "What time would you like the table?"
    )


async def test_a_booking_for_the_weekend_asks_saturday_or_sunday(store, rules):
    call = await talk(store, rules, "Could I book a table for two this weekend at 7?", "Sunday.")
    assert call.replies[0] == "Would Saturday or Sunday suit you?"
    assert call.replies[1].startswith("Good news, we have a table for 2 people on Sunday 6 January")


async def test_the_weekend_for_a_day_asks_saturday_or_sunday(store, rules):
    call = await talk(store, rules, "A table for 4 at 7pm please.", "The weekend.", "Sunday.")
    assert call.replies[1] == "Would Saturday or Sunday suit you?"
    assert call.replies[2].startswith("Good news, we have a table for 4 people on Sunday 6 January")


async def test_a_question_asked_with_a_booking_is_said_to_be_unanswerable(store, rules):
    call = await talk(store, rules, "Can I book a table for 2 at 7 tonight? Is there parking?")
    assert call.replies[0] == "Sorry, I can't answer that while I'm offline."
    assert call.replies[1].startswith("Good news, we have a table for 2 people")


async def test_a_question_about_a_notes_subject_is_noted_for_the_staff(store, rules):
    call = await talk(
        store,
        rules,
        "A table for 2 at 7 tonight? And do you have vegetarian options? Lena Vogel, 07911 254346.",
    )
    assert call.replies[0] == (
        "Sorry, I can't answer that while I'm offline, so I have noted your question for our staff."
    )
    assert call.replies[1].endswith(
        "with the note: do you have vegetarian options. Shall I book it?"
    )


@pytest.mark.parametrize(
    "said", ["Just use the number I'm calling from.", "This number.", "You've got my number."]
)
async def test_a_caller_pointing_at_the_number_they_call_from_is_told_it_cannot_be_seen(
    store, rules, said
):
    call = await talk(store, rules, "A table for 2 on Friday at 8 please. Tom Baker.", said)
    assert call.replies[-1] == (
        "Sorry, I can't see the number you're calling from. "
        "And what phone number can we reach you on?"
    )


async def test_why_the_number_is_needed_to_find_a_booking_is_answered_and_asked_again(store, rules):
    call = await talk(store, rules, "I need to cancel.", "Why do you need that?")
    assert call.replies[-1] == (
        "I can only find a booking with the phone number it is under, or its reference. "
        "What phone number is the booking under?"
    )


@pytest.mark.parametrize(
    "said", ["Do you do tables for twelve?", "Do you take bookings for big groups?"]
)
async def test_a_question_about_tables_is_the_bookings_to_answer(store, rules, said):
    call = await talk(store, rules, f"{said} We'd want Friday the 11th at 7 for 12 people.")
    assert call.replies[0].startswith("I can book tables for up to 8 people.")


async def test_a_reference_said_as_such_for_the_number_is_taken_as_the_reference(store, rules):
    await booked(store)
    reference = (await store.bookings())[0].reference
    call = await talk(store, rules, "Cancel my booking please.", f"Booking {reference}.")
    assert call.replies[-1] == "And what name is the booking under?"
