"""The booking side of one call, for the app to wire: tools, gate, dialogue, and the first words.

With the on-device brain the tools sit in the LLM context and the offline
dialogue drives them; with a generative LLM the booking flow (pipecat.flows)
sets the tools node by node. Both run every call through the same gate. With
`FLOW=agents` the flow is the agents' (flows/agents_flow.py), and offline the
dialogue is split between the same agents (flows/ondevice_agents.py).

When the generative LLM's chain ends in the on-device engine (services/llm_failover.py),
a failover hands the call to it mid-call: it reads the same conversation state,
and its own tools are registered on it for good, so whatever node the flow is
in, its calls reach the gate.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from pipecat.adapters.llm.schemas.function_schema import FunctionSchema
from pipecat.frames.frames import LLMRunFrame
from pipecat.pipeline.llm_switcher import LLMSwitcher
from pipecat.pipeline.worker import PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.services.llm_service import LLMService

from conversation.state import ConversationState
from flows.agents import agent_models
from flows.agents_flow import AgentsFlow
from flows.booking_flow import BookingFlow, booking_flow_manager
from flows.booking_tools import BookingTools
from flows.call_tools import call_tools
from flows.ondevice_agents import OfflineAgents
from flows.ondevice_bookings import OfflineBookings
from flows.ondevice_dialogue import restaurant_dialogue
from flows.restaurant import Restaurant
from function_calls import FunctionCallGate
from services.ondevice_llm import OnDeviceLLMService, Responder
from settings import Settings


@dataclass
class BookingSession:
    """A call's booking tools, gate and state; it picks the flow or the on-device dialogue."""

    settings: Settings
    restaurant: Restaurant
    tools: BookingTools
    gate: FunctionCallGate
    state: ConversationState
    """The call's conversation state (the state extractor keeps it): the flow, the on-device
    brain and the tools read the caller's details from it, and the gate its turn count when the
    call has a state extractor (without one, the gate counts the turns in the context)."""

    escalation: Callable[[str], Awaitable[bool]] | None = None
    """Hands the call to the escalation agent (processors/escalation_watch.py); set by
    `starter` with `FLOW=agents`."""
    _offline_agents: OfflineAgents | None = field(default=None, init=False, repr=False)

    @property
    def uses_flow(self) -> bool:
        return self.settings.llm != "ondevice"

    @property
    def offline_agents(self) -> OfflineAgents | None:
        """With `FLOW=agents` and the on-device brain alone: its answers split between the
        agents (one per call, made on first use)."""
        if self.uses_flow or self.settings.flow != "agents":
            return None
        if self._offline_agents is None:
            caller = self.tools.verification.caller_phone
            desk = OfflineBookings(self.tools.rules, self.state, caller)
            dialogue = restaurant_dialogue(
                self.restaurant, self.tools.rules, self.state, caller, bookings=desk
            )
            self._offline_agents = OfflineAgents(dialogue, desk, self.state)
        return self._offline_agents

    def dialogue(self) -> Responder:
        """The on-device brain's conversation for this call, bookings included."""
        if self.offline_agents is not None:
            return self.offline_agents
        caller = self.tools.verification.caller_phone
        return restaurant_dialogue(self.restaurant, self.tools.rules, self.state, caller)

    def context_tools(self) -> list[FunctionSchema]:
        """The tools the context starts with; the flow brings its own, node by node."""
        if self.uses_flow:
            return []
        handoffs = self.offline_agents.tools() if self.offline_agents is not None else []
        return call_tools([*self.tools.schemas(self.gate), *handoffs])

    def prepare_handover(self, llm: LLMService | LLMSwitcher):
        """Give an on-device engine behind the flow's LLM the tools it calls, through the gate."""
        if not self.uses_flow or not isinstance(llm, LLMSwitcher):
            return
        for member in llm.llms:
            if isinstance(member, OnDeviceLLMService):
                for schema in call_tools(self.tools.schemas(self.gate)):
                    member.register_function(schema.name, schema.handler)

    def starter(
        self,
        llm: LLMService | LLMSwitcher,
        context: LLMContext,
        aggregators: LLMContextAggregatorPair,
        worker: PipelineWorker,
    ) -> Callable[[], Awaitable[None]]:
        """What to run when the caller is connected: the bot's first words. With
        `FLOW=agents` it also sets `escalation`, for the escalation watch."""
        self.prepare_handover(llm)
        if self.offline_agents is not None:
            self.escalation = self.offline_agents.escalate
        if self.uses_flow:
            parts = (self.tools, self.gate, self.restaurant, self.state)
            if self.settings.flow == "agents":
                first = llm.llms[0] if isinstance(llm, LLMSwitcher) else None
                flow = AgentsFlow(*parts, models=agent_models(self.settings), model_service=first)
            else:
                flow = BookingFlow(*parts)
            manager = booking_flow_manager(
                flow, llm=llm, context_aggregator=aggregators, worker=worker
            )
            if isinstance(flow, AgentsFlow):
                self.escalation = lambda trigger: flow.escalate(manager, trigger)
            return lambda: manager.initialize(flow.start())

        async def greet():
            context.add_message({"role": "developer", "content": "Greet the caller briefly."})
            await worker.queue_frames([LLMRunFrame()])

        return greet
