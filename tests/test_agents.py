"""The specialist agents (flows/agents.py, flows/agents_flow.py): each alone with a scripted
LLM, each handoff with the state carried over, and the handoff summary's content."""

from datetime import datetime

import pytest
from pipecat.frames.frames import ManuallySwitchServiceFrame
from pipecat.pipeline.llm_switcher import LLMSwitcher
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.processors.frame_processor import FrameDirection

from conversation.state import ConversationState
from flows.agents import AGENTS, HANDOFF_TOOL, AgentName, agent_models
from flows.agents_flow import AgentsFlow, node_tools
from flows.booking_flow import booking_flow_manager
from flows.booking_rules import BookingRules
from flows.booking_tools import BookingTools
from flows.escalation_monitor import EscalationMonitor
from flows.handoff_summary import handoff_summary, staff_summary
from function_calls import Breakers
from processors.escalation_watch import EscalationWatch
from settings import Settings
from store import ReservationStore
from tests.fakes.conversation import Heard, ResultsTakenIn
from tests.fakes.scripted_llm import ScriptedLLM, Step
from tests.test_booking_flow import PHONE, RESTAURANT, FlowCall, confirm, read_back, reference, seed

NOW = datetime(2030, 1, 2, 10, 0)
WHEN = {"date": "2030-01-03", "time": "19:30", "party_size": 4}


@pytest.fixture
def tools(tmp_path):
    rules = BookingRules.from_settings(Settings(_env_file=None), clock=lambda: NOW)
    store = ReservationStore.open(f"sqlite:///{tmp_path}/r.db", (2, 4, 6), rules.seating)
    yield BookingTools(store, rules, "Chez Test", timeout_secs=1.0)
    store.close()


def known_state() -> ConversationState:
    """A caller who said when, how many, their name and number, clearly."""
    state = ConversationState(turn=3, intent="book")
    for slot, value in (
        ("day", "2030-01-03"),
        ("at", "19:30"),
        ("party_size", "4"),
        ("name", "Anna Smith"),
        ("phone", "+447911123456"),
    ):
        state.fill(slot, value, 0.9, turn=1)
    return state


class AgentsCall(FlowCall):
    """`FlowCall` with the agents flow, started at `first`, and the escalation watch."""

    def __init__(self, tools, script, state=None, first=AgentName.RECEPTION, models=None, llm=None):
        self.llm = llm or ScriptedLLM(script)
        self.context = LLMContext()
        pair = LLMContextAggregatorPair(self.context)
        self.heard = Heard()
        self.watch = EscalationWatch(EscalationMonitor().observe)
        assistant = pair.assistant()
        self.worker = PipelineWorker(
            Pipeline([pair.user(), self.watch, self.llm, self.heard, assistant]),
            observers=[ResultsTakenIn(assistant, self.heard)],
        )
        gate = tools.gate("call-1", Breakers())
        model_service = llm.llms[0] if isinstance(llm, LLMSwitcher) else None
        self.flow = AgentsFlow(
            tools, gate, RESTAURANT, state, models=models, model_service=model_service
        )
        self.manager = booking_flow_manager(
            self.flow, llm=self.llm, context_aggregator=pair, worker=self.worker
        )
        self.watch.on_trigger = lambda trigger: self.flow.escalate(self.manager, trigger)
        if first != AgentName.RECEPTION:
            self.flow.start = lambda: self.flow.entry(first)
        self.nodes: list[str] = []

    def tools_offered(self) -> set[str]:
        return {tool.name for tool in self.context.tools.standard_tools}


# -- the agents' boundaries ----------------------------------------------------------------


def test_every_node_offers_only_its_agents_tools(tools):
    flow = AgentsFlow(tools, tools.gate("call-1", Breakers()), RESTAURANT)
    nodes = {
        AgentName.RECEPTION: [flow.start(), flow.entry(AgentName.RECEPTION)],
        AgentName.NEW_BOOKING: [flow.entry(AgentName.NEW_BOOKING), flow.details()],
        AgentName.EXISTING_BOOKING: [flow.entry(AgentName.EXISTING_BOOKING), flow.manage()],
        AgentName.ESCALATION: [flow.entry(AgentName.ESCALATION)],
    }
    for agent, built in nodes.items():
        for node in built:
            assert node_tools(node) <= set(AGENTS[agent].tools), (agent, node["name"])
        # The first node sets the agent's role; the LLM keeps it for the agent's other nodes.
        assert AGENTS[agent].prompt in built[0]["role_message"]
    assert {f.name for f in flow.global_functions()} == {"to_escalation", "end_call"}


# -- each agent alone ----------------------------------------------------------------------


async def test_reception_alone_answers_a_question_and_offers_no_booking_tool(tools):
    call = AgentsCall(tools, [Step("Hello, Chez Test."), Step("We are open from noon to ten.")])
    await call.run("When are you open?")
    assert call.manager.current_node == "start" and call.flow.agent == AgentName.RECEPTION
    assert call.tools_offered() == {
        "to_new_booking",
        "to_existing_booking",
        "to_escalation",
        "end_call",
    }
    assert "receptionist" in call.llm._settings.system_instruction
    assert call.flow.handoffs == []


async def test_new_booking_alone_books_a_table_and_hands_back_to_reception(tools):
    booking = {**WHEN, "name": "Anna Smith", "phone": PHONE}
    call = AgentsCall(
        tools,
        [
            Step("What day, time and how many?"),
            Step(calls=[("check_availability", WHEN)]),
            Step("A table is free. Name and number?"),
            Step(calls=[("book_table", booking)]),
            confirm,
            Step("Anything else?"),
        ],
        first=AgentName.NEW_BOOKING,
    )
    await call.run("Four tomorrow at half seven.", f"Anna Smith, {PHONE}, yes book it.")
    (made,) = await tools.store.bookings()
    assert (made.name, made.party_size) == ("Anna Smith", 4)
    assert call.flow.handoffs[-1] == (AgentName.NEW_BOOKING, AgentName.RECEPTION)
    assert call.manager.current_node == "anything_else"


async def test_existing_booking_alone_cancels_after_a_yes(tools):
    await seed(tools)
    call = AgentsCall(
        tools,
        [
            Step("Which booking?"),
            Step(calls=[("find_booking", {"phone": PHONE, "name": "Ada"})]),
            lambda m: Step(calls=[("cancel_booking", {"reference": reference(m)})]),
            read_back,
            lambda m: Step(calls=[("cancel_booking", {"reference": reference(m)})]),
            confirm,
            Step("Anything else?"),
        ],
        first=AgentName.EXISTING_BOOKING,
    )
    await call.run(f"Cancel the booking for Ada, {PHONE}.", "Yes.")
    assert [b.status for b in await tools.store.bookings()] == ["cancelled"]
    assert "book_table" not in call.tools_offered()
    assert call.flow.handoffs[-1] == (AgentName.EXISTING_BOOKING, AgentName.RECEPTION)


async def test_escalation_alone_hands_over_with_the_staff_summary(tools):
    call = AgentsCall(
        tools,
        [
            Step("Shall I put you through to a member of staff?"),
            Step(calls=[("transfer_to_human", {"reason": "the caller asked for a person"})]),
            Step("Someone will be with you shortly."),
        ],
        state=known_state(),
        first=AgentName.ESCALATION,
    )
    await call.run("Yes please.")
    (note,) = await tools.store.outbox()
    assert note.channel == "staff"
    assert note.body == (
        "A caller needs a person: the caller asked for a person. Wants: book. "
        "day 2030-01-03; time 19:30; party size 4. After 3 caller turns."
    )
    assert "Anna" not in note.body and "7911" not in note.body


# -- handoffs carry the state --------------------------------------------------------------

HANDOFFS = [
    (AgentName.RECEPTION, AgentName.NEW_BOOKING),
    (AgentName.RECEPTION, AgentName.EXISTING_BOOKING),
    (AgentName.NEW_BOOKING, AgentName.EXISTING_BOOKING),
    (AgentName.EXISTING_BOOKING, AgentName.NEW_BOOKING),
    (AgentName.NEW_BOOKING, AgentName.RECEPTION),
    (AgentName.RECEPTION, AgentName.ESCALATION),
]


@pytest.mark.parametrize(("source", "target"), HANDOFFS, ids=lambda a: a.value)
async def test_a_handoff_gives_the_next_agent_the_state_summary(tools, source, target):
    state = known_state()
    call = AgentsCall(
        tools,
        [Step("Hello."), Step(calls=[(HANDOFF_TOOL[target], {})]), Step("Right.")],
        state=state,
        first=source,
    )
    await call.run("Something else, please.")
    assert call.flow.agent == target and call.flow.handoffs[-1] == (source, target)
    assert call.flow.state is state
    instructions = " ".join(m["content"] for m in call.llm.seen[-1] if m.get("role") == "developer")
    assert "day 2030-01-03; time 19:30; party size 4" in instructions
    assert "They gave their name and phone" in instructions
    assert AGENTS[target].prompt in call.llm._settings.system_instruction
    offered = call.tools_offered() - set(HANDOFF_TOOL.values()) - {"end_call"}
    assert offered <= set(AGENTS[target].tools)


async def test_new_booking_books_with_the_name_and_phone_reception_was_told(tools):
    call = AgentsCall(
        tools,
        [
            Step("Hello."),
            Step(calls=[("to_new_booking", {})]),
            Step(calls=[("check_availability", WHEN)]),
            Step("Free. Shall I book it?"),
            Step(calls=[("book_table", WHEN)]),
            Step("Done."),
        ],
        state=known_state(),
    )
    await call.run("A table for four tomorrow at half seven; I'm Anna Smith.", "Yes.")
    (made,) = await tools.store.bookings()
    assert (made.name, made.phone) == ("Anna Smith", "+447911123456")


# -- a model per agent --------------------------------------------------------------------


async def test_each_agent_runs_on_its_own_model(tools):
    models = {AgentName.RECEPTION: "small-fast", AgentName.NEW_BOOKING: "large"}
    seen: list[str] = []
    call = AgentsCall(
        tools,
        [
            lambda m: seen.append(call.llm._settings.model) or Step("Hello."),
            Step(calls=[("to_new_booking", {})]),
            lambda m: seen.append(call.llm._settings.model) or Step("What day?"),
        ],
        models=models,
    )
    await call.run("I'd like to book.")
    assert seen == ["small-fast", "large"]


async def test_an_agents_model_goes_to_the_chains_first_llm_only(tools):
    """After a failover the active LLM is a fallback (maybe another provider): it keeps its
    model, and the first LLM has the agent's ready for when it is back."""
    first, fallback = ScriptedLLM([]), ScriptedLLM([Step("Hello.")])
    switcher = LLMSwitcher([first, fallback])
    call = AgentsCall(tools, [], models={AgentName.RECEPTION: "small-fast"}, llm=switcher)
    # As after a failover: the fallback is the active LLM.
    switch = ManuallySwitchServiceFrame(service=fallback)
    assert await switcher.strategy.handle_frame(switch, FrameDirection.DOWNSTREAM) is fallback
    await call.run()
    assert fallback._settings.model == "scripted" and fallback.seen
    assert first._settings.model == "small-fast" and not first.seen


def test_agent_models_come_from_settings_and_default_to_the_llms_own():
    claude = {"_env_file": None, "anthropic_api_key": "sk-test", "anthropic_model": "claude-x"}
    assert agent_models(Settings(**claude)) == {}
    models = agent_models(Settings(**claude, agent_reception_model="claude-small"))
    assert models[AgentName.RECEPTION] == "claude-small"
    assert models[AgentName.NEW_BOOKING] == "claude-x"


# -- the summary ---------------------------------------------------------------------------


def test_the_handoff_summary_says_where_the_call_stands_without_personal_data():
    text = handoff_summary(known_state(), AgentName.RECEPTION, AgentName.NEW_BOOKING)
    assert text.startswith("Handed over from reception to new booking.")
    assert "The caller wants: book." in text
    assert "day 2030-01-03; time 19:30; party size 4" in text
    assert "Anna" not in text and "+44" not in text
    assert len(text) < 400


def test_the_summary_leaves_out_what_the_caller_only_half_said_and_the_free_text():
    state = ConversationState(turn=2, summary="Anna Smith called about her birthday.")
    state.fill("party_size", "4", 0.5, turn=1)
    text = handoff_summary(state, AgentName.RECEPTION, AgentName.ESCALATION, "asked for a person")
    assert "party size" not in text and "Anna" not in text and "birthday" not in text
    assert "(asked for a person)" in text


def test_the_staff_summary_is_one_short_paragraph():
    text = staff_summary(known_state(), "the caller sounds frustrated")
    assert text == (
        "the caller sounds frustrated. Wants: book. day 2030-01-03; time 19:30; party size 4. "
        "After 3 caller turns"
    )
