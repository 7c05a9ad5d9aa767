"""The flow and the tools read the caller's details from the conversation state the
extractor keeps: what the caller said earlier is not asked again, and a tool takes from
the state what the LLM left out."""

import pytest

from conversation.call import Call
from conversation.extraction import ParserExtraction
from conversation.redaction import Redactor
from conversation.state import ConversationState
from flows.booking_flow import BookingFlow
from flows.booking_tools import BookingTools
from flows.call_tools import END_CALL
from flows.ondevice_dialogue import restaurant_dialogue
from flows.restaurant import Restaurant
from flows.restaurant_slot_reader import RestaurantSlotReader
from function_calls import Breakers
from processors.state_extractor import StateExtractor
from services.ondevice_llm import OnDeviceLLMService
from store import ReservationStore
from tests.fakes.conversation import converse, turns
from tests.fakes.scripted_llm import Step
from tests.test_booking_flow import FlowCall

RESTAURANT = Restaurant(name="Chez Test", hours="from noon to ten", address="1 Test Road")
TOMORROW = "2030-01-03"


@pytest.fixture
def tools(tmp_path, rules):
    store = ReservationStore.open(f"sqlite:///{tmp_path}/r.db", (2, 4, 6), rules.seating)
    yield BookingTools(store, rules, "Chez Test", timeout_secs=1.0)
    store.close()


def state_with(**slots: tuple[str, float]) -> ConversationState:
    state = ConversationState(turn=2)
    for name, (value, confidence) in slots.items():
        state.fill(name, value, confidence, turn=1)
    return state


def test_only_slots_the_caller_said_clearly_are_trusted():
    state = state_with(name=("Anna Smith", 0.9), phone=("+447911123456", 0.6))
    assert state.trusted(["name", "phone", "day"]) == {"name": "Anna Smith"}


async def test_the_on_device_brain_does_not_ask_again_for_a_name_said_earlier(tools, rules):
    state = ConversationState()
    gate = tools.gate("call-1", Breakers(), backoff_initial_secs=0.01)
    llm = OnDeviceLLMService(dialogue=restaurant_dialogue(RESTAURANT, rules, state))
    extractor = StateExtractor(
        Call(redactor=Redactor("GB"), state=state),
        ParserExtraction(RestaurantSlotReader(RESTAURANT, rules)),
    )
    call = await converse(
        llm,
        [END_CALL, *tools.schemas(gate)],
        turns(
            "Hello, my name is Anna Smith.",
            "I'd like to book a table for two tomorrow at seven pm.",
            "It's 07911 123456.",
            "Yes please.",
        ),
        before_llm=[extractor],
    )
    assert not [reply for reply in call.replies if "What name" in reply]
    assert [reply for reply in call.replies if "under the name Anna Smith" in reply]
    (booking,) = await tools.store.bookings()
    assert (booking.name, booking.phone) == ("Anna Smith", "+447911123456")


def test_the_collect_node_asks_only_for_what_the_state_lacks(tools):
    state = state_with(day=(TOMORROW, 0.9), party_size=("4", 0.9))
    flow = BookingFlow(tools, tools.gate("call-1", Breakers()), RESTAURANT, state)
    (instruction,) = flow.collect()["task_messages"]
    assert "The caller already said (date: 2030-01-03; party size: 4)" in instruction["content"]


def test_a_booking_tool_does_not_require_what_the_state_holds(tools):
    state = state_with(name=("Anna Smith", 0.9), phone=("+447911123456", 0.9))
    flow = BookingFlow(tools, tools.gate("call-1", Breakers()), RESTAURANT, state)
    book = next(f for f in flow.details()["functions"] if f.name == "book_table")
    assert set(book.required) == {"date", "time", "party_size"}


WHEN = {"date": TOMORROW, "time": "19:30", "party_size": 4}


async def book_through_the_flow(tools, state: ConversationState, **book_table):
    """Claude's part scripted: start, check, read back, then `book_table` with the day, time
    and party size and only the extra arguments given here."""
    call = FlowCall(
        tools,
        [
            Step("Hello, Chez Test."),
            Step(calls=[("start_booking", {})]),
            Step(calls=[("check_availability", WHEN)]),
            Step("Four on Thursday at 7:30 pm. Shall I book it?"),
            Step(calls=[("book_table", {**WHEN, **book_table})]),
            Step("Done."),
        ],
        state=state,
    )
    await call.run("A table for four tomorrow at half past seven.", "Yes, book it.")
    return await tools.store.bookings()


async def test_book_table_takes_the_name_and_phone_from_the_state(tools):
    state = state_with(name=("Anna Smith", 0.9), phone=("+447911123456", 0.9))
    (made,) = await book_through_the_flow(tools, state)
    assert (made.name, made.phone, made.party_size) == ("Anna Smith", "+447911123456", 4)


async def test_a_name_the_state_only_guessed_is_not_used(tools):
    state = state_with(name=("Anna Smith", 0.6), phone=("+447911123456", 0.9))
    assert await book_through_the_flow(tools, state) == []


async def test_the_llms_own_argument_wins_over_the_state(tools):
    state = state_with(name=("Anna Smith", 0.9), phone=("+447911123456", 0.9))
    (made,) = await book_through_the_flow(tools, state, name="John Smith")
    assert made.name == "John Smith"
