"""The handoff to a person works when the bookings database does not (issue 13): it is what
the bot offers when that database fails, so it has a file of its own (store/handoffs.py)."""

import os
import sqlite3
from datetime import datetime

import pytest

from flows.booking_rules import BookingRules
from flows.booking_tools import BookingTools
from flows.call_tools import END_CALL
from flows.ondevice_dialogue import restaurant_dialogue
from flows.restaurant import Restaurant
from function_calls import Breakers
from services.ondevice_llm import OnDeviceLLMService
from settings import Settings
from store import HandoffLog, ReservationStore
from tests.fakes.conversation import converse, turns

NOW = datetime(2030, 1, 2, 10, 0)


@pytest.fixture
def rules():
    return BookingRules.from_settings(Settings(_env_file=None), clock=lambda: NOW)


@pytest.fixture
def database(tmp_path):
    return tmp_path / "r.db"


@pytest.fixture
def store(database, rules):
    opened = ReservationStore.open(f"sqlite:///{database}", (2, 4), rules.seating)
    yield opened
    opened.close()


@pytest.fixture
def handoffs(tmp_path):
    return HandoffLog(tmp_path / "staff" / "handoffs.jsonl")


def tools_over(store, rules, handoffs):
    return BookingTools(store, rules, "Chez Test", timeout_secs=5.0, handoffs=handoffs)


def delete(database):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{database}{suffix}"):
            os.remove(f"{database}{suffix}")


async def test_with_the_database_deleted_the_handoff_is_written_to_its_file(
    store, rules, handoffs, database
):
    delete(database)
    gate = tools_over(store, rules, handoffs).gate("call-1", Breakers())
    result = await gate.call("transfer_to_human", {"reason": "system down", "phone": "07911123456"})
    assert result["ok"] and "member of our staff" in result["message"]
    (request,) = handoffs.requests()
    assert request["body"] == "A caller needs a person: system down. Call back on +447911123456."


async def test_with_the_database_locked_the_handoff_is_written_to_its_file(
    store, rules, handoffs, database
):
    locker = sqlite3.connect(database)
    locker.execute("BEGIN EXCLUSIVE")  # another process holds the bookings database
    try:
        gate = tools_over(store, rules, handoffs).gate("call-1", Breakers())
        result = await gate.call("transfer_to_human", {"reason": "system down"})
    finally:
        locker.rollback()
        locker.close()
    assert result["ok"]
    assert [r["body"] for r in handoffs.requests()] == ["A caller needs a person: system down."]


async def test_with_the_database_working_the_handoff_goes_to_the_outbox_alone(
    store, rules, handoffs
):
    gate = tools_over(store, rules, handoffs).gate("call-1", Breakers())
    assert (await gate.call("transfer_to_human", {"reason": "wants a person"}))["ok"]
    assert [m.channel for m in await store.outbox()] == ["staff"]
    assert handoffs.requests() == []


async def test_a_repeated_handoff_is_written_once(store, rules, handoffs, database):
    delete(database)
    gate = tools_over(store, rules, handoffs).gate("call-1", Breakers())
    for _ in range(2):
        assert (await gate.call("transfer_to_human", {"reason": "system down"}))["ok"]
    assert len(handoffs.requests()) == 1


async def test_offline_the_person_offered_when_the_database_fails_is_reached(
    store, rules, handoffs, database
):
    delete(database)
    tools = tools_over(store, rules, handoffs)
    gate = tools.gate("call-1", Breakers(), backoff_initial_secs=0.01)
    restaurant = Restaurant(name="Chez Test", hours="noon to ten", address="1 Test Road")
    llm = OnDeviceLLMService(dialogue=restaurant_dialogue(restaurant, rules))
    call = await converse(
        llm, [END_CALL, *tools.schemas(gate)], turns("A table for two tomorrow at 8pm.", "Yes.")
    )
    assert "put you through" in call.replies[0]
    assert "member of our staff" in call.replies[-1]
    assert len(handoffs.requests()) == 1
