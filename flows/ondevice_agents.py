"""The four agents offline: the on-device brain's call, split along flows/agents.py's lines.

With no generative LLM there is no flow graph to run: the on-device brain
(flows/ondevice_dialogue.py, flows/ondevice_bookings.py) answers every turn. This
wrapper says which agent has the call after each answer, from `AGENTS` alone: the
agent that takes the booking task under way (reception when there is none), or
escalation while a person is offered or called. When that changes, it hands the call
over as the flow does: a call of `to_<agent>` (HANDOFF_TOOL), along the handoffs
`AGENTS` allows, whose result is the summary built from the call's typed state
(flows/handoff_summary.py). The agent's own answer follows the handoff's result, as
the next node's LLM run follows a flows transition. So the context, the call records
and an eval see the same handoffs with or without a network.

The escalation monitor (flows/escalation_monitor.py) works here too: the escalation
watch calls `escalate` and passes the turn on, and its answer is escalation's: the
transfer when the caller asked for a person, else the offer of one. Every
transfer_to_human carries the staff summary (flows/handoff_summary.py) as its reason,
as the flow's escalation node does.
"""

from dataclasses import dataclass, replace

from pipecat.adapters.llm.schemas.function_schema import FunctionSchema
from pipecat.services.llm_service import FunctionCallParams

from conversation.state import ConversationState
from flows.agents import AGENTS, HANDOFF_TOOL, OPEN_TO_ALL, AgentName, agent_for, handoff_path
from flows.escalation_monitor import Trigger
from flows.handoff_summary import handoff_summary, staff_summary
from flows.ondevice_booking_results import OFFER_A_PERSON
from flows.ondevice_bookings import OfflineBookings
from services.ondevice_llm import Dialogue, DialogueTurn, Match, Reply

AGENT_OF_TOOL = {tool: agent for agent, tool in HANDOFF_TOOL.items()}
OFFERED = "the bot could not help and offered a person"
"""Why escalation has the call when the on-device brain offered a person itself (a lookup
that found nothing twice, the booking system down)."""
SORRY = {
    Trigger.MISUNDERSTOOD: "Sorry, I am having trouble following you.",
    Trigger.FRUSTRATED: "I am sorry this has not gone well.",
    Trigger.TOOLS_FAILED: "Sorry, our booking system is not working right now.",
}


@dataclass(frozen=True)
class Handoff:
    """One handoff of the call: from whom, to whom, and what the next agent was told."""

    source: AgentName
    target: AgentName
    summary: str


class OfflineAgents:
    """A restaurant dialogue's answers, split between the agents; one per call.

    Args:
        dialogue: The on-device brain's dialogue, bookings included.
        bookings: That dialogue's booking desk: the task under way, an offer of a person.
        state: The call's typed state (the state extractor keeps it): the summaries' source.
    """

    def __init__(self, dialogue: Dialogue, bookings: OfflineBookings, state: ConversationState):
        self._dialogue = dialogue
        self._bookings = bookings
        self._state = state
        self.agent = AgentName.RECEPTION
        """The agent that has the call."""
        self.handoffs: list[Handoff] = []
        self.calls: list[tuple[AgentName, str]] = []
        """Each tool called, with the agent that called it."""
        self._pending: str | None = None
        """The escalation monitor's reason, until a caller turn is answered by escalation."""
        self._why: str | None = None
        """Why escalation has the call."""
        self._held: Reply | None = None
        """The next agent's answer, given once its handoff's result is in."""

    # -- what the escalation watch and the engine call ------------------------------------

    async def escalate(self, trigger: str) -> bool:
        """The monitor fired: the next caller turn is escalation's to answer. Always False:
        the watch passes the turn on, and the on-device brain answers it as escalation."""
        if self.agent != AgentName.ESCALATION:
            self._pending = trigger
        return False

    def save(self) -> object:
        """What a speculative reply may change (services/ondevice_llm.py)."""
        mine = (self.agent, self._why, self._held, self._pending, len(self.handoffs))
        return mine, len(self.calls), self._dialogue.save()

    def restore(self, saved: object):
        (self.agent, self._why, self._held, pending, handoffs), calls, dialogue = saved
        # The escalation watch may have fired since: its reason stays.
        self._pending = self._pending or pending
        del self.handoffs[handoffs:], self.calls[calls:]
        self._dialogue.restore(dialogue)

    def respond(self, turn: DialogueTurn) -> tuple[Reply, Match]:
        handed = [r for r in turn.tool_results if r.name in AGENT_OF_TOOL]
        if handed:  # a handoff's calls go alone (below), so its results come back alone
            held, self._held = self._held, None
            turn = replace(
                turn, tool_results=tuple(r for r in turn.tool_results if r not in handed)
            )
            if not turn.tool_results:
                return held or Reply(""), Match(None, 100.0)
        source = self.agent
        if self._pending and turn.user_text is not None and not turn.tool_results:
            reply, found = self._escalation_reply(self._pending), Match(None, 100.0)
        else:
            reply, found = self._dialogue.respond(turn)
        target = self._owner(reply)
        if target == AgentName.ESCALATION:
            if source != AgentName.ESCALATION:
                asked = any(name == "transfer_to_human" for name, _ in reply.calls)
                self._why = self._pending or (Trigger.ASKED if asked else OFFERED)
            self._pending = None
            reply = self._with_staff_summary(reply)
        elif source == AgentName.ESCALATION:
            self._why = None
        self.agent = target
        self.calls += [(target, name) for name, _ in reply.calls]
        path = handoff_path(source, target)
        if not path:
            return reply, found
        for step in path:
            reason = str(self._why) if step == AgentName.ESCALATION else ""
            summary = handoff_summary(self._state, source, step, reason)
            self.handoffs.append(Handoff(source, step, summary))
            source = step
        self._held = reply
        return Reply("", calls=tuple((HANDOFF_TOOL[step], {}) for step in path)), found

    def tools(self) -> list[FunctionSchema]:
        """The handoff functions, for the context: the on-device engine calls them by name."""
        return [
            FunctionSchema(
                name=HANDOFF_TOOL[agent],
                description=AGENTS[agent].handoff_description,
                properties={},
                required=[],
                handler=self._handed,
            )
            for agent in AgentName
        ]

    # -- inside ---------------------------------------------------------------------------

    async def _handed(self, params: FunctionCallParams):
        """A handoff's result: the summary the next agent was handed."""
        target = AGENT_OF_TOOL[params.function_name]
        handoff = next((h for h in reversed(self.handoffs) if h.target == target), None)
        summary = handoff.summary if handoff is not None else ""
        await params.result_callback({"agent": target.value, "summary": summary})

    def _owner(self, reply: Reply) -> AgentName:
        """The agent whose answer `reply` is: escalation while a person is offered or
        called, else the one that takes the booking task under way."""
        desk = self._bookings.progress
        person = desk.awaiting == "human" or any(n == "transfer_to_human" for n, _ in reply.calls)
        return agent_for("human" if person else desk.task)

    def _escalation_reply(self, trigger: str) -> Reply:
        """The caller asked for a person: call one. Otherwise offer one."""
        if trigger == Trigger.ASKED:
            return self._bookings.human()
        self._bookings.progress.awaiting = "human"
        sorry = SORRY.get(trigger, "I am sorry.")
        return Reply(f"{sorry} {OFFER_A_PERSON}")

    def _with_staff_summary(self, reply: Reply) -> Reply:
        """Each transfer_to_human with the staff summary as its reason, the phone kept."""
        why = str(self._why or Trigger.ASKED)
        calls = tuple(
            (name, {**args, "reason": staff_summary(self._state, why)})
            if name == "transfer_to_human"
            else (name, args)
            for name, args in reply.calls
        )
        return replace(reply, calls=calls)


def allowed_tools(agent: AgentName) -> set[str]:
    """What `agent` may call offline: its own tools, the tools open to all, the handoffs."""
    return {*AGENTS[agent].tools, *OPEN_TO_ALL, *HANDOFF_TOOL.values()}
