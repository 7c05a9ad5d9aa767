"""Call records: a conversation's rows once it ends, the schema on new and old files,
retention, and a failing database that loses records but never the call."""

import json
import threading
from datetime import timedelta

import pytest
from loguru import logger
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    FunctionCallInProgressFrame,
    FunctionCallResultFrame,
    InterruptionFrame,
    LLMContextAssistantTurnFrame,
    LLMContextFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.tests.utils import SleepFrame, run_test
from sqlalchemy import inspect, text

from conversation import retention
from conversation.call import Call, utc_now
from conversation.call_records import CallRecordStore, ToolCallRecord, TurnRecord
from conversation.extraction import ParserExtraction
from conversation.redaction import Redactor
from flows.booking_rules import BookingRules
from flows.restaurant import Restaurant
from flows.restaurant_slot_reader import RestaurantSlotReader
from processors.conversation_recorder import ConversationRecorder
from processors.state_extractor import StateExtractor
from settings import Settings
from store.reservations import ReservationStore, SeatingRules
from tests.postgres_server import BOTH_DATABASES

PAUSE = SleepFrame(0.05)
"""Between frames: system frames (speaking, interruptions) would overtake data frames."""


@pytest.fixture
def store(tmp_path) -> CallRecordStore:
    return CallRecordStore.open(f"sqlite:///{tmp_path}/conversations.db")


@pytest.fixture
def reader() -> RestaurantSlotReader:
    settings = Settings(_env_file=None)
    return RestaurantSlotReader(
        Restaurant.from_settings(settings), BookingRules.from_settings(settings)
    )


@pytest.fixture
def call() -> Call:
    return Call(redactor=Redactor("GB"))


def conversation_frames() -> list:
    messages: list[dict] = []

    def caller(text: str) -> LLMContextFrame:
        messages.append({"role": "user", "content": text})
        return LLMContextFrame(context=LLMContext(messages=list(messages)))

    def bot_says(text: str) -> list:
        return [
            BotStartedSpeakingFrame(),
            PAUSE,
            LLMContextAssistantTurnFrame(text=text, timestamp=""),
            PAUSE,
            BotStoppedSpeakingFrame(),
            PAUSE,
        ]

    booking = {"name": "Anna Kowalski", "phone": "+447911123456", "party_size": 4}
    return [
        *bot_says("Hello, thank you for calling. How can I help?"),
        UserStartedSpeakingFrame(),
        PAUSE,
        UserStoppedSpeakingFrame(),
        PAUSE,
        caller("A table for four tomorrow at seven, please."),
        PAUSE,
        *bot_says("Good news, we have a table. What name should I put the booking under?"),
        UserStartedSpeakingFrame(),
        PAUSE,
        UserStoppedSpeakingFrame(),
        PAUSE,
        caller("Anna Kowalski, and my number is 07911 123456."),
        PAUSE,
        FunctionCallInProgressFrame(
            function_name="book_table", tool_call_id="call-1", arguments=booking
        ),
        PAUSE,
        FunctionCallResultFrame(
            function_name="book_table",
            tool_call_id="call-1",
            arguments=booking,
            result={"ok": True, "booking": {**booking, "reference": "482913"}},
        ),
        PAUSE,
        BotStartedSpeakingFrame(),
        PAUSE,
        InterruptionFrame(),
        PAUSE,
        LLMContextAssistantTurnFrame(text="Booked under the name Anna Kowalski.", timestamp=""),
        PAUSE,
    ]


async def record(call, store, reader, frames):
    extractor = StateExtractor(call, ParserExtraction(reader), max_delay_secs=0.1)
    await run_test(
        Pipeline([extractor, ConversationRecorder(call, store, llm="ondevice")]),
        frames_to_send=frames,
    )


async def test_a_conversation_is_recorded_once_it_ends(call, store, reader):
    await record(call, store, reader, conversation_frames())

    session = store.session(call.id)
    assert session.end_reason == "ended" and session.ended_at >= session.started_at
    assert session.llm == "ondevice"

    turns = store.turns(call.id)
    assert [t.turn for t in turns] == [0, 1, 2]
    greeting, first, second = turns
    assert greeting.caller_text == "" and greeting.bot_text.startswith("Hello")
    assert first.caller_text == "A table for four tomorrow at seven, please."
    assert second.caller_text == "[NAME], and my number is [PHONE]."
    assert second.bot_text == "Booked under the name [NAME]."
    assert [t.interrupted for t in turns] == [False, False, True]
    for turn in (first, second):
        assert turn.latency_ms is not None and turn.latency_ms >= 0
        assert turn.caller_started_at < turn.caller_ended_at <= turn.bot_started_at

    (tool,) = store.tool_calls(call.id)
    assert (tool.turn, tool.name, tool.status) == (2, "book_table", "ok")
    assert json.loads(tool.arguments) == {"name": "[NAME]", "phone": "[PHONE]", "party_size": 4}
    assert json.loads(tool.result)["booking"]["reference"] == "482913"

    snapshots = store.snapshots(call.id)
    assert [s.turn for s in snapshots] == [0, 1, 2]
    last = json.loads(snapshots[-1].state)
    assert last["slots"]["name"]["value"] == "[NAME]"
    assert last["slots"]["party_size"]["value"] == "4"
    assert "Booked, reference 482913." in last["summary"]


async def test_records_are_written_in_a_worker_thread(call, store, reader):
    threads = set()
    add_turn = store.add_turn

    def watched(record):
        threads.add(threading.current_thread())
        add_turn(record)

    store.add_turn = watched
    await record(call, store, reader, conversation_frames())
    assert threads and threading.main_thread() not in threads


async def test_a_failing_database_loses_records_but_not_the_call(call, store, reader):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    for method in ("start_session", "add_turn", "add_snapshot", "add_tool_call", "end_session"):
        setattr(store, method, broken)
    lines: list[str] = []
    sink = logger.add(lines.append, level="WARNING")
    try:
        await record(call, store, reader, conversation_frames())
    finally:
        logger.remove(sink)
    warnings = [line for line in lines if "call record was not written" in line]
    assert warnings
    assert not any("Kowalski" in line or "07911" in line for line in warnings)


@BOTH_DATABASES
def test_the_schema_is_created_on_an_empty_database_and_kept_on_an_existing_one(database_url):
    url = database_url
    first = CallRecordStore.open(url)
    first.start_session("s1", utc_now(), "ondevice")
    first.close()
    again = CallRecordStore.open(url)  # already at the latest revision: nothing to do
    assert again.session("s1") is not None
    with again.engine.connect() as connection:
        version = connection.execute(text("select version_num from conversation_schema_version"))
        assert version.scalar() == "c0002"
    again.close()


@BOTH_DATABASES
def test_the_call_records_can_share_the_reservations_database(database_url):
    reservations = ReservationStore.open(database_url, (2, 4), SeatingRules())
    store = CallRecordStore.open(database_url)
    tables = set(inspect(store.engine).get_table_names())
    assert {"bookings", "conversation_turns", "alembic_version"} <= tables
    assert "conversation_schema_version" in tables
    store.close()
    reservations.close()


def add_call(store: CallRecordStore, session_id: str, age_days: int):
    started = utc_now() - timedelta(days=age_days)
    store.start_session(session_id, started, "ondevice")
    store.add_turn(
        TurnRecord(session_id, 1, "hello", "hi", started, started, started, started, False, 300)
    )
    store.add_tool_call(
        ToolCallRecord(session_id, 1, "c1", "end_call", {}, {"ok": True}, "ok", started, started)
    )
    store.add_snapshot(session_id, 1, started, {"turn": 1})


@BOTH_DATABASES
def test_retention_deletes_calls_older_than_the_setting(database_url, monkeypatch, capsys):
    url = database_url
    store = CallRecordStore.open(url)
    add_call(store, "old", age_days=40)
    add_call(store, "recent", age_days=2)
    monkeypatch.setenv("CONVERSATIONS_DATABASE_URL", url)
    monkeypatch.setenv("TRANSCRIPT_RETENTION_DAYS", "30")

    assert retention.main([]) == 0

    assert store.session("old") is None
    assert store.turns("old") == [] and store.tool_calls("old") == []
    assert store.snapshots("old") == []
    assert store.session("recent") is not None and len(store.turns("recent")) == 1
    assert "Deleted 1 calls older than 30 days" in capsys.readouterr().out


def test_retention_with_an_unusable_database_says_why(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "not-a-db"
    folder.mkdir()
    monkeypatch.setenv("CONVERSATIONS_DATABASE_URL", f"sqlite:///{folder}")
    assert retention.main([]) == 2
    assert "cannot open the call records" in capsys.readouterr().err


def test_a_bad_call_records_database_stops_start_up_with_one_line(tmp_path, capsys):
    from app.resources import open_call_records_or_exit

    settings = Settings(_env_file=None, conversations_database_url=f"sqlite:///{tmp_path}")
    with pytest.raises(SystemExit) as stopped:
        open_call_records_or_exit(settings)
    assert stopped.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("configuration error: CONVERSATIONS_DATABASE_URL: cannot open")
