"""The call with a generative LLM as four specialist agents (flows/agents.py) on pipecat.flows.

Each agent is a node or two of the booking flow (flows/booking_flow.py), with its
own role message (the LLM's system instruction from then on) and only its own
tools plus its handoffs: reception is `start` and `anything_else`; new_booking is
`collect`, `details` and `confirm_by_message`; existing_booking is `find`, `manage`
and `confirm_by_message`; escalation is `escalation`. Every node may hand the
call to escalation or end it.

A handoff keeps the context (`ContextStrategy.APPEND`) and puts a short summary
built from the typed conversation state (flows/handoff_summary.py) in the next
agent's task message. Why not the other strategies: `RESET_WITH_SUMMARY` asks the
LLM for the summary (a second LLM call on every handoff, up to 5 s, and deprecated
since pipecat-flows 1.5); `RESET` replaces the whole context with the task
message, dropping the caller's turn the next agent should answer (and the
transition's own tool call). The context compiler (processors/context_compiler.py)
already keeps what the LLM sees short, so appending costs nothing that grows.
"""

from collections.abc import Callable, Mapping

from pipecat.flows import FlowArgs, FlowManager, FlowsFunctionSchema, NodeConfig
from pipecat.frames.frames import LLMUpdateSettingsFrame
from pipecat.processors.frame_processor import FrameProcessor
from pipecat.services.settings import LLMSettings

from conversation.state import ConversationState
from flows.agents import AGENTS, HANDOFF_TOOL, Agent, AgentName
from flows.booking_flow import BookingFlow, task
from flows.handoff_summary import handoff_summary, staff_summary
from flows.restaurant import system_prompt
from flows.speech import spoken_date


class AgentsFlow(BookingFlow):
    """The booking flow's nodes, split between the four agents; start it with
    `flow_manager.initialize(flow.start())` like the single flow."""

    def __init__(
        self,
        *args,
        models: Mapping[AgentName, str] | None = None,
        model_service: FrameProcessor | None = None,
        **kwargs,
    ):
        """
        Args:
            *args: BookingFlow's (tools, gate, restaurant, state).
            models: Each agent's model (`agent_models`); empty: the LLM's model throughout.
            model_service: The LLM that takes the agents' models: the chain's first; None:
                the flow's LLM itself.
            **kwargs: BookingFlow's.
        """
        super().__init__(*args, **kwargs)
        self._models = dict(models or {})
        self._model_service = model_service
        self._model: str | None = None
        self.agent = AgentName.RECEPTION
        """The agent that has the call."""
        self.handoffs: list[tuple[AgentName, AgentName]] = []

    @property
    def state(self) -> ConversationState:
        return self._state

    def role_of(self, agent: Agent) -> str:
        """The restaurant's prompt and today's date, then the agent's own role."""
        today = self._tools.rules.today()
        role = (
            f"{system_prompt(self._restaurant)} "
            f"Today is {spoken_date(today)} {today.year} ({today.isoformat()}). {agent.prompt}"
        )
        if agent.tools:
            role += (
                " Give dates as YYYY-MM-DD and times as 24-hour HH:MM. Never say a booking is "
                "made, changed or cancelled before the tool says so. When a tool returns a "
                "read_back, say it and wait for the caller's answer. When a tool returns a "
                "message, say it in your own words."
            )
        return role

    # -- the agents' entry nodes ---------------------------------------------------------

    def start(self) -> NodeConfig:
        node = self._with_model(AgentName.RECEPTION, super().start())
        node["role_message"] = self.role_of(AGENTS[AgentName.RECEPTION])
        node["task_messages"] = task(
            "Greet the caller briefly and find out what they need. Answer questions about the "
            "restaurant yourself; for a new booking, or a change or cancellation of one they "
            "have, hand the call over."
        )
        return node

    def _enter(
        self, target: AgentName, build: Callable[[], NodeConfig], reason: str = ""
    ) -> NodeConfig:
        """`build()` as `target`'s first node: its role, and the summary of the call so far."""
        source, self.agent = self.agent, target
        if source != target:
            self.handoffs.append((source, target))
        summary = handoff_summary(self._state, source, target, reason)
        node = self._with_model(target, build())
        node["role_message"] = self.role_of(AGENTS[target])
        node["task_messages"] = task(summary) + node["task_messages"]
        return node

    def _with_model(self, agent: AgentName, node: NodeConfig) -> NodeConfig:
        """`node`, with a pre-action setting `agent`'s model if it is not the one in use. The
        update goes to `model_service` only: a fallback of another provider keeps its own."""
        model = self._models.get(agent)
        if model and model != self._model:
            self._model = model
            action = {"type": "agent_model", "model": model, "handler": self._set_model}
            node["pre_actions"] = [*node.get("pre_actions", []), action]
        return node

    async def _set_model(self, action: dict, flow_manager: FlowManager):
        update = LLMUpdateSettingsFrame(
            delta=LLMSettings(model=action["model"]), service=self._model_service
        )
        await flow_manager.worker.queue_frame(update)

    def _choices(self) -> list[FlowsFunctionSchema]:
        """The handoffs of the agent that has the call (reception's at start)."""
        return self.handoff_functions(self.agent)

    def handoff_functions(self, agent: AgentName) -> list[FlowsFunctionSchema]:
        return [self._handoff(target) for target in AGENTS[agent].handoffs]

    def entry(self, target: AgentName, reason: str = "") -> NodeConfig:
        """`target`'s first node, the call handed to it; a test may start an agent alone here."""
        entries = {
            AgentName.RECEPTION: super().anything_else,
            AgentName.NEW_BOOKING: self.collect,
            AgentName.EXISTING_BOOKING: self.find,
            AgentName.ESCALATION: lambda: self._escalation_node(reason or None),
        }
        return self._enter(target, entries[target], reason)

    def _handoff(self, target: AgentName) -> FlowsFunctionSchema:
        async def handler(args: FlowArgs, flow_manager: FlowManager):
            return None, self.entry(target)

        return FlowsFunctionSchema(
            name=HANDOFF_TOOL[target],
            description=AGENTS[target].handoff_description,
            properties={},
            required=[],
            handler=handler,
            cancel_on_interruption=True,
        )

    # -- nodes whose functions change with the agent -------------------------------------

    def collect(self) -> NodeConfig:
        node = super().collect()
        node["functions"] += self.handoff_functions(AgentName.NEW_BOOKING)
        return node

    def details(self) -> NodeConfig:
        node = super().details()
        node["functions"] += self.handoff_functions(AgentName.NEW_BOOKING)
        return node

    def find(self) -> NodeConfig:
        node = super().find()
        node["functions"] += self.handoff_functions(AgentName.EXISTING_BOOKING)
        return node

    def manage(self) -> NodeConfig:
        node = super().manage()
        node["functions"] += self.handoff_functions(AgentName.EXISTING_BOOKING)
        return node

    def anything_else(self) -> NodeConfig:
        """After a booking, a change or a handoff to a person: back to reception."""
        if self.agent == AgentName.RECEPTION:
            return super().anything_else()
        return self._enter(AgentName.RECEPTION, super().anything_else)

    # -- escalation ----------------------------------------------------------------------

    async def escalate(self, flow_manager: FlowManager, trigger: str) -> bool:
        """Hand the call to escalation (the escalation monitor fired); False if it has it."""
        if self.agent == AgentName.ESCALATION:
            return False
        await flow_manager.set_node_from_config(self.entry(AgentName.ESCALATION, str(trigger)))
        return True

    def _escalation_node(self, trigger: str | None = None) -> NodeConfig:
        why = str(trigger) if trigger else "the caller or the agent asked for a person"
        return NodeConfig(
            name="escalation",
            task_messages=task(
                "Offer to put the caller through to a member of staff, in one short sentence"
                + (f" ({why})" if trigger else "")
                + ". If they accept, call transfer_to_human with the reason in a few words. "
                "If they would rather carry on, hand the call back to reception."
            ),
            functions=[self._staff_tool(why), *self.handoff_functions(AgentName.ESCALATION)],
        )

    def _staff_tool(self, why: str) -> FlowsFunctionSchema:
        """transfer_to_human, its reason replaced by the staff summary built from the state."""
        tool = self._tool(
            "transfer_to_human",
            lambda result, _: self.anything_else() if result.get("ok") else None,
        )
        handler = tool.handler

        async def with_summary(args: FlowArgs, flow_manager: FlowManager):
            reason = str(args.get("reason") or why)
            return await handler(
                {**args, "reason": staff_summary(self._state, reason)}, flow_manager
            )

        tool.handler = with_summary
        return tool

    def global_functions(self) -> list[FlowsFunctionSchema]:
        """At every node: hand the call to escalation, or end it."""
        end_call = super().global_functions()[1]
        return [self._handoff(AgentName.ESCALATION), end_call]


def node_tools(node: NodeConfig) -> set[str]:
    """The booking tools a node offers, its handoffs left out."""
    return {f.name for f in node.get("functions", [])} - set(HANDOFF_TOOL.values())
