"""The simulated caller of bench.task_success reads the bot's read-backs as a caller would
(a measuring instrument: a caller who refuses a right proposal fails a call the bot did)."""

from collections import Counter

from bench.task_success import answer
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
