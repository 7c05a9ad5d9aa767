"""Every log line of a call is redacted and carries the call's id and turn, at every level."""

import asyncio

import pytest
from loguru import logger

from conversation.call import Call
from conversation.logs import bind_call, install_log_privacy
from conversation.redaction import Redactor


@pytest.fixture
def lines():
    install_log_privacy("GB")
    captured: list[str] = []
    sink = logger.add(captured.append, level="TRACE", format="{level} | {message}")
    yield captured
    logger.remove(sink)


async def test_a_line_logged_in_a_call_is_redacted_and_correlated(lines):
    call = Call(redactor=Redactor("GB"))
    call.state.turn = 3

    async def in_the_call():
        bind_call(call)
        # Pipecat logs transcripts like this, at DEBUG.
        logger.debug("Transcription: [ My name is Anna Kowalski, call me on 07911 123456 ]")

    await asyncio.create_task(in_the_call())
    (line,) = lines
    assert line == (
        f"DEBUG | [call {call.short_id} turn 3] Transcription: [ My name is [NAME], "
        "call me on [PHONE] ]\n"
    )


async def test_tasks_started_in_a_call_log_with_its_id_and_current_turn(lines):
    call = Call(redactor=Redactor("GB"))

    async def pipeline_task():
        logger.trace("a frame went by")

    async def run_call():
        bind_call(call)
        first = asyncio.create_task(pipeline_task())
        call.state.turn = 2
        await first

    await asyncio.create_task(run_call())
    assert lines == [f"TRACE | [call {call.short_id} turn 2] a frame went by\n"]


async def test_a_traceback_is_folded_into_the_line_and_redacted(lines):
    try:
        raise ValueError("could not book for anna.kowalski@example.com")
    except ValueError:
        logger.exception("booking failed")
    (line,) = lines
    assert "[EMAIL]" in line and "anna.kowalski" not in line
    assert "Traceback" in line and "ValueError" in line


async def test_a_line_outside_any_call_is_redacted_without_an_id(lines):
    await asyncio.create_task(asyncio.sleep(0))
    logger.info("sms to +447911123456 queued")
    assert lines == ["INFO | sms to [PHONE] queued\n"]


def test_a_data_channel_message_that_is_not_json_is_withheld_whole(lines):
    # SmallWebRTC logs such a message whole, at ERROR: free text with no "my name is" to go by.
    payload = "Zofia Brzęczyszczykiewicz, Expecting value: line 1 column 1 (char 0)"
    logger.error(f"Error parsing JSON message {payload}")
    (line,) = lines
    assert line == f"ERROR | Error parsing JSON message [{len(payload)} characters withheld]\n"
