"""The LLM hedge (services/llm_failover.py): a second LLM on a slow request, the first to answer wins.

Claude and the OpenAI-compatible server are the real Pipecat services against
the provider fakes. The first-token deadline is long (5 s) so that only the
hedge can answer a stalled Claude; the timings that decide who answers first
are seconds apart.
"""

from pipecat.adapters.llm.schemas.function_schema import FunctionSchema
from pipecat.services.llm_service import FunctionCallParams

from provider_fakes.anthropic_server import FakeAnthropic, Text, ToolUse
from provider_fakes.faults import Fault, Faults, Timing
from provider_fakes.openai_server import FakeOpenAI
from tests.test_llm_failover import ANSWER, Call, always, build_chain, caller, said

HEDGE_SECS = 0.2
DEADLINE_SECS = 5.0
SLOW = Timing(first_token_secs=1.5)
"""A primary slower than the hedge time, that still answers well before the hedge does."""
SLOWER = Timing(first_token_secs=6.0)
BOOK = {"day": "tomorrow"}


def hedged_chain(claude_url: str, local_url: str):
    return build_chain(
        claude_url,
        local_url,
        llm_hedge_secs=HEDGE_SECS,
        llm_first_token_deadline_secs=DEADLINE_SECS,
        failover_probe_secs=60,
    )


async def test_a_stalled_claude_is_answered_by_the_hedge_before_its_deadline():
    async with (
        FakeAnthropic(
            always(Text(ANSWER)), faults=Faults({0: Fault("stall", stall_secs=30)})
        ) as claude,
        FakeOpenAI(always(Text(ANSWER))) as local,
    ):
        chain = hedged_chain(claude.base_url, local.base_url)
        async with Call(chain) as call:
            await call.turn("When do you open?")

    assert said(call.heard) == "".join(ANSWER)
    (switch,) = chain.switches
    assert (switch.from_service, switch.to_service) == ("anthropic", "openai")
    assert "openai's came first" in switch.reason
    assert switch.answered_secs is not None and switch.answered_secs < DEADLINE_SECS


async def test_when_claude_answers_first_the_hedge_is_dropped():
    async with (
        FakeAnthropic(always(Text(ANSWER)), timing=SLOW) as claude,
        FakeOpenAI(always(Text(["Something else entirely."])), timing=SLOWER) as local,
    ):
        chain = hedged_chain(claude.base_url, local.base_url)
        async with Call(chain) as call:
            await call.turn("When do you open?")

    assert len(local.requests) == 1  # the hedge started
    assert said(call.heard) == "".join(ANSWER)
    assert chain.switches == []


def counting_tool(runs: list[str]):
    async def book(params: FunctionCallParams):
        runs.append(params.tool_call_id)
        await params.result_callback({"ok": True})

    return book


async def run_booking(claude_reply, local_reply, claude_timing, local_timing):
    runs: list[str] = []
    tool = FunctionSchema(
        name="book", description="Book.", properties={}, required=[], handler=counting_tool(runs)
    )
    async with (
        FakeAnthropic([claude_reply, Text(["Booked."])], timing=claude_timing) as claude,
        FakeOpenAI([local_reply, Text(["Booked."])], timing=local_timing) as local,
    ):
        chain = hedged_chain(claude.base_url, local.base_url)
        async with Call(chain, tools=[tool]) as call:
            await call.run.send(caller("Book it."))
            await call.run.wait_until(lambda: "Booked." in said(call.heard), "the answer")
    return runs, chain, said(call.heard)


async def test_claude_tool_call_first_runs_once_and_the_hedge_call_never_runs():
    runs, chain, heard = await run_booking(
        ToolUse("book", BOOK, tool_use_id="toolu_claude"),
        ToolUse("book", BOOK, tool_use_id="call_local"),
        SLOW,
        SLOWER,
    )
    assert runs == ["toolu_claude"]
    assert heard == "Booked."
    assert chain.switches == []


async def test_a_hedge_tool_call_first_runs_once_and_claude_call_never_runs():
    runs, chain, heard = await run_booking(
        ToolUse("book", BOOK, tool_use_id="toolu_claude"),
        ToolUse("book", BOOK, tool_use_id="call_local"),
        SLOWER,
        Timing(),
    )
    assert runs == ["call_local"]
    assert heard == "Booked."
    assert [s.to_service for s in chain.switches] == ["openai"]
