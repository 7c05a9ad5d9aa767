"""Arguments only a model sends (wrong types, infinities, zones, invisible characters, a list
instead of an object) get the same clean invalid-argument answer through the gate, and
nothing is written; no exception escapes the gate."""

from datetime import datetime

import pytest

from flows.booking_rules import BookingRules
from flows.booking_tools import BookingTools
from function_calls import Breakers, FunctionCallGate, GatedTool
from settings import Settings
from store import ReservationStore

NOW = datetime(2030, 1, 2, 10, 0)
GOOD = {
    "name": "Ada Lovelace",
    "phone": "07911 123456",
    "date": "2030-01-03",
    "time": "19:30",
    "party_size": 4,
}


@pytest.fixture
def tools(tmp_path):
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path}/r.db")
    rules = BookingRules.from_settings(settings, clock=lambda: NOW)
    store = ReservationStore.open(settings.database_url, settings.restaurant_tables, rules.seating)
    yield BookingTools(store, rules, "Chez Test")
    store.close()


@pytest.fixture
def gate(tools):
    return tools.gate("session-1", Breakers())


@pytest.mark.parametrize(
    ("changes", "argument"),
    [
        ({"party_size": True}, "party_size"),
        ({"party_size": 2.9}, "party_size"),
        ({"party_size": "2.9"}, "party_size"),
        ({"party_size": 1e999}, "party_size"),  # float("inf"): int() raises OverflowError
        ({"party_size": float("nan")}, "party_size"),
        ({"party_size": [4]}, "party_size"),
        ({"time": "19:30Z"}, "time"),
        ({"time": "19:30+01:00"}, "time"),
        ({"time": 1930}, "time"),
        ({"date": ["2030-01-03"]}, "date"),
        ({"name": "\u200b\u200c\u200d\u2060"}, "name"),  # zero-width characters only
        ({"name": "Ada \u202eecalevoL"}, "name"),  # a right-to-left override
        ({"name": ["Ada", "Lovelace"]}, "name"),
        ({"notes": {"allergy": "nuts"}}, "notes"),
        ({"phone": True}, "phone"),
    ],
    ids=repr,
)
async def test_a_malformed_booking_argument_is_a_clean_refusal_and_books_nothing(
    tools, gate, changes, argument
):
    result = await gate.call("book_table", {**GOOD, **changes})
    assert {k: result[k] for k in ("ok", "error", "argument")} == {
        "ok": False,
        "error": "invalid_argument",
        "argument": argument,
    }
    assert result["message"]
    assert await tools.store.bookings() == []


@pytest.mark.parametrize("arguments", [["2030-01-03", "19:30", 4], "party of 4", 4, True])
async def test_arguments_that_are_not_an_object_are_a_clean_refusal(tools, gate, arguments):
    result = await gate.call("book_table", arguments)
    assert (result["ok"], result["error"], result["argument"]) == (
        False,
        "invalid_argument",
        "arguments",
    )
    assert await tools.store.bookings() == []


async def test_whole_numbers_sent_as_float_or_text_still_count(gate):
    as_float = await gate.call("check_availability", {**GOOD, "party_size": 4.0})
    as_text = await gate.call("check_availability", {**GOOD, "party_size": " 4 "})
    assert as_float["ok"] is True and as_text["ok"] is True


async def test_zero_width_characters_are_stripped_from_a_name(tools, gate):
    result = await gate.call("book_table", {**GOOD, "name": "Ada\u200b Love\u200dlace"})
    assert result["ok"] is True
    (booking,) = await tools.store.bookings()
    assert booking.name == "Ada Lovelace"


async def test_any_exception_from_a_tools_normalise_becomes_an_invalid_argument():
    def normalise(arguments):
        raise OverflowError("cannot convert float infinity to integer")

    async def run(args, key):
        raise AssertionError("a tool whose arguments were refused must not run")

    gate = FunctionCallGate(
        [GatedTool(name="fragile", run=run, normalise=normalise)], session_id="s"
    )
    result = await gate.call("fragile", {"n": 1e999})
    assert (result["ok"], result["error"], result["argument"]) == (
        False,
        "invalid_argument",
        "arguments",
    )
