"""Impossible dates get what is wrong and the question again, in both brains (issue 13)."""

from datetime import datetime

import pytest

from flows.booking_rules import BookingRules
from flows.booking_tools import BookingTools
from flows.call_tools import END_CALL
from flows.impossible_dates import date_problem
from flows.ondevice_dialogue import restaurant_dialogue
from flows.restaurant import Restaurant
from function_calls import Breakers
from services.ondevice_llm import OnDeviceLLMService
from settings import Settings
from store import ReservationStore
from tests.fakes.conversation import converse, turns

NOW = datetime(2030, 1, 2, 10, 0)  # Wednesday; the 90-day horizon ends on Tuesday 2 April
TODAY = NOW.date()
NO_FEB_31 = "There is no 31st of February. Which day would you like?"
TUESDAY_PASSED = "Tuesday 1 January 2030 has already passed. Which day would you like?"
TOO_FAR = (
    "We take bookings up to 90 days ahead, so until Tuesday 2 April 2030. Which day would you like?"
)


@pytest.mark.parametrize(
    ("said", "problem"),
    [
        ("a table on the 31st of February", NO_FEB_31),
        ("February 31st at eight", NO_FEB_31),
        ("on the thirty-first of April", "There is no 31st of April. Which day would you like?"),
        ("29 February 2031", "There is no 29th of February in 2031. Which day would you like?"),
        ("5 May 2099", TOO_FAR),
        (
            "the 12th of December 2029",
            "Wednesday 12 December 2029 has already passed. Which day would you like?",
        ),
        ("the 29th of February", None),  # a day, in a leap year: left to the parser
        ("the 3rd of January 2030", None),
        ("May I book a table for 2?", None),
        ("Table for 2 yesterday at 8pm please.", TUESDAY_PASSED),
        ("Can I book for yesterday at 8?", TUESDAY_PASSED),
        ("the 31st of next month", "There is no 31st of February. Which day would you like?"),
        ("I called yesterday about my booking on Friday.", None),  # no table asked for then
        ("I made a booking yesterday, can I change it?", None),
        ("I called yesterday at 5 about a table for Friday.", None),  # Friday is the day
    ],
)
def test_what_is_wrong_with_a_date_said(said, problem):
    assert date_problem(said, TODAY, 90) == problem


@pytest.fixture
def rules():
    return BookingRules.from_settings(Settings(_env_file=None), clock=lambda: NOW)


@pytest.fixture
def store(tmp_path, rules):
    opened = ReservationStore.open(f"sqlite:///{tmp_path}/r.db", (2, 4), rules.seating)
    yield opened
    opened.close()


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ("2030-02-31", "There is no 31st of February in 2030. Which day would you like?"),
        ("the 31st of February", NO_FEB_31),
        ("2099-05-05", TOO_FAR),
        ("5 May 2099", TOO_FAR),
    ],
)
async def test_a_model_sending_an_impossible_date_is_told_what_is_wrong(
    store, rules, sent, message
):
    gate = BookingTools(store, rules, "Chez Test").gate("call-1", Breakers())
    result = await gate.call("check_availability", {"date": sent, "time": "20:00", "party_size": 2})
    assert (result["error"], result["argument"], result["message"]) == (
        "invalid_argument",
        "date",
        message,
    )


async def offline_call(store, rules, *said):
    tools = BookingTools(store, rules, "Chez Test", timeout_secs=1.0)
    gate = tools.gate("call-1", Breakers(), backoff_initial_secs=0.01)
    restaurant = Restaurant(name="Chez Test", hours="noon to ten", address="1 Test Road")
    llm = OnDeviceLLMService(dialogue=restaurant_dialogue(restaurant, rules))
    return await converse(llm, [END_CALL, *tools.schemas(gate)], turns(*said))


@pytest.mark.parametrize(
    ("said", "reply"),
    [
        ("A table for two on the 31st of February at 8pm.", NO_FEB_31),
        ("A table for two on 5 May 2099 at 8pm.", TOO_FAR),
        (
            "A table for two on the 12th of December 2029 at 8pm.",
            "Wednesday 12 December 2029 has already passed. Which day would you like?",
        ),
    ],
)
async def test_offline_an_impossible_date_is_said_and_asked_again(store, rules, said, reply):
    call = await offline_call(store, rules, said, "The 3rd of January, then.")
    assert call.replies[0] == reply
    # The party and the time said with it are kept; the new day goes straight to the check.
    assert call.replies[1].startswith(
        "Good news, we have a table for 2 people on Thursday 3 January at 8 pm."
    )
    assert await store.bookings() == []


@pytest.mark.parametrize(
    ("said", "then", "day"),
    [
        ("A table for 2 on the 31st of February at 7pm.", "The 28th then.", "Thursday 28 February"),
        ("A table for 2 in March at 7pm.", "The 5th.", "Tuesday 5 March"),
    ],
)
async def test_offline_a_day_of_the_month_said_alone_is_in_the_month_named_before(
    store, rules, said, then, day
):
    call = await offline_call(store, rules, said, then)
    assert call.replies[1].startswith(f"Good news, we have a table for 2 people on {day} at 7 pm.")
