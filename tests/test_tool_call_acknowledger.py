"""The acknowledgement said when a silent turn's first tool call starts (processors/tool_call_acknowledger.py)."""

from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    FunctionCallInProgressFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
    TTSSpeakFrame,
)
from pipecat.tests.utils import run_test

from flows.acknowledgements import CHECKING, tool_acknowledgement
from processors.tool_call_acknowledger import ToolCallAcknowledger


def call(name: str = "book_table", call_id: str = "call-1") -> FunctionCallInProgressFrame:
    return FunctionCallInProgressFrame(function_name=name, tool_call_id=call_id, arguments={})


def response(*frames):
    return [LLMFullResponseStartFrame(), *frames, LLMFullResponseEndFrame()]


async def spoken(frames, enabled: bool = True) -> list[str]:
    acknowledger = ToolCallAcknowledger(tool_acknowledgement, enabled=lambda: enabled)
    down, _ = await run_test(acknowledger, frames_to_send=frames)
    return [frame.text for frame in down if isinstance(frame, TTSSpeakFrame)]


async def test_a_tool_call_in_a_silent_turn_is_acknowledged_once():
    assert await spoken([*response(), call()]) == [CHECKING]


async def test_no_acknowledgement_when_text_came_first():
    assert await spoken([*response(LLMTextFrame("Sure, one second.")), call()]) == []


async def test_two_tool_calls_in_one_turn_are_acknowledged_once():
    frames = [
        *response(),
        call("check_availability", "call-1"),
        call("find_booking", "call-2"),
        # The response after the tool results continues the turn and calls another tool.
        *response(),
        call("book_table", "call-3"),
        *response(LLMTextFrame("You're booked.")),
    ]
    assert await spoken(frames) == [CHECKING]


async def test_the_next_turn_is_acknowledged_again():
    frames = [*response(), call(), *response(LLMTextFrame("Done.")), *response(), call()]
    assert await spoken(frames) == [CHECKING, CHECKING]


async def test_a_later_filler_in_an_acknowledged_turn_is_dropped():
    filler = TTSSpeakFrame("One moment while I check.", append_to_context=False)
    assert await spoken([*response(), call(), filler]) == [CHECKING]


async def test_no_acknowledgement_for_the_on_device_engine_or_a_transition():
    assert await spoken([*response(), call()], enabled=False) == []
    assert await spoken([*response(), call("start_booking")]) == []


async def test_no_acknowledgement_while_the_bot_is_speaking():
    frames = [BotStartedSpeakingFrame(), *response(), call()]
    assert await spoken(frames) == []
