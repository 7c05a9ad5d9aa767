"""The booking conversation for a generative LLM (Claude, any OpenAI-compatible model), as a
`pipecat.flows` graph.

greet and understand -> collect day, time, party size -> check availability ->
name, phone, read back and confirm -> book -> confirm by text -> anything else?
with a branch to find, change or cancel an existing booking, a path to a
person from every node, and a goodbye that ends the call once it is heard.

Every tool still runs through the function-call gate: a node's instructions
ask the LLM to read back and confirm, the gate enforces it in code.

The flow reads the caller's details from the call's conversation state (kept by
the state extractor): a node asks only for what the state lacks, and a booking
tool takes from the state what the LLM left out, so a name said at turn 2 still
books the table at turn 28, long after the compiled context dropped that turn.
The LLM's own arguments win: the state is a turn behind the caller.
"""

from collections.abc import Callable
from typing import Any

from pipecat.flows import FlowArgs, FlowManager, FlowsFunctionSchema, NodeConfig

from conversation.state import ConversationState
from flows.booking_schemas import SLOT_OF_ARGUMENT, ToolSpec
from flows.booking_tools import BookingTools
from flows.restaurant import Restaurant, system_prompt
from flows.speech import spoken_date
from function_calls import FunctionCallGate, speaker

NextNode = Callable[[dict[str, Any], FlowManager], NodeConfig | None]
FROM_STATE = {"check_availability", "book_table"}
"""Tools whose arguments are the caller's own details, so the state may fill them. A change
takes only what the caller wants changed, so it is never filled."""


def task(text: str) -> list[dict[str, str]]:
    return [{"role": "developer", "content": text}]


class BookingFlow:
    """The nodes of the booking flow for one call; start it with `flow.initialize(flow.start())`."""

    def __init__(
        self,
        tools: BookingTools,
        gate: FunctionCallGate,
        restaurant: Restaurant,
        state: ConversationState | None = None,
    ):
        self._tools = tools
        self._gate = gate
        self._restaurant = restaurant
        self._state = state if state is not None else ConversationState()

    def role(self) -> str:
        today = self._tools.rules.today()
        return (
            f"{system_prompt(self._restaurant)} "
            f"Today is {spoken_date(today)} {today.year} ({today.isoformat()}). "
            "You take table bookings with your tools: give dates as YYYY-MM-DD and times as "
            "24-hour HH:MM. Never say a booking is made, changed or cancelled before the tool "
            "says so. When a tool returns a read_back, say it and wait for the caller's answer. "
            "When a tool returns a message, say it in your own words."
        )

    # -- nodes ---------------------------------------------------------------------------

    def start(self) -> NodeConfig:
        return NodeConfig(
            name="start",
            role_message=self.role(),
            task_messages=task(
                "Greet the caller briefly and find out what they need: a new booking, a change "
                "or cancellation of a booking they have, or information (hours, address)."
            ),
            functions=self._choices(),
        )

    def collect(self) -> NodeConfig:
        return NodeConfig(
            name="collect",
            task_messages=task(
                "Find out the day, the time and how many people, asking only for what the "
                "caller has not said yet, one question at a time. Then call check_availability. "
                "If no table is free, offer the alternative times it returns."
                + self._known("check_availability")
            ),
            functions=[
                self._tool(
                    "check_availability",
                    lambda result, _: self.details() if result.get("available") else None,
                )
            ],
        )

    def details(self) -> NodeConfig:
        return NodeConfig(
            name="details",
            task_messages=task(
                "A table is free. Ask for the name for the booking and a phone number, and any "
                "notes (allergies, an occasion). Read all the details back and ask the caller to "
                "confirm. Only when they say yes, call book_table. If they want another day, "
                "time or party size, call check_availability again." + self._known("book_table")
            ),
            functions=[
                self._tool("check_availability", lambda *_: None),
                self._tool("book_table", self._after_write),
            ],
        )

    def confirm_by_message(self) -> NodeConfig:
        return NodeConfig(
            name="confirm_by_message",
            task_messages=task(
                "Tell the caller the outcome in one sentence, saying the booking reference digit "
                "by digit if there is one, then call send_confirmation with that reference."
            ),
            functions=[self._tool("send_confirmation", lambda *_: self.anything_else())],
        )

    def find(self) -> NodeConfig:
        return NodeConfig(
            name="find",
            task_messages=task(
                "Ask for the phone number and the name the booking is under (or its reference "
                "and one of those), then call find_booking with them. Until it finds a booking, "
                "say only that you can't find a matching booking and ask again: never say or "
                "guess any booking's name, party, day or time."
            ),
            functions=[
                self._tool(
                    "find_booking", lambda result, _: self.manage() if result.get("ok") else None
                )
            ],
        )

    def manage(self) -> NodeConfig:
        return NodeConfig(
            name="manage",
            task_messages=task(
                "Tell the caller which booking you found and ask what they want: a change of "
                "day, time, party size or notes (change_booking), or a cancellation "
                "(cancel_booking). Call the tool; say its read_back and wait for a yes before "
                "calling it again with the same arguments."
            ),
            functions=[
                self._tool("change_booking", self._after_write),
                self._tool("cancel_booking", self._after_write),
            ],
        )

    def anything_else(self) -> NodeConfig:
        return NodeConfig(
            name="anything_else",
            task_messages=task("Ask whether there is anything else you can help with."),
            functions=self._choices(),
        )

    def goodbye(self) -> NodeConfig:
        return NodeConfig(
            name="goodbye",
            task_messages=task("Say a short, warm goodbye."),
            functions=[],
            post_actions=[{"type": "end_conversation"}],
        )

    # -- functions -----------------------------------------------------------------------

    def _choices(self) -> list[FlowsFunctionSchema]:
        return [
            _transition(
                "start_booking",
                "The caller wants to book a table.",
                self.collect,
            ),
            _transition(
                "manage_booking",
                "The caller wants to change or cancel a booking they have.",
                self.find,
            ),
        ]

    def global_functions(self) -> list[FlowsFunctionSchema]:
        """Available at every node: a person, and the end of the call."""
        return [
            self._tool(
                "transfer_to_human",
                lambda result, _: self.anything_else() if result.get("ok") else None,
            ),
            _transition(
                "end_call",
                "The caller is done: say goodbye and hang up.",
                self.goodbye,
            ),
        ]

    def _after_write(self, result: dict[str, Any], flow_manager: FlowManager) -> NodeConfig | None:
        if not result.get("ok"):
            return None  # a read-back to confirm, or a refusal to explain: stay
        booking = result.get("booking", {})
        flow_manager.state["reference"] = booking.get("reference")
        return self.confirm_by_message()

    def _tool(self, name: str, next_node: NextNode) -> FlowsFunctionSchema:
        spec = self._tools.specs[name]
        gate = self._gate

        async def handler(args: FlowArgs, flow_manager: FlowManager):
            arguments = {**self.known_arguments(spec), **args}
            result = await gate.call(
                name,
                arguments,
                messages=flow_manager.get_current_context(),
                speak=speaker(flow_manager.worker.queue_frame),
            )
            return result, next_node(result, flow_manager)

        # What the state already holds, the LLM need not repeat.
        known = self.known_arguments(spec)
        return FlowsFunctionSchema(
            name=spec.name,
            description=spec.description,
            properties=spec.properties,
            required=[arg for arg in spec.required if arg not in known],
            handler=handler,
            # A started booking, change or message survives barge-in; a lookup may stop.
            cancel_on_interruption=not gate.is_side_effecting(name),
        )

    # -- the conversation state -------------------------------------------------------

    def known_arguments(self, spec: ToolSpec) -> dict[str, Any]:
        """The tool's arguments the caller has already given, as the state holds them."""
        if spec.name not in FROM_STATE:
            return {}
        wanted = {arg: slot for arg, slot in SLOT_OF_ARGUMENT.items() if arg in spec.properties}
        known = self._state.trusted(wanted.values())
        arguments: dict[str, Any] = {}
        for arg, slot in wanted.items():
            if slot in known:
                is_number = spec.properties[arg].get("type") == "integer"
                arguments[arg] = int(known[slot]) if is_number else known[slot]
        return arguments

    def _known(self, tool: str) -> str:
        """The task's sentence on what the caller already said, if anything."""
        known = self.known_arguments(self._tools.specs[tool])
        if not known:
            return ""
        said = "; ".join(f"{arg.replace('_', ' ')}: {value}" for arg, value in known.items())
        return f" The caller already said ({said}): do not ask for these again."


def _transition(name: str, description: str, node: Callable[[], NodeConfig]) -> FlowsFunctionSchema:
    async def handler(args: FlowArgs, flow_manager: FlowManager):
        return None, node()

    return FlowsFunctionSchema(
        name=name,
        description=description,
        properties={},
        required=[],
        handler=handler,
        cancel_on_interruption=True,
    )


def booking_flow_manager(flow: BookingFlow, **manager_args) -> FlowManager:
    """A FlowManager for `flow`; `manager_args` are FlowManager's (llm, context_aggregator, worker)."""
    return FlowManager(global_functions=flow.global_functions(), **manager_args)
