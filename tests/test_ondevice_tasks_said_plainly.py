"""A change or a cancellation said without the word (issue 15): "we won't be coming",
"I've got a table booked for Friday, could we come at eight?". Phrasings written for these
tests, typed, as Whisper would write them."""

from datetime import date, time

import pytest

from flows.task_words import TASK_WORDS, task_named
from tests.test_ondevice_bookings import talk

FRIDAY = date(2030, 1, 4)  # the tests' clock is Wednesday 2 January 2030
PHONE = "+447911254346"


async def booked(store, at: time = time(19, 0), party: int = 2):
    await store.book(
        name="Lena Vogel",
        phone=PHONE,
        day=FRIDAY,
        at=at,
        party_size=party,
        notes="",
        idempotency_key="booked-before-the-call",
    )


def task_of(text: str) -> str | None:
    return next((task for task, words in TASK_WORDS if words.search(text)), None)


@pytest.mark.parametrize(
    "said",
    [
        "I have to call off my table for Friday.",
        "Something's come up and we won't be coming on Friday.",
        "We can't make it on Friday any more.",
        "I won't need my table on Friday after all.",
        "Could you take my booking off, please?",
        "I'm ringing to let you know we won't make it Friday.",
        "Please scrap my reservation.",
        "Drop the booking for Lena Vogel.",
        "I'll have to call it off, I'm afraid.",
        "Can you get rid of my booking on Friday?",
        "We're not coming on Friday after all.",
        "Hi, it's I can't solve my table on Sunday please.",
    ],
)
def test_a_cancellation_without_the_word_is_a_cancellation(said):
    assert task_of(said) == "cancel"


def test_one_of_the_party_who_cannot_come_is_no_cancellation():
    assert task_of("Two. Actually, three. No, two, sorry, he can't come.") != "cancel"


async def test_a_table_on_a_day_starts_a_booking(store, rules):
    call = await talk(store, rules, "Table on Friday please.")
    assert call.replies == ["What time would you like the table?"]


@pytest.mark.parametrize(
    "said", ["I'd like to make a cancellation.", "I want my Friday reservation cancelled."]
)
def test_the_words_cancellation_and_cancelled_are_a_cancellation(said):
    assert task_of(said) == "cancel"


def test_a_table_loved_on_a_day_for_a_party_is_no_change():
    # Whisper's "I'd love my table" for "I'd love a table" (a development caller).
    assert task_of("I'd love my table on Friday for three people at eight thirty.") is None


@pytest.mark.parametrize(
    "said", ["I'd like my booking moved to eight.", "I'd like my table on Friday changed to four."]
)
def test_a_booking_moved_or_changed_to_is_a_change(said):
    assert task_of(said) == "change"


async def test_a_table_asked_for_as_a_change_no_booking_has_is_booked_with_its_details(
    store, rules
):
    call = await talk(
        store,
        rules,
        "About my table on Friday for three people at eight thirty. My number is 07911 179937.",
        "It's zero seven nine one one one seven nine nine three seven.",
        "I'd like to make a booking, please.",
    )
    assert call.replies[-1].startswith(
        "Good news, we have a table for 3 people on Friday 4 January at 8:30 pm."
    )


def test_a_question_about_the_cancellation_policy_is_no_cancellation():
    assert task_of("What's your cancellation policy?") is None


@pytest.mark.parametrize(
    "said",
    [
        "We can't make it at seven, could we move it to eight?",
        "I'd like to switch my booking from Thursday to Friday.",
        "I've got a table booked for Friday, could we come at eight?",
        "I'm calling about my reservation, there will be five of us now.",
        "Could you put the table back to half past eight?",
        "We'll be six rather than four.",
        "I'm calling about the booking for Jones on Friday. Can we make it 6 people and 8 pm?",
        "I booked a table under Jones, could you tell me what time it's for?",
        "We're running late, can we push our table back half an hour?",
        "Hi. Lena Vogel. I need to move Friday's table to Saturday, same time.",
        "Hi, Lena Vogel, 07911 254346, there'll be four of us now.",
        "Change ref 123456 to five people please.",
        "I'd like to amend my reservation, make it 8pm.",
        "Hello, it's Lena Vogel. We'd like to bring three more friends on Friday.",
        "We've got two more joining us on Friday, can you fit them in?",
        "Hi, it's Lena Vogel, I booked for Friday at seven but can you make it quarter to eight?",
        "We'll be a bit late on Friday, could we come at half eight?",
        "Hi, I rang earlier and booked for Friday, I'm Lena Vogel. We'll be 3 not 2.",
        "Could you bring my Friday booking forward to 6?",
        "I'm calling about my 7pm table on Friday.",
        "Can you push our Friday reservation back an hour?",
        "Hello, one of our party dropped out, we're just one now for Friday.",
        "One of us can't come on Friday, so we'll be one.",  # no cancellation of the table
    ],
)
def test_a_change_without_the_word_is_a_change(said):
    assert task_of(said) == "change"


@pytest.mark.parametrize(
    "said",
    [
        "Could I have a table for two on Friday?",
        "Do you have a table for four tomorrow?",
        "I'd like to make my booking for Friday, four people.",
        "A table for two on Friday at 8, and put it under Smith, please.",
        "I'd like to make the booking for Smith on Friday.",
        "Can I have a table for two on Friday at 8?",
        "We have a table for six in mind, on Saturday.",
        "I'd like to make my first booking with you, a table for 2 on Friday at 8.",
        "Sorry, my phone dropped out. A table for 2 on Friday at 8?",
        "I'd like to place my dinner reservation for Friday, for 2 at 8.",
    ],
)
def test_asking_for_a_table_is_no_task_on_a_booking(said):
    assert task_of(said) is None


async def test_people_removed_said_alone_with_the_details_is_read_back(store, rules):
    await booked(store)
    call = await talk(store, rules, "Lena Vogel, 07911 254346, one less please. Change it.")
    assert "to 1 person on Friday 4 January at 7 pm" in call.replies[-1]


async def test_a_name_and_number_said_before_the_task_find_the_booking(store, rules):
    await booked(store)
    call = await talk(store, rules, "Lena Vogel, 07911 254346.", "Cancel it.")
    assert call.replies[-1].startswith("I will cancel the booking under the name Lena Vogel")


async def test_a_reference_after_ref_and_a_name_find_the_booking(store, rules):
    await booked(store)
    (booking,) = await store.bookings()
    call = await talk(store, rules, f"ref {booking.reference}, Lena Vogel, move it to 8pm")
    assert "to 2 people on Friday 4 January at 8 pm" in call.replies[-1]


async def test_a_cancellation_said_plainly_with_the_details_is_read_back(store, rules):
    await booked(store)
    call = await talk(
        store,
        rules,
        "Hi, Lena Vogel here. Something's come up and we won't be coming on Friday. "
        "My number is 07911 254346.",
    )
    assert call.replies[-1].startswith("I will cancel the booking under the name Lena Vogel")


async def test_a_later_time_for_a_table_booked_is_a_change_not_a_new_booking(store, rules):
    await booked(store)
    call = await talk(
        store,
        rules,
        "Hi, it's Lena Vogel, 07911 254346, I've got a table booked for Friday but could "
        "we come an hour later, at eight?",
    )
    assert (
        "from 2 people on Friday 4 January at 7 pm to 2 people on Friday 4 January at 8 pm"
        in (call.replies[-1])
    )


async def test_a_time_the_restaurant_does_not_seat_asks_for_another(store, rules):
    call = await talk(store, rules, "A table for two tomorrow at eleven at night, please.")
    assert call.replies[-1].endswith("What time would suit you?")


async def test_change_that_after_a_booking_changes_the_booking_just_made(store, rules):
    call = await talk(
        store,
        rules,
        "A table for two on Friday at 7pm, my name is Lena Vogel, my number is 07911 254346.",
        "Yes.",
        "Actually I need to change that to 8pm.",
    )
    assert (
        "from 2 people on Friday 4 January at 7 pm to 2 people on Friday 4 January at 8 pm"
        in (call.replies[-1])
    )


async def test_a_no_with_the_change_already_read_back_asks_what_to_change(store, rules):
    await booked(store)
    call = await talk(
        store,
        rules,
        "Hi, Lena Vogel, 07911 254346, I want to move my reservation from Friday to Saturday "
        "at noon.",
        "No. Saturday, please.",
    )
    assert "to 2 people on Saturday 5 January at noon" in call.replies[-2]
    assert call.replies[-1] == (
        "What would you like to change: the day, the time or the number of people?"
    )


async def test_a_no_with_the_details_already_read_back_asks_what_to_change(store, rules):
    call = await talk(
        store,
        rules,
        "A table for two on Friday at 7pm, my name is Lena Vogel, my number is 07911 254346.",
        "No, it's for Friday.",
    )
    assert call.replies[-1] == "No problem. What would you like to change?"


async def test_same_time_keeps_the_booking_time_whatever_else_was_heard_as_one(store, rules):
    await booked(store)
    call = await talk(
        store,
        rules,
        "Don't have to noon. Lena Vogel, 07911 254346. I want to move my reservation from "
        "Friday to Saturday, same time.",
    )
    assert "to 2 people on Saturday 5 January at 7 pm" in call.replies[-1]


async def test_a_cancellation_taken_back_for_a_change_changes_and_never_cancels(store, rules):
    await booked(store)
    call = await talk(
        store,
        rules,
        "I'd like to cancel, the name's Lena Vogel.",
        "Oh actually, don't cancel it, just change it to Saturday.",
        "07911 254346",
    )
    assert "to 2 people on Saturday 5 January at 7 pm" in call.replies[-1]
    assert not any("cancel the booking" in reply for reply in call.replies)


async def test_dont_cancel_at_the_read_back_keeps_the_booking(store, rules):
    await booked(store)
    call = await talk(
        store,
        rules,
        "I'd like to cancel my booking. Lena Vogel, 07911 254346.",
        "No, don't cancel it.",
    )
    assert call.replies[-1].startswith("All right, I won't cancel it.")
    (booking,) = await store.bookings()
    assert booking.status == "confirmed"


def test_i_dont_want_to_cancel_is_no_cancellation():
    from flows.task_words import task_named

    said = "I don't want to cancel, I want to move my booking to 8 pm."
    assert task_named(said, "cancel", None) == "change"


async def test_a_note_said_instead_of_yes_to_replacing_a_booking_is_read_back_with_it(store, rules):
    await booked(store)
    call = await talk(
        store,
        rules,
        "Table for 2 on Friday at 7, Lena Vogel, 07911 254346.",
        "Yes.",
        "Can you also add a note that it's her birthday?",
    )
    assert call.replies[-2].startswith("You already have a table for 2 people")
    assert call.replies[-1].endswith("with the note: it's her birthday. Shall I book it?")


@pytest.mark.parametrize("said", ["Reservation please.", "Hi, table please."])
async def test_reservation_please_starts_a_booking(store, rules, said):
    call = await talk(store, rules, said)
    assert call.replies[-1] == "What day would you like to come?"


@pytest.mark.parametrize(
    "said", ["Hi, what times have you got free tomorrow?", "Any tables on Friday night?"]
)
async def test_asking_what_is_free_on_a_day_starts_a_booking_for_that_day(store, rules, said):
    call = await talk(store, rules, said)
    assert call.replies[-1] == "What time would you like the table?"


async def test_something_free_with_no_day_or_time_is_no_booking(store, rules):
    call = await talk(store, rules, "Is the car park free?")
    assert call.replies[-1].startswith("Sorry, while I'm offline I can only help with booking")


async def test_a_day_said_before_the_task_is_kept_for_the_booking(store, rules):
    call = await talk(
        store, rules, "Hello, I was thinking about Friday.", "I'd like to book a table for four."
    )
    assert call.replies[-1] == "What time would you like the table?"


async def test_the_task_said_again_mid_booking_gets_the_question_not_a_sorry(store, rules):
    call = await talk(store, rules, "Hi, it's for tomorrow at 8.", "I want to book.")
    assert call.replies[-1] == "Of course. For how many people?"


async def test_a_cancellation_taken_back_in_the_same_breath_for_a_change_is_a_change(store, rules):
    await booked(store)
    call = await talk(
        store,
        rules,
        "Hi, I need to cancel. Lena Vogel. Actually no wait, I want to change it to 8 instead.",
        "07911 254346",
    )
    assert call.replies[-1] == (
        "I will change the booking under the name Lena Vogel from 2 people on Friday 4 January "
        "at 7 pm to 2 people on Friday 4 January at 8 pm. Shall I go ahead?"
    )


async def test_a_change_asked_for_instead_of_yes_to_a_cancellation_is_made(store, rules):
    await booked(store)
    call = await talk(
        store,
        rules,
        "I'd like to cancel my booking for Friday. Lena Vogel, 07911 254346.",
        "Actually, can we move it to Saturday instead?",
        "Yes.",
    )
    (booking,) = await store.bookings()
    assert (booking.status, booking.date) == ("confirmed", date(2030, 1, 5))
    assert call.replies[1].startswith("I found your booking")


async def test_a_name_said_just_before_the_number_is_taken(store, rules):
    await booked(store)
    call = await talk(store, rules, "I want to cancel my booking. Lena Vogel 07911 254346.")
    assert call.replies[-1].startswith("I will cancel the booking under the name Lena Vogel")


@pytest.mark.parametrize(
    ("said", "task"),
    [
        ("I want to change my booking, sorry, cancel it.", "cancel"),
        ("I'd like to cancel, sorry, I mean book a table for two.", "book"),
        ("I'd like to change my booking, sorry to bother you.", "change"),
        ("I want to book a table for two on Friday. Actually, can we do Saturday instead?", "book"),
        ("Can I reserve a table for 4 on Friday, or Saturday instead?", "book"),
        ("I booked a table for Friday, can we do Saturday instead?", "change"),
        ("I want to book, I mean move my booking to Saturday instead.", "change"),
        # Whisper's "my booking" as "my book in": a booking the caller has, changed.
        ("Can I miss care to my book in for Saturday, make it five people instead?", "change"),
        ("I'm calling about my book in on Thursday. Can we make it for six people now?", "change"),
        # Whisper's "I booked for Friday", and "we won't make our table" (3 Dec 2026).
        ("Hi, I looked for Friday underneath a shelf. Could we come earlier at six?", "change"),
        ("We won't make our table on Saturday. Please, can't sleep.", "cancel"),
        ("I looked for a table online and found you.", "book"),
        ("We can't come on Friday anymore, can we do next Saturday?", "change"),
        ("We can't make it on Friday, how about Saturday?", "change"),
        ("We can't make it on Friday, sorry.", "cancel"),
        ("Please cancel Friday, we can't come, can you do that?", "cancel"),
    ],
)
def test_the_task_named_after_a_correction_is_the_one_meant(said, task):
    assert task_named(said, None, None) == task


async def test_a_detail_corrected_mid_booking_with_actually_stays_in_the_booking(store, rules):
    call = await talk(
        store, rules, "A table for 2 tomorrow at 8.", "Actually, can we do Friday instead?"
    )
    assert call.replies[-1].startswith(
        "Good news, we have a table for 2 people on Friday 4 January at 8 pm."
    )


async def test_the_bookings_own_day_said_at_a_cancellations_read_back_reads_it_back_again(
    store, rules
):
    await booked(store)
    call = await talk(
        store,
        rules,
        "Could I cancel tomorrow's booking? The name is Lena Vogel.",
        "07911 254346.",
        "Oh sorry, it's Friday, not tomorrow.",
        "Yes.",
    )
    assert call.replies[2] == call.replies[1]  # the Friday booking read back again
    (booking,) = await store.bookings()
    assert booking.status == "cancelled"


async def test_cancel_said_to_what_to_change_cancels_the_booking_found(store, rules):
    await booked(store)
    call = await talk(
        store,
        rules,
        "I need to change my booking. Lena Vogel, 07911 254346.",
        "Actually I want to cancel it.",
        "Yes.",
    )
    assert call.replies[1] == (
        "I will cancel the booking under the name Lena Vogel for 2 people on Friday 4 January "
        "at 7 pm. Shall I go ahead?"
    )
    (booking,) = await store.bookings()
    assert booking.status == "cancelled"


@pytest.mark.parametrize(
    "said", ["I'm after a The reservation. The two of us.", "The reservation. The two of us."]
)
async def test_a_request_like_a_cancellation_but_for_its_verb_starts_a_booking(store, rules, said):
    call = await talk(store, rules, said)
    assert call.replies == ["What day would you like to come?"]


@pytest.mark.parametrize(
    "said", ["I'd like to cancelled my reservation.", "I'd like to change my walking."]
)
async def test_a_misheard_change_or_cancellation_with_its_verb_is_still_one(store, rules, said):
    call = await talk(store, rules, said)
    assert call.replies[-1].endswith("What phone number is the booking under?")


async def test_a_detail_corrected_in_the_same_breath_as_a_booking_books_the_new_table(store, rules):
    call = await talk(
        store,
        rules,
        "I want to book a table for two at 7 on Friday. Actually, can we do Saturday instead?",
    )
    assert call.replies[0].startswith(
        "Good news, we have a table for 2 people on Saturday 5 January at 7 pm."
    )


@pytest.mark.parametrize(
    ("said", "change"),
    [
        (  # a day they can't come, and another asked for: no cancellation
            "Hello, calling about my reservation, Vogel, 07911254346, we can't come on Friday "
            "anymore, can we do next Saturday?",
            "from 2 people on Friday 4 January at 7 pm to 2 people on Saturday 5 January at 7 pm",
        ),
        (  # two details in one breath
            "Hi, I've got a table booked this Friday at 7 for two, under 07911 254346. "
            "Could we make it for 4 and come at 8 instead?",
            "from 2 people on Friday 4 January at 7 pm to 4 people on Friday 4 January at 8 pm",
        ),
        (  # a cancellation talked out of, and the day instead of the booked one
            "My husband said we should just cancel everything but I'd rather not, it's Lena "
            "Vogel, 07911 254346, and could we do Saturday instead of Friday, like eight?",
            "to 2 people on Saturday 5 January at 8 pm. Shall I go ahead?",
        ),
    ],
)
async def test_a_change_said_in_one_breath_is_read_back_whole(store, rules, said, change):
    await booked(store)
    call = await talk(store, rules, said)
    assert change in call.replies[-1]


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("where are you exactly?", "You will find us at 1 Test Road."),
        ("is it ok to cancel this late, is there a fee?", "Sorry, I can't answer that"),
    ],
)
async def test_a_question_at_a_cancellations_read_back_is_answered_and_cancels_nothing(
    store, rules, question, answer
):
    await booked(store)
    call = await talk(store, rules, "Lena Vogel, 07911 254346, I'd like to cancel.", question)
    assert call.replies[-2].startswith(answer)
    assert call.replies[-1].startswith("I will cancel the booking under the name Lena Vogel")
    assert [b.status for b in await store.bookings()] == ["confirmed"]


@pytest.mark.parametrize(
    "said",
    [
        "Hi, we might be a bit late but can you do four of us Friday half past seven?",
        "Can I book for 4 on Friday at 7:30? We'll probably be 10 minutes late.",
    ],
)
def test_maybe_being_late_for_a_table_being_booked_is_no_change(said):
    assert task_named(said, None, None) in (None, "book")  # the details then start a booking


async def test_a_reference_and_the_bookings_day_find_it_without_the_name(store, rules):
    await booked(store)
    (booking,) = await store.bookings()
    call = await talk(store, rules, f"Cancel my booking. Reference {booking.reference}.", "Friday")
    assert call.replies[-1].startswith("I will cancel the booking under the name Lena Vogel")


async def test_a_day_said_to_what_phone_number_is_no_digit_of_one(store, rules):
    call = await talk(store, rules, "I want to change a booking.", "It's the one on Friday.")
    assert call.replies[-1].endswith("What phone number is the booking under?")
    assert "I heard" not in call.replies[-1]


async def test_a_goodbye_at_a_cancellations_read_back_asks_whether_to_end_the_call(store, rules):
    await booked(store)
    call = await talk(store, rules, "Lena Vogel, 07911 254346, I'd like to cancel.", "Cheers, bye.")
    assert call.replies[-1] == "Your booking is not cancelled yet. Would you like to end the call?"
    assert [b.status for b in await store.bookings()] == ["confirmed"]


@pytest.mark.parametrize("said", ["OK, bye then.", "Never mind, bye."])
async def test_a_goodbye_to_what_to_change_ends_the_call_and_keeps_the_booking(store, rules, said):
    await booked(store)
    call = await talk(
        store, rules, "Lena Vogel, 07911 254346, I'd like to change my booking.", said
    )
    assert call.replies[-1] == "Thank you for calling Chez Test. Goodbye!"
    assert [(b.status, b.time.hour) for b in await store.bookings()] == [("confirmed", 19)]


async def test_a_change_and_a_new_table_in_one_breath_are_both_made(store, rules):
    await booked(store)
    await talk(
        store,
        rules,
        "Lena Vogel, 07911 254346. Please change Friday's booking to four people, and then "
        "book another table for Saturday at 7 for two.",
        "Yes.",
        "Yes.",
    )
    booked_now = sorted((b.date.day, b.time.hour, b.party_size) for b in await store.bookings())
    assert booked_now == [(4, 19, 4), (5, 19, 2)]  # it was one booking moved to Saturday for 4


async def test_a_booking_not_found_under_a_number_heard_again_is_looked_for_under_the_first(
    store, rules
):
    # The right number heard whole, then replaced by one a digit wrong said with the day.
    await booked(store)
    call = await talk(
        store,
        rules,
        "I need to cancel my booking. My phone number is zero seven nine one one two five four "
        "three four six.",
        "The child, we're glad.",
        "The name is I don't know who it is.",
        "It's on Friday, and the number is zero seven nine one one two five four three four seven.",
    )
    assert call.replies[-1] == (
        "I will cancel the booking under the name Lena Vogel for 2 people on Friday 4 January "
        "at 7 pm. Shall I go ahead?"
    )
