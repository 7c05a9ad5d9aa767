"""The escalation monitor's four triggers, the watch that acts on them, and the agents flow
handing the call to escalation when it fires."""

import json

import pytest
from pipecat.frames.frames import LLMContextFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.tests.utils import run_test

from app.escalation_part import escalation_watch
from flows.agents import AgentName
from flows.escalation_monitor import EscalationMonitor, Trigger
from processors.escalation_watch import EscalationWatch
from settings import Settings
from tests.fakes.cloud_settings import unreachable_cloud_settings
from tests.fakes.scripted_llm import ScriptedLLM, Step
from tests.test_agents import AgentsCall, tools  # noqa: F401 (a fixture)

LOST = "Sorry, I didn't catch that. Could you say it again?"


def user(text: str) -> dict:
    return {"role": "user", "content": text}


def bot(text: str) -> dict:
    return {"role": "assistant", "content": text}


def tool_result(error: str | None, call: int) -> dict:
    result = {"ok": False, "error": error} if error else {"ok": True}
    return {"role": "tool", "tool_call_id": f"call-{call}", "content": json.dumps(result)}


def test_asking_for_a_person_triggers_at_once():
    monitor = EscalationMonitor()
    assert monitor.observe([bot("Hello."), user("Can I speak to a real person please?")]) == (
        Trigger.ASKED
    )


@pytest.mark.parametrize(
    "said", ["Get me a manager NOW.", "Let me talk to a real human being.", "Put me through."]
)
def test_a_person_asked_for_in_other_words_triggers(said):
    assert EscalationMonitor().observe([user(said)]) == Trigger.ASKED


@pytest.mark.parametrize("said", ["I already told you, seven o'clock!", "You stupid bot."])
def test_a_frustrated_caller_triggers(said):
    assert EscalationMonitor().observe([user(said)]) == Trigger.FRUSTRATED


def test_ordinary_words_do_not_trigger():
    monitor = EscalationMonitor()
    said = [
        user("A table for a person and a baby, for the manager's birthday."),
        bot("For two at seven?"),
    ]
    assert monitor.observe(said + [user("Yes, that's useful, thanks.")]) is None


def test_three_misunderstood_turns_in_a_row_trigger_and_two_do_not():
    monitor = EscalationMonitor()
    messages = [bot(LOST), user("mumble"), bot(LOST), user("mumble")]
    assert monitor.observe(messages) is None
    messages += [bot("For four people?"), user("mumble"), bot(LOST), user("mumble"), bot(LOST)]
    assert monitor.observe(messages) is None  # an understood turn between resets the count
    assert monitor.observe([*messages, user("mumble"), bot(LOST)]) == Trigger.MISUNDERSTOOD


def test_the_same_question_three_more_times_in_a_row_triggers():
    question = "Of course. What phone number is the booking under?"
    messages = [m for _ in range(3) for m in (bot(question), user("cancel my booking"))]
    monitor = EscalationMonitor()
    assert monitor.observe(messages) is None  # asked, then twice again
    assert monitor.observe([*messages, bot(question)]) == Trigger.MISUNDERSTOOD


def test_two_failed_tools_trigger_and_a_business_outcome_does_not():
    monitor = EscalationMonitor()
    messages = [tool_result("failed", 1), tool_result("not_found", 2), tool_result(None, 3)]
    assert monitor.observe(messages) is None
    assert monitor.observe([*messages, tool_result("unavailable", 4)]) == Trigger.TOOLS_FAILED


def test_a_message_read_again_after_compaction_is_not_counted_twice():
    monitor = EscalationMonitor()
    failed = tool_result("failed", 1)
    assert monitor.observe([user("hi"), failed]) is None
    assert monitor.observe([failed]) is None  # the compiler dropped the older messages


def test_it_fires_once_per_call():
    monitor = EscalationMonitor()
    assert monitor.observe([user("this is useless")]) == Trigger.FRUSTRATED
    assert monitor.observe([user("this is useless"), user("put me through")]) is None


async def test_the_watch_holds_back_the_turn_it_escalates_and_passes_the_others():
    fired: list[str] = []

    async def on_trigger(trigger: str) -> bool:
        fired.append(trigger)
        return True

    watch = EscalationWatch(EscalationMonitor().observe)
    watch.on_trigger = on_trigger
    calm = LLMContextFrame(LLMContext([user("A table for two.")]))
    fed_up = LLMContextFrame(LLMContext([user("This is useless.")]))
    down, _ = await run_test(
        watch, frames_to_send=[calm, fed_up], expected_down_frames=[LLMContextFrame]
    )
    assert down[0] is calm
    assert fired == [Trigger.FRUSTRATED]


async def test_the_watch_reads_a_turn_answered_before_its_end_is_confirmed():
    # The speculative reply (turns/turn_end_floor.py) must be escalation's: its confirmed
    # twin never reaches the LLM.
    fired = []

    async def on_trigger(trigger: Trigger) -> bool:
        fired.append(trigger)
        return False

    watch = EscalationWatch(EscalationMonitor().observe)
    watch.on_trigger = on_trigger
    fed_up = LLMContextFrame(LLMContext([user("This is useless.")]), speculation=True)
    await run_test(watch, frames_to_send=[fed_up], expected_down_frames=[LLMContextFrame])
    assert fired == [Trigger.FRUSTRATED]


def test_the_watch_is_a_part_of_flow_agents_only_with_or_without_an_llm():
    claude = {"_env_file": None, "anthropic_api_key": "sk-test"}
    assert escalation_watch(Settings(**claude, flow="agents")) is not None
    assert escalation_watch(Settings(**claude)) is None  # FLOW=single, the default
    assert escalation_watch(Settings(_env_file=None, flow="agents")) is not None  # on-device
    assert escalation_watch(Settings(_env_file=None)) is None


async def test_a_frustrated_caller_is_handed_to_escalation_which_answers_the_turn(tools):  # noqa: F811
    call = AgentsCall(
        tools,
        [
            Step("Hello, how can I help?"),
            Step("Shall I put you through to a member of staff?"),
        ],
    )
    await call.run("This is useless.")
    assert call.flow.agent == AgentName.ESCALATION
    assert call.manager.current_node == "escalation"
    assert len(call.llm.seen) == 2  # one reply to the turn: the offer, not the old agent's
    assert "the caller sounds frustrated" in json.dumps(call.llm.seen[-1])
    assert "transfer_to_human" in call.tools_offered()


def test_flow_agents_starts_the_agents_flow_and_gives_the_watch_its_escalation(tmp_path):
    from app.call_parts import booking_session
    from tests.test_booking_flow import RESTAURANT

    def started(flow: str):
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite:///{tmp_path}/{flow}.db",
            anthropic_api_key="sk-test",
            flow=flow,
        )
        session = booking_session(settings, RESTAURANT)
        context = LLMContext()
        pair = LLMContextAggregatorPair(context)
        llm = ScriptedLLM([])
        worker = PipelineWorker(Pipeline([pair.user(), llm, pair.assistant()]))
        session.starter(llm, context, pair, worker)
        return session

    assert started("agents").escalation is not None
    assert started("single").escalation is None


def test_the_bots_pipeline_with_flow_agents_has_a_watch_that_can_escalate(tmp_path):
    from app.worker import build_worker
    from harness.audio_transport import ScriptedCallTransport

    settings = unreachable_cloud_settings(database_url=f"sqlite:///{tmp_path}/r.db", flow="agents")
    worker, _ = build_worker(ScriptedCallTransport(), settings)

    def watches(processor) -> list:
        if isinstance(processor, EscalationWatch):
            return [processor]
        return [w for p in getattr(processor, "processors", []) for w in watches(p)]

    (watch,) = watches(worker.pipeline)
    assert watch.on_trigger is not None
