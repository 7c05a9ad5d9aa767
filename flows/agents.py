"""The four specialist agents of a call with a generative LLM: one place says what each may do.

reception greets, answers questions about the restaurant and routes; new_booking
books a table; existing_booking finds, changes or cancels one; escalation hands
the caller to a person. Each agent's prompt, tools, the caller's tasks it takes
and the agents it may hand over to are listed here once: flows/agents_flow.py
builds the pipecat.flows nodes from them (with a generative LLM), and
flows/ondevice_agents.py follows the same boundaries over the on-device brain
(offline). Tests check that no node, and no offline agent, calls a tool its agent
does not list.

A flows node has no model field: an agent's model (`AGENT_<NAME>_MODEL`) is set by
its first node's pre-action on the chain's first LLM (flows/agents_flow.py).
"""

from dataclasses import dataclass
from enum import StrEnum

from settings import Settings


class AgentName(StrEnum):
    RECEPTION = "reception"
    NEW_BOOKING = "new_booking"
    EXISTING_BOOKING = "existing_booking"
    ESCALATION = "escalation"


@dataclass(frozen=True)
class Agent:
    """One specialist: what it is told, the booking tools it may call, whom it may hand to."""

    name: AgentName
    prompt: str
    """Added to the restaurant's system prompt as this agent's role."""
    tools: tuple[str, ...]
    """The booking tools (flows/booking_schemas.py) its nodes offer, and no others."""
    handoffs: tuple[AgentName, ...]
    """The agents it may hand the call to (escalation and the goodbye are open to all)."""
    handoff_description: str
    """What the LLM is told about handing a call to this agent."""
    tasks: tuple[str, ...] = ()
    """The caller's tasks it takes (the state's intent, the on-device brain's booking task);
    reception has the call when no task is under way."""


AGENTS: dict[AgentName, Agent] = {
    agent.name: agent
    for agent in (
        Agent(
            AgentName.RECEPTION,
            "You are the receptionist: greet the caller, answer questions about the restaurant "
            "(hours, address, menu) and hand the call to the right colleague.",
            tools=(),
            handoffs=(AgentName.NEW_BOOKING, AgentName.EXISTING_BOOKING),
            handoff_description="The caller's question is answered or they want something else.",
        ),
        Agent(
            AgentName.NEW_BOOKING,
            "You take new table bookings: day, time, party size, then name and phone, read "
            "back and book.",
            tools=("check_availability", "book_table", "send_confirmation"),
            handoffs=(AgentName.RECEPTION, AgentName.EXISTING_BOOKING),
            handoff_description="The caller wants to book a new table.",
            tasks=("book",),
        ),
        Agent(
            AgentName.EXISTING_BOOKING,
            "You look after bookings the caller already has: find one, then change or cancel it.",
            tools=("find_booking", "change_booking", "cancel_booking", "send_confirmation"),
            handoffs=(AgentName.RECEPTION, AgentName.NEW_BOOKING),
            handoff_description="The caller wants to find, change or cancel a booking they have.",
            tasks=("change", "cancel"),
        ),
        Agent(
            AgentName.ESCALATION,
            "You hand the caller over to a member of staff: offer it, and when they accept call "
            "transfer_to_human with the reason.",
            tools=("transfer_to_human",),
            handoffs=(AgentName.RECEPTION,),
            handoff_description="The caller wants a person, or you cannot help them.",
            tasks=("human",),
        ),
    )
}

HANDOFF_TOOL = {name: f"to_{name}" for name in AgentName}
"""The transition function that hands the call to each agent."""
OPEN_TO_ALL = ("end_call",)
"""Tools every agent may call besides its own (and the handoff to escalation)."""


def agent_for(task: str | None) -> AgentName:
    """The agent that takes `task`; reception when there is none, or none takes it."""
    return next((a.name for a in AGENTS.values() if task in a.tasks), AgentName.RECEPTION)


def handoff_path(source: AgentName, target: AgentName) -> list[AgentName]:
    """The handoffs from `source` to `target` that `AGENTS` allows: straight there when
    `source` may hand to it (anyone may hand to escalation), else through reception."""
    if source == target:
        return []
    if target == AgentName.ESCALATION or target in AGENTS[source].handoffs:
        return [target]
    return [AgentName.RECEPTION, target]


def agent_models(settings: Settings) -> dict[AgentName, str]:
    """Each agent's model (`AGENT_<NAME>_MODEL`, else the LLM's own); empty when no agent has
    one of its own, so the model is never touched."""
    own = {agent: getattr(settings, f"agent_{agent.value}_model") for agent in AgentName}
    if not any(own.values()):
        return {}
    default = settings.anthropic_model if settings.llm == "anthropic" else settings.openai_model
    return {agent: model or default for agent, model in own.items()}
