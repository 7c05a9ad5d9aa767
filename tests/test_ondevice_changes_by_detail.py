"""A change that names its detail, or says it by how many (issue 15): "I need to change the
number of people", "we'll be two more people", "one person less", "half an hour later"; a
booking said as made ("I booked a table under Jones"); a name given in answer to another
question or next to the number. Phrasings written for these tests, typed, as Whisper would write them."""

import pytest

from flows.booking_changes import (
    changed_detail,
    party_change,
    said_instead,
    time_change,
    time_without_value,
)
from flows.booking_names import parse_name
from tests.test_ondevice_bookings import talk
from tests.test_ondevice_tasks_said_plainly import booked

READ_BACK = "I will change the booking under the name Lena Vogel from 2 people on Friday 4 January at 7 pm to {}. Shall I go ahead?"


async def test_a_change_of_the_number_of_people_asks_for_that_alone(store, rules):
    await booked(store)
    call = await talk(
        store,
        rules,
        "I need to change the number of people on my booking. Lena Vogel, 07911 254346.",
        "Five.",
    )
    assert call.replies[-2].endswith("How many people will there be now?")
    assert call.replies[-1] == READ_BACK.format("5 people on Friday 4 January at 7 pm")


async def test_a_detail_said_again_to_its_read_back_drops_the_other_detail_changed(store, rules):
    # "on the eight" in a garbled first sentence moved a development caller's booking.
    await booked(store)
    call = await talk(
        store,
        rules,
        "Lena Vogel, 07911 254346. We are 5th people now, and stand on three four hours on the eight.",
        "No. Five people. Please.",
        "No. Five people. Please.",
    )
    assert call.replies[-2] == READ_BACK.format("5 people on Tuesday 8 January at 7 pm")
    assert call.replies[-1] == READ_BACK.format("5 people on Friday 4 January at 7 pm")


async def test_a_bare_number_after_the_time_was_named_is_the_new_time(store, rules):
    await booked(store)
    call = await talk(
        store,
        rules,
        "Hi, I'd like to change the time of my booking. Lena Vogel, 07911 254346.",
        "Eight.",
    )
    assert call.replies[-2].endswith("What time would you like instead?")
    assert call.replies[-1] == READ_BACK.format("2 people on Friday 4 January at 8 pm")


async def test_a_table_the_caller_booked_is_looked_up_not_booked_again(store, rules):
    await booked(store)
    call = await talk(store, rules, "I booked a table under Lena Vogel.", "07911 254346.")
    assert call.replies[-1].startswith("I found your booking for 2 people on Friday 4 January")


async def test_cancel_name_and_number_in_three_short_sentences_is_read_back(store, rules):
    await booked(store)
    call = await talk(store, rules, "Cancel. Vogel. 07911 254346.")
    assert call.replies[-1].startswith("I will cancel the booking under the name Lena Vogel")


async def test_a_name_said_to_the_phone_question_is_kept_not_asked_again(store, rules):
    await booked(store)
    call = await talk(store, rules, "I need to change my booking.", "Lena Vogel.", "07911 254346.")
    assert call.replies[1] == "Thank you. What phone number is the booking under?"
    assert call.replies[2].startswith("I found your booking for 2 people on Friday 4 January")


@pytest.mark.parametrize(
    "said",
    ["Jones, 07911 254346.", "It's 07911 254346, Jones.", "Oh, Jones.", "07911 254346 Jones"],
)
def test_one_capitalised_word_next_to_a_number_or_alone_is_a_name(said):
    assert parse_name(said, answering=True) == "Jones"


@pytest.mark.parametrize(
    "said",
    [
        "Mobile.",
        "Brilliant!",
        "Also, 07911 254346.",
        "Seven.",
        "Sorry?",
        "Tomorrow.",
        "Later, please.",
    ],
)
def test_one_word_that_is_no_name_is_not_taken_for_one(said):
    assert parse_name(said, answering=True) is None


@pytest.mark.parametrize(
    ("said", "change"),
    [
        ("two more people", 2),
        ("we need an extra guest", 1),
        ("one person less", -1),
        ("two fewer people", -2),
        ("it's for four but two more are coming, so six please", 2),
        ("one more will be joining us", 1),
        ("one more thing", None),
        ("at eight, more or less", None),
    ],
)
def test_people_added_or_removed_are_read_as_a_number(said, change):
    assert party_change(said) == change


@pytest.mark.parametrize(
    ("said", "minutes"),
    [
        ("an hour and a half later", 90),
        ("push it back by 2 hours", 120),
        ("a quarter of an hour earlier", -15),
        ("we're running 20 minutes late", 20),
        ("we're running a bit late for our booking tonight, about 15 minutes", 15),
        ("we'll come later", None),
    ],
)
def test_a_time_later_or_earlier_is_read_as_minutes(said, minutes):
    assert time_change(said) == minutes


@pytest.mark.parametrize(
    ("said", "detail"),
    [
        ("Can we change the number of people?", "party_size"),
        ("I need a different time.", "at"),
        ("Could we move it to another day?", "day"),
        ("I want to change the time and the day.", None),
        ("Is my booking for Friday still on?", "check"),
        ("Could you tell me what time my booking is?", "check"),
    ],
)
def test_the_detail_a_change_names_is_read_only_when_it_names_one(said, detail):
    assert changed_detail(said) == detail


@pytest.mark.parametrize(
    "said", ["In the evening.", "Later, please.", "the either clock", "Make it a bit earlier."]
)
async def test_a_time_said_without_its_hour_asks_for_the_new_time(store, rules, said):
    await booked(store)
    call = await talk(store, rules, "I need to change my booking. Lena Vogel, 07911 254346.", said)
    assert call.replies[-1] == "What time would you like instead?"


@pytest.mark.parametrize(
    "said",
    [
        "I booked a table earlier today.",
        "Two people at eight.",
        "What's the latest?",
        "I am not sure.",
    ],
)
def test_a_sentence_naming_no_time_of_day_is_no_time_without_its_hour(said):
    assert not time_without_value(said)


@pytest.mark.parametrize(
    ("said", "read_back"),
    [
        ("No wait, it's 8 not 7.", "a table for 2 people, on Thursday 3 January at 8 pm"),
        ("No, not 2, 3.", "a table for 3 people, on Thursday 3 January at 7 pm"),
    ],
)
async def test_a_number_said_instead_of_another_at_the_read_back_replaces_it(
    store, rules, said, read_back
):
    call = await talk(
        store,
        rules,
        "Can I book for 2 at 7 tomorrow? My number is 07911 254346 and my name is Yusuf.",
        said,
    )
    assert read_back in call.replies[-1] and call.replies[-1].endswith("Shall I book it?")


@pytest.mark.parametrize(
    ("said", "numbers"),
    [("it's 8, not 7", (8, 7)), ("not seven, eight", (8, 7)), ("eight, please", None)],
)
def test_a_number_said_instead_of_another_is_read_as_the_new_and_the_old(said, numbers):
    assert said_instead(said) == numbers


@pytest.mark.parametrize(
    ("first", "answer"),
    [
        ("Can you check my booking? Lena Vogel, 07911 254346.", "No."),
        (
            "I need to change my booking. Lena Vogel, 07911 254346.",
            "Actually no, leave it as it is.",
        ),
        ("What time is my booking on Friday? Lena Vogel, 07911 254346.", "No, that's all, thanks."),
        (
            "Hi, I've got a table on Friday, can you tell me what time it's for? Lena Vogel, "
            "07911 254346.",
            "No, that's fine, thanks.",
        ),
    ],
)
async def test_no_change_after_all_leaves_the_booking_and_asks_what_else(
    store, rules, first, answer
):
    await booked(store)
    call = await talk(store, rules, first, answer)
    assert call.replies[-1] == (
        "All right, I have left your booking as it was. Is there anything else I can help with?"
    )
    (booking,) = await store.bookings()
    assert (booking.party_size, booking.status) == (2, "confirmed")


async def test_a_caller_who_checks_a_booking_is_asked_whether_to_change_it(store, rules):
    await booked(store)
    call = await talk(store, rules, "Can you check my booking? Lena Vogel, 07911 254346.", "Yes.")
    assert call.replies[0].endswith(
        "Would you like to change the day, the time or the number of people?"
    )
    assert call.replies[1] == (
        "What would you like to change: the day, the time or the number of people?"
    )


@pytest.mark.parametrize(
    "said",
    [
        "Vogel, REF, what time is the booking?",
        "I'm Lena Vogel, 07911 254346. Just remind me what I booked.",
    ],
)
async def test_a_booking_asked_about_is_found_and_said(store, rules, said):
    await booked(store)
    (booking,) = await store.bookings()
    call = await talk(store, rules, said.replace("REF", booking.reference))
    assert call.replies[-1] == (
        "I found your booking for 2 people on Friday 4 January at 7 pm, under the name Lena "
        "Vogel. Would you like to change the day, the time or the number of people?"
    )


async def test_a_caller_shown_their_booking_is_told_its_reference(store, rules):
    await booked(store)
    (booking,) = await store.bookings()
    call = await talk(
        store, rules, "Lena Vogel, 07911 254346, what time is my table?", "And what's my reference?"
    )
    assert call.replies[-1].startswith(f"Your booking reference is {' '.join(booking.reference)}.")


async def test_a_goodbye_after_checking_a_booking_ends_the_call_and_keeps_it(store, rules):
    await booked(store)
    call = await talk(
        store, rules, "Is my booking still on? Lena Vogel, 07911 254346.", "Great, thanks, bye."
    )
    assert call.replies[-1] == "Thank you for calling Chez Test. Goodbye!"
    assert "end_call" in [
        c["function"]["name"]
        for m in call.context.get_messages()
        for c in m.get("tool_calls") or []
    ]
    (booking,) = await store.bookings()
    assert booking.status == "confirmed"


async def test_a_bare_number_to_what_to_change_asks_whether_it_is_the_time_or_people(store, rules):
    await booked(store)
    call = await talk(
        store, rules, "I need to change my booking. Lena Vogel, 07911 254346.", "Eight."
    )
    assert call.replies[-1] == "Is that 8 pm, or 8 people?"


@pytest.mark.parametrize(
    ("answer", "read_back"),
    [
        ("8 o'clock.", "2 people on Friday 4 January at 8 pm"),
        ("People.", "8 people on Friday 4 January at 7 pm"),
    ],
)
async def test_the_answer_to_time_or_people_decides_what_the_number_changes(
    store, rules, answer, read_back
):
    await booked(store)
    call = await talk(
        store, rules, "I need to change my booking. Lena Vogel, 07911 254346.", "Eight.", answer
    )
    assert call.replies[-1] == READ_BACK.format(read_back)


async def test_a_time_that_is_more_than_its_hour_to_what_to_change_is_the_time(store, rules):
    await booked(store)
    call = await talk(
        store, rules, "I need to change my booking. Lena Vogel, 07911 254346.", "Half seven."
    )
    assert call.replies[-1] == READ_BACK.format("2 people on Friday 4 January at 7:30 pm")


async def test_a_bare_number_that_is_the_bookings_own_size_is_the_time(store, rules):
    await booked(store)
    call = await talk(
        store, rules, "I need to change my booking. Lena Vogel, 07911 254346.", "Two."
    )
    assert call.replies[-1] == READ_BACK.format("2 people on Friday 4 January at 2 pm")


async def test_next_friday_for_a_booking_on_the_coming_friday_is_the_one_after(store, rules):
    await booked(store)  # Friday 4 January; the tests' today is Wednesday 2 January
    call = await talk(
        store, rules, "I'd like to change my booking to next Friday. Lena Vogel 07911 254346."
    )
    assert call.replies[-1] == READ_BACK.format("2 people on Friday 11 January at 7 pm")


async def test_friday_for_a_booking_on_friday_is_no_change(store, rules):
    await booked(store)
    call = await talk(
        store, rules, "I'd like to change my booking on Friday. Lena Vogel 07911 254346."
    )
    assert call.replies[-1].endswith("the day, the time or the number of people?")


@pytest.mark.parametrize(
    "said",
    [
        "Hi, I made a booking for Friday and I'd like to bring it forward to Thursday.",
        "My reservation on Friday, can we do Thursday instead?",
    ],
)
async def test_the_day_said_with_the_booking_is_its_day_and_the_other_the_new_one(
    store, rules, said
):
    await booked(store)
    call = await talk(store, rules, said, "It's 07911 254346, Lena Vogel.")
    assert READ_BACK.format("2 people on Thursday 3 January at 7 pm") in call.spoken


async def test_a_name_said_after_the_number_without_a_comma_is_not_asked_again(store, rules):
    await booked(store)
    call = await talk(store, rules, "I'd like to change my booking.", "07911 254346 Lena Vogel")
    assert call.replies[-1].startswith("I found your booking for 2 people on Friday 4 January")


async def test_minutes_late_for_a_table_at_a_time_move_that_time(store, rules):
    await booked(store)
    call = await talk(
        store,
        rules,
        "Hello, I'm running about 20 minutes late for my 7pm table. Lena Vogel.",
        "07911 254346.",
    )
    assert call.replies[-1].endswith(
        "to 2 people on Friday 4 January at 7:20 pm. Shall I go ahead?"
    )


@pytest.mark.parametrize("answer", ["Change.", "Can I change something?"])
async def test_change_said_alone_to_which_task_starts_the_change(store, rules, answer):
    await booked(store)
    call = await talk(store, rules, "Lena Vogel, 07911 254346.", answer)
    assert call.replies[-1].endswith(
        "What would you like to change: the day, the time or the number of people?"
    )


@pytest.mark.parametrize(
    ("said", "change"),
    [
        (
            "move it from Friday 7pm to Saturday 8pm please.",
            "2 people on Saturday 5 January at 8 pm",
        ),
        (
            "could you change Friday 7 o'clock to Sunday 1 o'clock?",
            "2 people on Sunday 6 January at 1 pm",
        ),
        (
            "Scratch Friday, can we do Sunday lunch at 12:30 instead?",
            "2 people on Sunday 6 January at 12:30 pm",
        ),
        (
            "we're booked Friday at 7 for 2, can you make it Saturday at 8 for 3?",
            "3 people on Saturday 5 January at 8 pm",
        ),
        ("can we make it Saturday at 1 for lunch?", "2 people on Saturday 5 January at 1 pm"),
        ("Can we move to Saturday evening, 8ish?", "2 people on Saturday 5 January at 8 pm"),
        ("Can you knock it down to three people?", "3 people on Friday 4 January at 7 pm"),
        ("We're a party of three now.", "3 people on Friday 4 January at 7 pm"),
        ("could you make it a table for 6 instead of 2?", "6 people on Friday 4 January at 7 pm"),
        ("we're now four people on Friday.", "4 people on Friday 4 January at 7 pm"),
        ("change to four people.", "4 people on Friday 4 January at 7 pm"),
        ("We'll be two more people on Friday.", "4 people on Friday 4 January at 7 pm"),
        (
            "Our table on Friday is for two but two more are coming, so four please.",
            "4 people on Friday 4 January at 7 pm",
        ),
        (
            "One person can't come, so we'll be one person less on Friday.",
            "1 person on Friday 4 January at 7 pm",
        ),
        ("Could you add another person to my booking?", "3 people on Friday 4 January at 7 pm"),
        ("can we move it to the day after?", "2 people on Saturday 5 January at 7 pm"),
        ("could we do the day before?", "2 people on Thursday 3 January at 7 pm"),
        ("could we come earlier, like 6?", "2 people on Friday 4 January at 6 pm"),
        ("same time but Saturday.", "2 people on Saturday 5 January at 7 pm"),
        (
            "We're running late, can we push our table back half an hour?",
            "2 people on Friday 4 January at 7:30 pm",
        ),
        ("Could we come an hour later?", "2 people on Friday 4 January at 8 pm"),
        ("Can you bring it forward by 15 minutes?", "2 people on Friday 4 January at 6:45 pm"),
    ],
)
async def test_a_change_with_its_new_details_in_one_breath_is_read_back_with_them(
    store, rules, said, change
):
    await booked(store)
    call = await talk(store, rules, f"Lena Vogel, 07911 254346, {said}")
    assert call.replies[-1] == READ_BACK.format(change)
