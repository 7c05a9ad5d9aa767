"""The simulated caller of bench.task_success reads the bot's read-backs as a caller would
(a measuring instrument: a caller who refuses a right proposal fails a call the bot did)."""

from collections import Counter

from bench.task_success import answer
from bench.task_success_script import DIGITS
from bench.task_success_tuning import CALLS

CHANGE_PARTY = next(c for c in CALLS if c.task == "change" and c.change_words.startswith("Five"))
REPLACEMENT = (
    "You already have a table for 3 people on Saturday 5 December at 7:30 pm, under the name "
    "Lucas Moreau. Booking a table for {party} people at 7:30 pm will replace it. Shall I go ahead?"
)


def test_a_replacement_that_makes_the_wanted_change_is_accepted(rules):
    reply = REPLACEMENT.format(party=CHANGE_PARTY.party)
    assert answer(reply, CHANGE_PARTY, rules.today(), rules, Counter()) == "Yes, please."


def test_a_replacement_with_other_details_is_refused(rules):
    reply = REPLACEMENT.format(party=CHANGE_PARTY.party + 1)
    said = answer(reply, CHANGE_PARTY, rules.today(), rules, Counter())
    assert said == f"No. {CHANGE_PARTY.change_words}"


def test_the_first_five_digits_are_said_when_asked_for(rules):
    call = CALLS[0]
    reply = (
        "I heard 0 7 9 1 1 7 4 3 2 5. Let's take it in two parts. What are the first five digits?"
    )
    said = answer(reply, call, rules.today(), rules, Counter())
    assert said.startswith("zero seven nine one one.")


def test_the_rest_of_the_number_is_said_when_asked_for(rules):
    call = CALLS[0]
    rest = call.phone_e164.replace("+44", "0")[5:]
    said = answer("Thank you. And the rest of the number?", call, rules.today(), rules, Counter())
    assert [int(d) for d in rest] == [DIGITS.index(w) for w in said.rstrip(".").split()]


def test_the_day_of_the_booking_is_said_with_the_number(rules):
    call = CHANGE_PARTY
    reply = "I can't find a matching booking. What day is the booking for, and what phone number is it under?"
    said = answer(reply, call, rules.today(), rules, Counter())
    assert said.startswith(f"It's on {call.booked[0].capitalize()}, and the number is zero seven")


def test_what_to_change_asked_again_is_answered_another_way(rules):
    asked = Counter()
    question = "What would you like to change: the day, the time or the number of people?"
    first = answer(question, CHANGE_PARTY, rules.today(), rules, asked)
    second = answer(question, CHANGE_PARTY, rules.today(), rules, asked)
    assert first == CHANGE_PARTY.change_words
    assert second != first and "5" in second


BOOKER = next(c for c in CALLS if c.task == "book")
READ_BACK = (
    "So that's a table for {party} people, on {day} at 8 pm, under the name {name}, "
    "phone {phone}. Shall I book it?"
)


def test_a_read_back_with_another_number_is_corrected(rules):
    reply = READ_BACK.format(party=2, day="Saturday", name=BOOKER.name, phone="07911 113375")
    said = answer(reply, BOOKER, rules.today(), rules, Counter())
    assert said.startswith("No, my number is zero seven nine one one")


def test_a_read_back_with_another_name_is_corrected(rules):
    national = BOOKER.phone_e164.replace("+44", "0")
    reply = READ_BACK.format(party=2, day="Saturday", name="Reset", phone=national)
    said = answer(reply, BOOKER, rules.today(), rules, Counter())
    assert said == f"No, the name is {BOOKER.name}."


def test_a_booker_asked_what_to_change_says_the_whole_booking_again(rules):
    asked = Counter()
    question = "No problem. What would you like to change?"
    for _ in range(2):
        said = answer(question, BOOKER, rules.today(), rules, asked)
        assert said.startswith(f"No, it's for {BOOKER.party_words} people")


def test_a_canceller_asked_what_to_change_says_they_want_to_cancel(rules):
    canceller = next(c for c in CALLS if c.task == "cancel")
    question = "I found your booking. What would you like to change: the day, the time or the number of people?"
    said = answer(question, canceller, rules.today(), rules, Counter())
    assert said == "Nothing, I want to cancel it."


def test_asked_what_to_change_after_a_wrong_name_the_caller_says_the_name(rules):
    national = BOOKER.phone_e164.replace("+44", "0")
    reply = READ_BACK.format(party=2, day="Saturday", name="Reset", phone=national)
    asked = Counter()
    answer(reply, BOOKER, rules.today(), rules, asked)
    said = answer("No problem. What would you like to change?", BOOKER, rules.today(), rules, asked)
    assert said == f"The name. It's {BOOKER.name}."


def test_asked_what_to_change_after_a_wrong_number_the_caller_says_the_number(rules):
    reply = READ_BACK.format(party=2, day="Saturday", name=BOOKER.name, phone="07911 113375")
    asked = Counter()
    answer(reply, BOOKER, rules.today(), rules, asked)
    said = answer("No problem. What would you like to change?", BOOKER, rules.today(), rules, asked)
    assert said.startswith("The phone number. It's zero seven nine one one")


def test_a_guessed_number_that_is_the_callers_is_confirmed(rules):
    call = CALLS[0]
    national = call.phone_e164.replace("+44", "0")
    reply = f"Can we reach you on {national[:5]} {national[5:]}?"
    assert answer(reply, call, rules.today(), rules, Counter()) == "Yes."


def test_a_guessed_number_that_is_not_the_callers_is_refused(rules):
    call = CALLS[0]
    wrong = call.phone_e164.replace("+44", "0")[:-1] + ("1" if call.phone_e164[-1] != "1" else "2")
    reply = f"Can we reach you on {wrong[:5]} {wrong[5:]}?"
    assert answer(reply, call, rules.today(), rules, Counter()) == "No."


def test_time_or_people_is_answered_with_the_detail_the_change_is_about(rules):
    said = answer("Is that 5 pm, or 5 people?", CHANGE_PARTY, rules.today(), rules, Counter())
    assert said == "People."
