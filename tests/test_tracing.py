"""Opt-in tracing: Pipecat's conversation and turn spans for one call, our own spans, and no
personal data in any exported attribute (app/tracing.py, conversation/span_redaction.py)."""

import asyncio
import contextvars
import time

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import ValidationError

from app.tracing import _switch_span, start_tracing, stop_tracing
from conversation.tracing import CALL_ID, CallTrace, trace_call
from function_calls import FunctionCallGate, GatedTool
from harness.text_call import run_text_call
from services.failover import Switch
from settings import Settings, describe_errors

EXPORTER = InMemorySpanExporter()
"""OpenTelemetry keeps the first tracer provider of a process: one exporter for the module."""

NAME, PHONE = "Anna Kowalski", "07700 900123"
LINES = [
    "Hi, I'd like to book a table, please.",
    f"My name is {NAME}.",
    f"My number is {PHONE}.",
]


async def in_a_new_context(coro):
    """Run `coro` as a call's own task would: no call that an earlier test bound in this
    task's context (the log call a span is tagged with) leaks into it."""
    await asyncio.get_running_loop().create_task(coro, context=contextvars.Context())


@pytest.fixture
def spans():
    assert start_tracing(Settings(_env_file=None), exporter=EXPORTER, batch=False)
    EXPORTER.clear()
    yield EXPORTER
    stop_tracing()  # the other tests' calls in this process are not traced


def named(exporter: InMemorySpanExporter, name: str) -> list:
    return [s for s in exporter.get_finished_spans() if s.name == name]


async def test_one_call_is_one_conversation_span_with_a_turn_per_line(spans):
    result = await run_text_call(LINES, traced=True)

    [conversation] = named(spans, "conversation")
    turns = named(spans, "turn")
    assert conversation.attributes["conversation.id"] == result.call.id
    assert [t.attributes["turn.number"] for t in turns] == [1, 2, 3]
    assert {t.parent.span_id for t in turns} == {conversation.context.span_id}
    assert all(
        s.context.trace_id == conversation.context.trace_id for s in spans.get_finished_spans()
    )


async def test_every_span_carries_the_call_id(spans):
    result = await run_text_call(LINES, traced=True)

    assert {s.attributes.get(CALL_ID) for s in spans.get_finished_spans()} == {result.call.id}


async def test_no_span_attribute_carries_the_name_or_phone_said(spans):
    await run_text_call(LINES, traced=True)

    everything = " ".join(
        str(value) for s in spans.get_finished_spans() for value in s.attributes.values()
    )
    # The LLM spans do carry the conversation: redacted, not dropped.
    assert "My name is [NAME]." in everything
    assert "My number is [PHONE]." in everything or "My number is [NUMBER]." in everything
    for personal in ("Anna", "Kowalski", "07700", "900123", "900 123"):
        assert personal not in everything


async def test_each_caller_turn_read_is_a_state_extraction_span(spans):
    await run_text_call(LINES, traced=True)

    readings = named(spans, "state_extraction")
    assert sorted(r.attributes["state.turn"] for r in readings) == [1, 2, 3]
    assert ("name",) in [r.attributes["state.slots"] for r in readings]


async def test_a_tool_call_through_the_gate_is_a_span_without_its_arguments(spans):
    async def look_up(args, key):
        return {"ok": True, "found": 1}

    gate = FunctionCallGate([GatedTool("find_booking", look_up)], session_id="s")

    async def in_call_1():
        trace_call(CallTrace("call-1", lambda: None))
        await gate.call("find_booking", {"phone": PHONE})

    await in_a_new_context(in_call_1())

    [span] = named(spans, "tool_call")
    assert span.attributes["tool.name"] == "find_booking"
    assert span.attributes["tool.ok"] is True
    assert span.attributes[CALL_ID] == "call-1"
    assert not any(PHONE in str(v) for v in span.attributes.values())


async def test_a_failover_is_a_span_as_long_as_the_switch_took(spans):
    switch = Switch("llm", "failover", "anthropic", "ondevice", "timeout", time.monotonic(), 1.5)

    async def in_call_1():
        trace_call(CallTrace("call-1", lambda: None))
        await _switch_span(None, switch)

    await in_a_new_context(in_call_1())

    [span] = named(spans, "failover")
    assert span.attributes["failover.to"] == "ondevice"
    assert span.end_time - span.start_time == 1_500_000_000


async def test_a_call_is_not_traced_unless_tracing_started():
    stop_tracing()
    EXPORTER.clear()

    await run_text_call(LINES[:1])

    assert EXPORTER.get_finished_spans() == ()


def test_an_endpoint_that_is_not_a_url_is_one_line_naming_the_setting():
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, otel_exporter_otlp_endpoint="collector:4318 please")

    [line] = describe_errors(caught.value)
    assert line.startswith("OTEL_EXPORTER_OTLP_ENDPOINT: ")
