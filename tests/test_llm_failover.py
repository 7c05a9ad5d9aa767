"""The LLM chain (Claude -> OpenAI-compatible server -> on-device engine) on the real services.

Claude and the OpenAI-compatible server are the real Pipecat services against
the provider fakes; each fault kind is put on a turn, and the turn must still be
answered, by the next LLM, with nothing said twice. Deadlines and probes are
short so the whole file runs in seconds.
"""

import pytest
from pipecat.frames.frames import (
    LLMConfigureOutputFrame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMMessagesAppendFrame,
    LLMTextFrame,
    UserStoppedSpeakingFrame,
)
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.processors.frame_processor import FrameDirection

from provider_fakes.anthropic_server import API_KEY, FakeAnthropic, Status, Text, ToolUse
from provider_fakes.faults import FAULT_KINDS, Fault, Faults
from provider_fakes.openai_server import FakeOpenAI
from services.llm import create_llm
from services.llm_failover import LLMFailover, LLMReplay
from services.ondevice_llm import Dialogue, DialogueTurn, Reply
from settings import Settings
from tests.fakes.pipeline import Collector, PipelineRun

ANSWER = ["We open at noon.", " See you soon."]
ON_DEVICE = "We open at noon, said the engine."
DEADLINE_SECS = 0.8
"""Long enough for a first request on a loaded 2-core machine (a new client, a new connection)."""


def engine_answer(turn: DialogueTurn) -> Reply:
    return Reply(ON_DEVICE)


def build_chain(claude_url: str, local_url: str | None, **overrides) -> LLMFailover:
    settings = Settings(
        _env_file=None,
        anthropic_api_key=API_KEY,
        anthropic_base_url=claude_url,
        anthropic_timeout_secs=5,
        anthropic_max_retries=0,
        openai_base_url=local_url,
        llm_first_token_deadline_secs=overrides.pop("llm_first_token_deadline_secs", DEADLINE_SECS),
        failover_probe_secs=overrides.pop("failover_probe_secs", 0.05),
        **overrides,
    )
    llm = create_llm(
        settings,
        system_instruction="You answer the phone for a test restaurant.",
        dialogue=Dialogue(intents=(), opening=engine_answer, fallback=engine_answer),
    )
    assert isinstance(llm, LLMFailover)
    return llm


def said(collector: Collector) -> str:
    return "".join(f.text for f in collector.frames if isinstance(f, LLMTextFrame))


def answers(collector: Collector) -> int:
    return sum(isinstance(f, LLMFullResponseEndFrame) for f in collector.frames)


def caller(text: str) -> LLMMessagesAppendFrame:
    return LLMMessagesAppendFrame(messages=[{"role": "user", "content": text}], run_llm=True)


class Call:
    """A running pipeline: user aggregator, the chain, what it said, assistant aggregator."""

    def __init__(self, llm: LLMFailover, tools=()):
        self.llm = llm
        self.heard = Collector()
        self.context = LLMContext(tools=list(tools)) if tools else LLMContext()
        user, assistant = LLMContextAggregatorPair(self.context)
        self.run = PipelineRun([user, llm, self.heard, assistant])

    async def __aenter__(self) -> "Call":
        await self.run.__aenter__()
        return self

    async def __aexit__(self, *exc):
        await self.run.__aexit__(*exc)

    async def turn(self, text: str):
        """The caller says `text`; returns once the bot's answer has ended."""
        before = answers(self.heard)
        await self.run.send(caller(text))
        await self.run.wait_until(lambda: answers(self.heard) > before, f"an answer to {text!r}")


def always(reply):
    return lambda body: reply


@pytest.mark.parametrize("kind", FAULT_KINDS)
async def test_each_claude_fault_is_answered_by_the_next_llm_once(kind):
    fault = Fault(kind, after=2, trickle_secs=2 * DEADLINE_SECS)
    async with (
        FakeAnthropic(always(Text(ANSWER)), faults=Faults({0: fault})) as claude,
        FakeOpenAI(always(Text(ANSWER))) as local,
    ):
        chain = build_chain(claude.base_url, local.base_url, failover_probe_secs=60)
        async with Call(chain) as call:
            await call.turn("When do you open?")

    assert said(call.heard) == "".join(ANSWER)
    (switch,) = call.llm.switches
    assert (switch.stage, switch.kind, switch.from_service, switch.to_service) == (
        "llm",
        "failover",
        "anthropic",
        "openai",
    )
    assert switch.answered_secs is not None and switch.answered_secs < 3 * DEADLINE_SECS
    assert len(local.requests) == 1
    assert local.requests[0]["messages"][-1] == {"role": "user", "content": "When do you open?"}


async def test_a_drop_after_a_whole_sentence_does_not_say_it_again():
    # Claude's first four words make a whole sentence, which is passed on; then it drops.
    fault = Fault("drop", after=4)
    async with (
        FakeAnthropic(always(Text(ANSWER)), faults=Faults({0: fault})) as claude,
        FakeOpenAI(always(Text(ANSWER))) as local,
    ):
        async with Call(build_chain(claude.base_url, local.base_url)) as call:
            await call.turn("When do you open?")

    assert said(call.heard) == "We open at noon. See you soon."


async def test_with_claude_and_the_server_down_the_ondevice_engine_answers():
    async with (
        FakeAnthropic(always(Status(500, "api_error"))) as claude,
        FakeOpenAI(always(Text(ANSWER)), faults=Faults(lambda n: Fault("refuse"))) as local,
    ):
        async with Call(build_chain(claude.base_url, local.base_url)) as call:
            await call.turn("When do you open?")

    assert said(call.heard) == ON_DEVICE
    assert [s.to_service for s in call.llm.switches] == ["openai", "ondevice"]


async def test_claude_is_probed_and_answers_again_from_the_next_turn():
    async with (
        FakeAnthropic(always(Text(ANSWER)), faults=Faults({0: Fault("500")})) as claude,
        FakeOpenAI(always(Text(["From the server."]))) as local,
    ):
        async with Call(build_chain(claude.base_url, local.base_url)) as call:
            await call.turn("When do you open?")
            await call.run.wait_until(lambda: call.llm.healthy("anthropic"), "a probe of Claude")
            await call.turn("And on Sundays?")

    assert said(call.heard) == "From the server." + "".join(ANSWER)
    assert [(s.kind, s.to_service) for s in call.llm.switches] == [
        ("failover", "openai"),
        ("recovery", "anthropic"),
    ]
    # The turn, the probe, the next turn.
    assert len(claude.requests) == 3


async def test_a_flapping_claude_stays_off_for_its_cool_down():
    def turns_fail(body):
        probe = body["messages"][-1]["content"] in (
            "Say OK.",
            [{"type": "text", "text": "Say OK."}],
        )
        return Text(["OK"]) if probe else Status(500, "api_error")

    async with (
        FakeAnthropic(turns_fail) as claude,
        FakeOpenAI(always(Text(["From the server."]))) as local,
    ):
        chain = build_chain(
            claude.base_url, local.base_url, failover_flap_failures=2, failover_cooldown_secs=600
        )
        async with Call(chain) as call:
            await call.turn("One?")
            await call.run.wait_until(lambda: chain.healthy("anthropic"), "a probe of Claude")
            await call.turn("Two?")  # back on Claude, which fails again: now it flaps
            await call.turn("Three?")

    assert [(s.kind, s.to_service) for s in chain.switches] == [
        ("failover", "openai"),
        ("recovery", "anthropic"),
        ("failover", "openai"),
    ]
    assert "flapping" in chain.switches[-1].reason
    assert said(call.heard) == "From the server." * 3
    # Two turns and one probe: none during the cool-down, and turn three went to the server.
    assert len(claude.requests) == 3


async def test_a_replay_after_a_booking_the_gate_ran_books_once(tmp_path):
    from datetime import datetime

    from flows.booking_rules import BookingRules
    from flows.booking_tools import BookingTools
    from function_calls import Breakers
    from store import ReservationStore

    booking = {
        "name": "Anna Smith",
        "phone": "07911 123456",
        "date": "2030-01-03",
        "time": "19:30",
        "party_size": 4,
        "notes": "",
    }
    rules = BookingRules.from_settings(
        Settings(_env_file=None), clock=lambda: datetime(2030, 1, 2, 10, 0)
    )
    store = ReservationStore.open(f"sqlite:///{tmp_path}/r.db", (2, 4, 6), rules.seating)
    tools = BookingTools(store, rules, "Chez Test")
    gate = tools.gate("call-1", Breakers())
    book = ToolUse("book_table", booking, tool_use_id="toolu_book")
    # Claude books; its answer after the tool result fails with a 500, and the
    # server, given the same context, books again before it answers.
    local_replies = [ToolUse("book_table", booking, tool_use_id="call_again"), Text(["Booked."])]
    try:
        async with (
            FakeAnthropic([book], faults=Faults({1: Fault("500")})) as claude,
            FakeOpenAI(local_replies) as local,
        ):
            chain = build_chain(claude.base_url, local.base_url, failover_probe_secs=60)
            async with Call(chain, tools=tools.schemas(gate)) as call:
                await call.run.send(caller("A table for four tomorrow at 7:30, Anna Smith."))
                await call.run.wait_until(lambda: "Booked." in said(call.heard), "the answer")
        bookings = await store.bookings()
    finally:
        store.close()

    assert len(bookings) == 1
    assert [s.to_service for s in chain.switches] == ["openai"]
    # The server saw Claude's booking and its result in the replayed context.
    first = local.requests[0]["messages"]
    assert any(m.get("tool_calls") for m in first if m["role"] == "assistant")
    assert any(m["role"] == "tool" for m in first)


async def test_a_stream_that_stalls_mid_answer_is_finished_by_the_next_llm():
    # Claude's first two words come, then nothing: the idle deadline, not the client's
    # own timeout (5 s here), moves the turn on; the unfinished sentence is said once.
    fault = Fault("stall", stall_after=2, stall_secs=30)
    async with (
        FakeAnthropic(always(Text(ANSWER)), faults=Faults({0: fault})) as claude,
        FakeOpenAI(always(Text(ANSWER))) as local,
    ):
        chain = build_chain(
            claude.base_url, local.base_url, llm_idle_deadline_secs=0.3, failover_probe_secs=60
        )
        async with Call(chain) as call:
            await call.turn("When do you open?")

    assert said(call.heard) == "".join(ANSWER)
    (switch,) = chain.switches
    assert switch.to_service == "openai"
    assert switch.reason.startswith("stalled mid-answer")


def test_a_replay_of_a_turn_not_yet_confirmed_stays_speculative():
    # Its reply must be held until the turn end, as the failed LLM's was.
    replay = LLMReplay(deadline_secs=1.0)
    replay.on_input(LLMContextFrame(LLMContext(), speculation=True), FrameDirection.DOWNSTREAM)
    [(frame, _)] = replay.replay()
    assert frame.speculation


def test_a_replay_after_the_turn_end_is_not_speculative():
    replay = LLMReplay(deadline_secs=1.0)
    replay.on_input(LLMContextFrame(LLMContext(), speculation=True), FrameDirection.DOWNSTREAM)
    replay.on_input(UserStoppedSpeakingFrame(), FrameDirection.DOWNSTREAM)
    [(frame, _)] = replay.replay()
    assert not frame.speculation


async def test_a_reply_made_above_the_chain_passes_through_it_whole():
    # The fast path answers before the LLM: after Claude's own answer, its start, words and
    # end pass as they came (the start was dropped as a repeat of Claude's).
    async with FakeAnthropic(always(Text(ANSWER))) as claude:
        async with Call(build_chain(claude.base_url, None)) as call:
            await call.turn("When do you open?")
            reply = [
                LLMFullResponseStartFrame(),
                LLMTextFrame("Hi there."),
                LLMFullResponseEndFrame(),
            ]
            await call.run.send(*reply)
            await call.run.wait_until(lambda: answers(call.heard) == 2, "the reply from above")

    kinds = (LLMFullResponseStartFrame, LLMTextFrame, LLMFullResponseEndFrame)
    passed = [f for f in call.heard.frames if isinstance(f, kinds)]
    assert [f.id for f in passed[-3:]] == [f.id for f in reply]
    assert len(claude.requests) == 1


async def test_a_text_only_call_keeps_the_reply_unspoken_through_the_chain():
    # The evals' text modality: Claude's sentences, passed on as new frames, stay unspoken.
    async with FakeAnthropic(always(Text(ANSWER))) as claude:
        async with Call(build_chain(claude.base_url, None)) as call:
            await call.run.send(LLMConfigureOutputFrame(skip_tts=True))
            await call.turn("When do you open?")

    words = [f for f in call.heard.frames if isinstance(f, LLMTextFrame)]
    assert words and all(f.skip_tts for f in words)
