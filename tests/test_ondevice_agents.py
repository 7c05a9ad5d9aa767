"""The four agents offline (flows/ondevice_agents.py): the on-device brain's call split along
flows/agents.py's boundaries, with the flow's handoffs, the typed state's summaries and the
escalation monitor. Text only, through the real engine, tools, gate and escalation watch."""

import json
from datetime import date, time

from conversation.state import ConversationState
from flows.agents import AGENTS, AgentName
from flows.booking_tools import BookingTools
from flows.call_tools import END_CALL
from flows.escalation_monitor import EscalationMonitor
from flows.ondevice_agents import Handoff, OfflineAgents, allowed_tools
from flows.ondevice_bookings import OfflineBookings
from flows.ondevice_dialogue import restaurant_dialogue
from flows.restaurant import Restaurant
from function_calls import Breakers
from processors.escalation_watch import EscalationWatch
from services.ondevice_llm import OnDeviceLLMService
from tests.fakes.conversation import converse, turns

RESTAURANT = Restaurant(name="Chez Test", hours="from noon to ten", address="1 Test Road")
R, N, E, S = (
    AgentName.RECEPTION,
    AgentName.NEW_BOOKING,
    AgentName.EXISTING_BOOKING,
    AgentName.ESCALATION,
)
BOOK = (
    "Hi, I'd like to book a table for four tomorrow at half past seven.",
    "My name is Anna Smith.",
    "It's 07911 123456.",
    "Yes please.",
)


async def call(store, rules, *said, state=None):
    """A text call with FLOW=agents offline: the agents, their tools and the watch."""
    state = state if state is not None else ConversationState()
    tools = BookingTools(store, rules, "Chez Test", timeout_secs=1.0)
    gate = tools.gate("call-1", Breakers(), backoff_initial_secs=0.01)
    desk = OfflineBookings(rules, state)
    agents = OfflineAgents(
        restaurant_dialogue(RESTAURANT, rules, state, bookings=desk), desk, state
    )
    watch = EscalationWatch(EscalationMonitor().observe)
    watch.on_trigger = agents.escalate
    conversation = await converse(
        OnDeviceLLMService(dialogue=agents),
        [END_CALL, *tools.schemas(gate), *agents.tools()],
        turns(*said),
        before_llm=[watch],
    )
    return agents, conversation


def handed(agents: OfflineAgents) -> list[tuple[AgentName, AgentName]]:
    return [(h.source, h.target) for h in agents.handoffs]


def called(conversation) -> list[tuple[str, dict]]:
    """Every tool call in the context, in order, with its arguments."""
    return [
        (c["function"]["name"], json.loads(c["function"]["arguments"] or "{}"))
        for m in conversation.context.get_messages()
        for c in m.get("tool_calls") or []
    ]


def results(conversation, name: str) -> list[dict]:
    ids = {
        c["id"]
        for m in conversation.context.get_messages()
        for c in m.get("tool_calls") or []
        if c["function"]["name"] == name
    }
    return [
        json.loads(m["content"])
        for m in conversation.context.get_messages()
        if m.get("role") == "tool" and m.get("tool_call_id") in ids
    ]


def within_boundaries(agents: OfflineAgents) -> bool:
    return all(tool in allowed_tools(agent) for agent, tool in agents.calls)


async def test_reception_alone_answers_the_restaurants_questions_with_no_handoff(store, rules):
    agents, conversation = await call(store, rules, "What are your opening hours?", "Bye.")
    assert conversation.replies == [
        "We are open from noon to ten.",
        "Thank you for calling Chez Test. Goodbye!",
    ]
    assert agents.handoffs == [] and agents.agent == R
    assert [name for name, _ in called(conversation)] == ["end_call"]


async def test_new_booking_takes_the_booking_and_hands_back_to_reception(store, rules):
    agents, conversation = await call(store, rules, *BOOK)
    assert handed(agents) == [(R, N), (N, R)]
    assert [name for name, _ in called(conversation)] == [
        "to_new_booking",
        "check_availability",
        "book_table",
        "send_confirmation",
        "to_reception",
    ]
    assert {tool for agent, tool in agents.calls if agent == N} == set(AGENTS[N].tools)
    assert within_boundaries(agents)
    assert conversation.replies[-1].endswith("Is there anything else I can help with?")
    assert len(await store.bookings()) == 1


async def test_existing_booking_cancels_a_booking_made_before_the_call(store, rules):
    await store.book(
        name="Anna Smith",
        phone="+447911123456",
        day=date(2030, 1, 4),
        at=time(19, 0),
        party_size=2,
        notes="",
        idempotency_key="seed-1",
    )
    agents, conversation = await call(
        store, rules, "I need to cancel my booking.", "07911 123456", "Anna Smith.", "Yes."
    )
    assert handed(agents) == [(R, E), (E, R)]
    assert [tool for agent, tool in agents.calls if agent == E] == [
        "find_booking",
        "cancel_booking",
        "cancel_booking",
        "send_confirmation",
    ]
    assert within_boundaries(agents)
    assert (await store.bookings())[0].status == "cancelled"


async def test_a_handoff_carries_the_typed_state_to_the_next_agent(store, rules):
    state = ConversationState(turn=2, intent="book")
    state.fill("name", "Anna Smith", 0.9, turn=1)
    state.fill("phone", "+447911123456", 0.9, turn=1)
    agents, conversation = await call(
        store, rules, "A table for four tomorrow at half past seven, please.", state=state
    )
    (handoff,) = agents.handoffs
    assert handoff == Handoff(
        R,
        N,
        "Handed over from reception to new booking. The caller wants: book. They gave their "
        "name and phone (the tools have them): do not ask again. Caller turns so far: 2.",
    )
    assert results(conversation, "to_new_booking") == [
        {"agent": "new_booking", "summary": handoff.summary}
    ]
    # The new agent reads the name and phone from the same state: no question, the read-back.
    assert conversation.replies[-1].endswith(
        "under the name Anna Smith, phone 07911 123456. Shall I book it?"
    )


async def test_a_caller_who_asks_for_a_person_is_put_through_with_the_staff_summary(store, rules):
    state = ConversationState(turn=1, intent="book")
    state.fill("party_size", "4", 0.9, turn=1)
    agents, conversation = await call(
        store, rules, "Can I talk to a real person, please?", state=state
    )
    assert handed(agents) == [(R, S), (S, R)]
    assert agents.handoffs[0].summary.startswith(
        "Handed over from reception to escalation (the caller asked for a person)."
    )
    ((_, transfer),) = [c for c in called(conversation) if c[0] == "transfer_to_human"]
    assert transfer == {
        "reason": "the caller asked for a person. Wants: book. party size 4. After 1 caller turns"
    }
    (message,) = [m for m in await store.outbox() if m.channel == "staff"]
    assert message.body == f"A caller needs a person: {transfer['reason']}."
    assert conversation.replies[-1].startswith("I have asked a member of our staff")


async def test_three_misunderstandings_in_a_row_bring_the_offer_of_a_person(store, rules):
    agents, conversation = await call(
        store,
        rules,
        "Purple elephants dance on the moon.",
        "My cat likes jazz music.",
        "Bananas are yellow.",
        "Hello? Are you still there?",
        "Yes please.",
    )
    assert all("I can only help with" in r for r in conversation.replies[:3])
    assert conversation.replies[3] == (
        "Sorry, I am having trouble following you. "
        "Would you like me to put you through to a member of staff?"
    )
    assert handed(agents) == [(R, S), (S, R)]
    ((_, transfer),) = [c for c in called(conversation) if c[0] == "transfer_to_human"]
    assert transfer["reason"].startswith("the bot did not understand three turns in a row.")


def test_flow_agents_offline_gives_the_brain_the_agents_and_the_watch_its_escalation(tmp_path):
    from pipecat.pipeline.pipeline import Pipeline
    from pipecat.pipeline.worker import PipelineWorker
    from pipecat.processors.aggregators.llm_context import LLMContext
    from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair

    from app.call_parts import booking_session
    from settings import Settings

    def session(flow: str):
        settings = Settings(
            _env_file=None, database_url=f"sqlite:///{tmp_path}/{flow}.db", flow=flow
        )
        made = booking_session(settings, RESTAURANT)
        llm = OnDeviceLLMService(dialogue=made.dialogue())
        context = LLMContext(tools=made.context_tools())
        pair = LLMContextAggregatorPair(context)
        made.starter(llm, context, pair, PipelineWorker(Pipeline([pair.user(), llm])))
        return made, {t.name for t in made.context_tools()}

    agents, tools = session("agents")
    assert isinstance(agents.dialogue(), OfflineAgents) and agents.escalation is not None
    assert {"to_reception", "to_new_booking", "to_existing_booking", "to_escalation"} <= tools
    single, tools = session("single")
    assert not isinstance(single.dialogue(), OfflineAgents) and single.escalation is None
    assert not any(name.startswith("to_") for name in tools)
