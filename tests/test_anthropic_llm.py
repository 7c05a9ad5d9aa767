"""The real `AnthropicLLMService`, built by `create_llm`, against a local fake of the Messages API.

The fake speaks the streaming protocol (SSE events) over HTTP on 127.0.0.1, so
everything from the factory's client settings down to the SDK's retries runs
for real. Every failure must end the turn with an ErrorFrame in bounded time,
and the service must answer the next turn.
"""

import asyncio
import json
from collections.abc import Sequence

import pytest
from pipecat.adapters.llm.schemas.function_schema import FunctionSchema
from pipecat.frames.frames import (
    ErrorFrame,
    Frame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
)
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.services.anthropic.llm import AnthropicLLMService
from pipecat.services.llm_service import FunctionCallParams, LLMService
from pipecat.tests.utils import run_test
from pipecat.utils.errors import ErrorCategory

from provider_fakes import closed_port
from provider_fakes.anthropic_server import (
    API_KEY,
    FakeAnthropic,
    Stall,
    Status,
    StreamError,
    Text,
    ToolUse,
)
from services.llm import create_llm
from services.ondevice_llm import Dialogue, DialogueTurn, Reply
from settings import Settings
from tests.fakes.log import captured_log
from tests.fakes.pipeline import BOUND_SECS, Collector, PipelineRun

SYSTEM_PROMPT = "You answer the phone for a test restaurant."
TIMEOUT_SECS = 0.5
"""The factory's request timeout in these tests (ANTHROPIC_TIMEOUT_SECS)."""


def say_nothing(turn: DialogueTurn) -> Reply:
    return Reply("")


def unused_dialogue() -> Dialogue:
    """The factory needs one; Claude never reads it."""
    return Dialogue(intents=(), opening=say_nothing, fallback=say_nothing)


def build_claude(base_url: str, **overrides) -> LLMService:
    settings = Settings(
        _env_file=None,
        llm_provider="anthropic",
        llm_chain="anthropic",
        anthropic_api_key=overrides.pop("api_key", API_KEY),
        anthropic_base_url=base_url,
        anthropic_timeout_secs=TIMEOUT_SECS,
        anthropic_max_retries=overrides.pop("max_retries", 0),
        **overrides,
    )
    return create_llm(settings, system_instruction=SYSTEM_PROMPT, dialogue=unused_dialogue())


def caller_says(text: str, tools: Sequence[FunctionSchema] = ()) -> LLMContext:
    context = LLMContext(tools=list(tools)) if tools else LLMContext()
    context.add_message({"role": "user", "content": text})
    return context


async def answer(llm: LLMService, *contexts: LLMContext) -> tuple[list[Frame], list[Frame]]:
    """One turn per context through `run_test`; fails if the turns do not end in time."""
    down, up = await asyncio.wait_for(
        run_test(llm, frames_to_send=[LLMContextFrame(c) for c in contexts]), BOUND_SECS
    )
    return list(down), list(up)


def texts(frames: Sequence[Frame]) -> list[str]:
    return [f.text for f in frames if isinstance(f, LLMTextFrame)]


def errors(frames: Sequence[Frame]) -> list[ErrorFrame]:
    return [f for f in frames if isinstance(f, ErrorFrame)]


# --- The streaming protocol ----------------------------------------------------


async def test_factory_builds_the_real_anthropic_service():
    llm = build_claude("http://127.0.0.1:1")
    assert isinstance(llm, AnthropicLLMService)


async def test_streamed_reply_arrives_as_text_frames_in_order():
    chunks = ["We open", " at noon", " every day."]
    async with FakeAnthropic([Text(chunks)]) as fake:
        down, up = await answer(build_claude(fake.base_url), caller_says("When do you open?"))

    assert texts(down) == chunks
    kinds = [type(f) for f in down]
    last_text = max(i for i, kind in enumerate(kinds) if kind is LLMTextFrame)
    assert kinds.index(LLMFullResponseStartFrame) < kinds.index(LLMTextFrame)
    assert kinds.index(LLMFullResponseEndFrame) > last_text
    assert errors(up) == []


async def test_request_carries_model_system_prompt_and_the_callers_words():
    async with FakeAnthropic([Text(["Hello."])]) as fake:
        await answer(
            build_claude(fake.base_url, anthropic_model="claude-sonnet-4-5"),
            caller_says("Hi there"),
        )

    (request,) = fake.requests
    assert request.headers["x-api-key"] == API_KEY
    assert request.body["model"] == "claude-sonnet-4-5"
    assert request.body["stream"] is True
    assert SYSTEM_PROMPT in json.dumps(request.body["system"])
    assert request.body["messages"][-1]["role"] == "user"
    assert "Hi there" in json.dumps(request.body["messages"][-1]["content"])


# --- A tool call ---------------------------------------------------------------


class TableTool:
    """A `check_table` tool whose handler records each call and answers it."""

    def __init__(self):
        self.calls: list[dict] = []
        self.schema = FunctionSchema(
            name="check_table",
            description="Check whether a table is free.",
            properties={"people": {"type": "integer"}, "time": {"type": "string"}},
            required=["people", "time"],
            handler=self.handle,
        )

    async def handle(self, params: FunctionCallParams):
        self.calls.append(dict(params.arguments))
        await params.result_callback({"free": True, "table": 7})


async def run_tool_call() -> tuple[TableTool, FakeAnthropic, PipelineRun, Collector]:
    """Claude calls `check_table`, gets its result, then answers with it."""
    tool = TableTool()
    replies = [
        ToolUse(
            name="check_table",
            arguments={"people": 4, "time": "19:30"},
            tool_use_id="toolu_table",
            preamble="Let me check.",
        ),
        Text(["Table 7", " is free for four."]),
    ]
    async with FakeAnthropic(replies) as fake:
        context = caller_says("A table for four at half past seven?", tools=[tool.schema])
        _, assistant = LLMContextAggregatorPair(context)
        # The assistant aggregator consumes the answer, so it is read before it.
        answered = Collector()
        async with PipelineRun([build_claude(fake.base_url), answered, assistant]) as run:
            await run.send(LLMContextFrame(context))
            await run.wait_until(
                lambda: sum(isinstance(f, LLMFullResponseEndFrame) for f in answered.frames) >= 2,
                "the answer after the tool call",
            )
    return tool, fake, run, answered


async def test_tool_call_runs_the_registered_handler_with_the_streamed_arguments():
    tool, *_ = await run_tool_call()

    assert tool.calls == [{"people": 4, "time": "19:30"}]


async def test_tool_result_goes_back_to_claude_on_the_next_request():
    _, fake, *_ = await run_tool_call()

    assert len(fake.requests) == 2
    messages = fake.requests[1].body["messages"]
    tool_uses = [
        block
        for message in messages
        if message["role"] == "assistant" and isinstance(message["content"], list)
        for block in message["content"]
        if block["type"] == "tool_use"
    ]
    assert tool_uses == [
        {
            "type": "tool_use",
            "id": "toolu_table",
            "name": "check_table",
            "input": {"people": 4, "time": "19:30"},
        }
    ]
    results = [
        block
        for message in messages
        if message["role"] == "user" and isinstance(message["content"], list)
        for block in message["content"]
        if block["type"] == "tool_result"
    ]
    assert len(results) == 1
    assert results[0]["tool_use_id"] == "toolu_table"
    assert json.loads(results[0]["content"]) == {"free": True, "table": 7}


async def test_answer_after_the_tool_is_streamed_to_the_caller():
    _, _, run, answered = await run_tool_call()

    assert texts(answered.frames) == ["Let me check.", "Table 7", " is free for four."]
    assert run.errors == []


# --- Failures: an ErrorFrame in bounded time, never a hang or a crash ----------


async def test_refused_connection_ends_the_turn_with_an_error():
    llm = build_claude(f"http://127.0.0.1:{closed_port()}")

    down, up = await answer(llm, caller_says("Hello?"))

    (error,) = errors(up)
    assert "Connection error" in error.error
    assert texts(down) == []
    assert any(isinstance(f, LLMFullResponseEndFrame) for f in down)


async def test_server_error_ends_the_turn_with_a_server_error():
    async with FakeAnthropic([Status(500, "api_error")]) as fake:
        down, up = await answer(build_claude(fake.base_url), caller_says("Hello?"))

    (error,) = errors(up)
    assert error.category == ErrorCategory.SERVER
    assert any(isinstance(f, LLMFullResponseEndFrame) for f in down)


async def test_overloaded_is_retried_by_the_sdk_and_the_caller_still_gets_an_answer():
    replies = [Status(529, "overloaded_error"), Text(["Sorry for the wait."])]
    async with FakeAnthropic(replies) as fake:
        down, up = await answer(build_claude(fake.base_url, max_retries=1), caller_says("Hi"))

    assert len(fake.requests) == 2
    assert texts(down) == ["Sorry for the wait."]
    assert errors(up) == []


async def test_rate_limit_retry_waits_as_long_as_retry_after_says():
    replies = [
        Status(429, "rate_limit_error", headers={"retry-after": "0.6"}),
        Text(["Here I am."]),
    ]
    async with FakeAnthropic(replies) as fake:
        down, _ = await answer(build_claude(fake.base_url, max_retries=1), caller_says("Hi"))

    first, second = fake.requests
    assert second.received_at - first.received_at >= 0.6
    assert texts(down) == ["Here I am."]


async def test_rate_limit_beyond_the_retries_ends_the_turn_with_a_rate_limit_error():
    replies = [Status(429, "rate_limit_error", headers={"retry-after": "0.1"})] * 2
    async with FakeAnthropic(replies) as fake:
        _, up = await answer(build_claude(fake.base_url, max_retries=1), caller_says("Hi"))

    assert len(fake.requests) == 2
    (error,) = errors(up)
    assert error.category == ErrorCategory.RATE_LIMIT


async def test_error_event_mid_stream_ends_the_turn_with_an_error():
    async with FakeAnthropic([StreamError("overloaded_error")]) as fake:
        down, up = await answer(build_claude(fake.base_url), caller_says("Hi"))

    (error,) = errors(up)
    assert "overloaded_error" in error.error
    assert any(isinstance(f, LLMFullResponseEndFrame) for f in down)


async def test_server_that_never_answers_times_out_with_an_error():
    async with FakeAnthropic([Stall()]) as fake:
        start = asyncio.get_running_loop().time()
        down, up = await answer(build_claude(fake.base_url), caller_says("Hi"))
        elapsed = asyncio.get_running_loop().time() - start

    (error,) = errors(up)
    assert "timed out" in error.error
    assert elapsed < TIMEOUT_SECS + 2.0
    assert any(isinstance(f, LLMFullResponseEndFrame) for f in down)


async def test_stream_that_stalls_mid_answer_times_out_with_an_error():
    async with FakeAnthropic([Stall(text="Our hours are")]) as fake:
        down, up = await answer(build_claude(fake.base_url), caller_says("Hours?"))

    assert texts(down) == ["Our hours are"]
    (error,) = errors(up)
    assert error.category == ErrorCategory.CONNECTIVITY
    assert any(isinstance(f, LLMFullResponseEndFrame) for f in down)


async def test_bad_key_is_an_authentication_error_that_stops_the_service():
    async with FakeAnthropic([]) as fake:
        llm = build_claude(fake.base_url, api_key="sk-ant-wrong-key")
        _, up = await answer(llm, caller_says("Hi"))

    (error,) = errors(up)
    assert error.category == ErrorCategory.AUTHENTICATION
    assert not llm.is_usable


async def test_the_next_turn_is_answered_after_a_failed_one():
    replies = [Status(500, "api_error"), Text(["I'm back."])]
    async with FakeAnthropic(replies) as fake:
        llm = build_claude(fake.base_url)
        down, up = await answer(llm, caller_says("Hello?"), caller_says("Hello again?"))

    assert len(errors(up)) == 1
    assert texts(down) == ["I'm back."]
    assert llm.is_usable


@pytest.mark.parametrize(
    "reply", [Status(401, "authentication_error"), Stall(text="Our")], ids=["401", "stall"]
)
async def test_api_key_never_reaches_the_log(reply):
    with captured_log() as lines:
        async with FakeAnthropic([reply]) as fake:
            await answer(build_claude(fake.base_url), caller_says("Hi"))

    assert lines
    assert not [line for line in lines if API_KEY in line]
