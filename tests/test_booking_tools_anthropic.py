"""The real `AnthropicLLMService` books through the gate: a fake Messages API scripted to call
book_table, then send_confirmation, then answer."""

import json
from datetime import datetime

import pytest

from flows.booking_rules import BookingRules
from flows.booking_tools import BookingTools
from function_calls import Breakers
from provider_fakes.anthropic_server import API_KEY, FakeAnthropic, Text, ToolUse
from services.llm import create_llm
from services.ondevice_llm import Dialogue, DialogueTurn, Reply
from settings import Settings
from store import ReservationStore
from tests.fakes.conversation import converse, turns

NOW = datetime(2030, 1, 2, 10, 0)
BOOKING = {
    "name": "Anna Smith",
    "phone": "07911 123456",
    "date": "2030-01-03",
    "time": "19:30",
    "party_size": 4,
    "notes": "",
}


def say_nothing(turn: DialogueTurn) -> Reply:
    return Reply("")


@pytest.fixture
def tools(tmp_path):
    rules = BookingRules.from_settings(Settings(_env_file=None), clock=lambda: NOW)
    store = ReservationStore.open(f"sqlite:///{tmp_path}/r.db", (2, 4, 6), rules.seating)
    yield BookingTools(store, rules, "Chez Test")
    store.close()


def tool_results(request_body: dict) -> list[dict]:
    """The tool_result blocks Claude was sent, parsed."""
    found = []
    for message in request_body["messages"]:
        content = message.get("content")
        for block in content if isinstance(content, list) else []:
            if block.get("type") == "tool_result":
                text = block["content"]
                text = text if isinstance(text, str) else "".join(p.get("text", "") for p in text)
                found.append(json.loads(text))
    return found


async def test_claude_books_then_texts_the_confirmation(tools):
    replies = [
        ToolUse("book_table", BOOKING, tool_use_id="toolu_book", preamble="Booking that now."),
        ToolUse("send_confirmation", {"phone": "07911123456"}, tool_use_id="toolu_text"),
        Text(["You're booked for Thursday at 7:30, ", "and I've texted you the details."]),
    ]
    async with FakeAnthropic(replies) as fake:
        settings = Settings(
            _env_file=None,
            llm_provider="anthropic",
            llm_chain="anthropic",
            anthropic_api_key=API_KEY,
            anthropic_base_url=fake.base_url,
            anthropic_max_retries=0,
        )
        llm = create_llm(
            settings,
            system_instruction="You answer the phone for a test restaurant.",
            dialogue=Dialogue(intents=(), opening=say_nothing, fallback=say_nothing),
        )
        gate = tools.gate("call-1", Breakers())
        call = await converse(
            llm,
            tools.schemas(gate),
            turns("A table for four tomorrow at half past seven, Anna Smith, 07911 123456."),
        )

    (booking,) = await tools.store.bookings()
    assert (booking.name, booking.phone, booking.party_size) == ("Anna Smith", "+447911123456", 4)
    (sms,) = await tools.store.outbox()
    assert (sms.channel, sms.recipient, sms.booking_reference) == (
        "sms",
        "+447911123456",
        booking.reference,
    )
    assert len(fake.requests) == 3
    first_request = fake.requests[0].body
    assert {tool["name"] for tool in first_request["tools"]} >= {"book_table", "send_confirmation"}
    booked, texted = tool_results(fake.requests[2].body)
    assert booked["booking"]["reference"] == booking.reference
    assert texted == {
        "ok": True,
        "channel": "sms",
        "reference": booking.reference,
        "spoken_phone": "07911 123456",
    }
    assert call.spoken.endswith(
        "You're booked for Thursday at 7:30, and I've texted you the details."
    )
