"""What a caller says to the read-back of a new booking other than a plain yes or no: a yes
taken back in the same breath, a detail corrected by an amount or by a bare number, a name
corrected (issue 15). Phrasings written for these tests, typed as Whisper would write them."""

from datetime import time

import pytest

from tests.test_ondevice_bookings import talk

OPENING = "Table for two on Friday at 7, Tom Baker, 07398 774612."


async def booked_after(store, rules, *said):
    await talk(store, rules, OPENING, *said, "Yes.")
    return [(b.name, b.time, b.party_size) for b in await store.bookings()]


@pytest.mark.parametrize(
    ("said", "at", "party"),
    [
        ("Yes, but can we make it 8?", time(20, 0), 2),
        ("Perfect, although could we do half 7 instead?", time(19, 30), 2),
        ("That's right apart from the time, it should be 8.", time(20, 0), 2),
        ("Lovely, oh sorry, one more person, so three.", time(19, 0), 3),
        ("Name's correct, but it's for three people.", time(19, 0), 3),
        ("Three.", time(19, 0), 3),  # nearer the party of 2 than 7 pm
        ("Half an hour later would be better.", time(19, 30), 2),
        ("Hmm, and can it be 8 rather than 7?", time(20, 0), 2),
    ],
)
async def test_a_detail_corrected_at_the_read_back_is_booked_as_corrected(
    store, rules, said, at, party
):
    assert await booked_after(store, rules, said) == [("Tom Baker", at, party)]


async def test_a_bare_number_after_no_corrects_the_booking(store, rules):
    booked = await booked_after(store, rules, "No.", "Three.")
    assert booked == [("Tom Baker", time(19, 0), 3)]


@pytest.mark.parametrize(
    "said",
    [
        "No, the name is wrong, it should be Tom Barker, with an R.",
        "The name is spelt wrong, it's Barker, B A R K E R.",
        "Name is incorrect, should be Tom Barker.",
        "No, it's Barker, not Baker.",  # the surname alone keeps the first name
    ],
)
async def test_a_name_corrected_at_the_read_back_is_booked_as_corrected(store, rules, said):
    assert await booked_after(store, rules, said) == [("Tom Barker", time(19, 0), 2)]


async def test_the_name_said_to_be_right_is_kept_while_the_day_changes(store, rules):
    await talk(store, rules, OPENING, "The name is right but it should be Saturday.", "Yes.")
    (booking,) = await store.bookings()
    assert (booking.name, booking.date.isoformat()) == ("Tom Baker", "2030-01-05")


@pytest.mark.parametrize(
    ("said", "note"),
    [
        ("Yes please, and can you put a note that it's my wife's birthday?", "birthday"),
        ("Yes that's everything, the one thing is my daughter is coeliac.", "coeliac"),
    ],
)
async def test_a_note_said_with_the_yes_is_read_back_and_booked_with_it(store, rules, said, note):
    call = await talk(store, rules, OPENING, said, "Yes.")
    assert note in call.replies[1] and call.replies[1].endswith("Shall I book it?")
    (booking,) = await store.bookings()
    assert note in booking.notes


@pytest.mark.parametrize("said", ["Is there a dress code?", "Can we bring our own wine?"])
async def test_a_question_at_the_read_back_is_said_unanswerable_and_the_read_back_waits(
    store, rules, said
):
    call = await talk(store, rules, OPENING, said, "Yes.")
    assert call.replies[1] == "Sorry, I can't answer that while I'm offline. Shall I go ahead?"
    assert len(await store.bookings()) == 1


async def test_a_question_with_more_said_after_it_is_not_also_said_not_caught(store, rules):
    call = await talk(
        store, rules, "Table for two on Friday at 7, Tom Baker.", "Do you have parking? Thanks."
    )
    assert call.replies[-1] == (
        "Sorry, I can't answer that while I'm offline. And what phone number can we reach you on?"
    )


@pytest.mark.parametrize(
    ("said", "question"),
    [
        (("No, the name's wrong.",), "Sorry about that. What name should I put the booking under?"),
        (("No.", "The name."), "Sorry about that. What name should I put the booking under?"),
        # Whisper's "No, the name is Freya Lund" (3 Dec 2026): no time, the name asked again.
        (
            ("No The name is three o'clock.",),
            "Sorry about that. What name should I put the booking under?",
        ),
        (("No, wrong number of people.",), "Sorry about that. For how many people?"),
        (
            ("No, the number is wrong.",),
            "Sorry about that. And what phone number can we reach you on?",
        ),
    ],
)
async def test_a_detail_said_to_be_wrong_with_no_new_value_is_asked_for_again(
    store, rules, said, question
):
    call = await talk(store, rules, OPENING, *said)
    assert call.replies[-1] == question


async def test_a_name_asked_for_again_is_booked(store, rules):
    assert await booked_after(store, rules, "No, the name's wrong.", "Tom Barker.") == [
        ("Tom Barker", time(19), 2)
    ]
