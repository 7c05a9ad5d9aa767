"""Before each LLM call, the context becomes: the system prompt, the compiled state, the
flow's current instructions and the last few caller turns, not the whole history.

Pipecat's own context summariser (`LLMContextSummarizer`) compresses old
messages into free text only when a token or message threshold is crossed, so
the prompt still grows and shrinks in a saw-tooth, and every compression is
another LLM call. Here the typed state (kept by processors/state_extractor.py)
stands in for the old turns, so the prompt stays the same size however long
the call. Where to cut comes from Pipecat's summarisation utility
(`LLMContextSummarizationUtil.get_messages_to_summarize`), which never cuts
between a tool call and its result.

The context is compacted in place, as Pipecat's summariser does: the context
the assistant aggregator sends back after a tool result is then lean too.
"""

import json

from pipecat.frames.frames import Frame, LLMContextFrame
from pipecat.processors.aggregators import async_tool_messages
from pipecat.processors.aggregators.llm_context import LLMContext, LLMSpecificMessage
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.utils.context.llm_context_summarization import LLMContextSummarizationUtil

from conversation.call import Call
from processors.interrupted_reply_trimmer import INTERRUPTED_NOTE
from processors.placement import Placement

STATE_HEADER = "Conversation state (kept by the system from the whole call):"


class ContextCompiler(FrameProcessor):
    """Compacts each context on its way to the LLM; needs a `StateExtractor` before it."""

    placement = Placement(
        slot="before_llm",
        description="gives the LLM the compiled state and the last few turns, not the whole call",
        needs=("settings", "call"),
        depends_on=("state_extractor",),
    )

    def __init__(self, call: Call, recent_turns: int = 4, **kwargs):
        """
        Args:
            call: The call whose typed state replaces the older turns.
            recent_turns: How many of the caller's latest turns stay word for word.
        """
        super().__init__(**kwargs)
        self._call = call
        self._recent_turns = recent_turns

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if (
            isinstance(frame, LLMContextFrame)
            and direction == FrameDirection.DOWNSTREAM
            and not frame.speculation
        ):
            compile_context(frame.context, self._call.state.render(), self._recent_turns)
        await self.push_frame(frame, direction)


def compile_context(context: LLMContext, state: str, recent_turns: int):
    """[leading system messages] + [state] + [latest instructions] + [last `recent_turns` turns]."""
    messages = [m for m in context.get_messages() if not is_state_message(m)]
    head = 0
    while head < len(messages) and _role(messages[head]) == "system":
        head += 1
    cut = _cut(messages, head, recent_turns)
    dropped = messages[head:cut]
    instructions = _latest_instructions(dropped)
    state_message = {"role": "developer", "content": f"{STATE_HEADER}\n{state}"}
    context.set_messages([*messages[:head], state_message, *instructions, *messages[cut:]])


def is_state_message(message) -> bool:
    return (
        not isinstance(message, LLMSpecificMessage)
        and message.get("role") == "developer"
        and isinstance(message.get("content"), str)
        and message["content"].startswith(STATE_HEADER)
    )


def _role(message) -> str | None:
    return None if isinstance(message, LLMSpecificMessage) else message.get("role")


def _cut(messages: list, head: int, recent_turns: int) -> int:
    """Index of the first message kept: where the `recent_turns`-th last caller turn starts,
    moved earlier if cutting there would separate a tool call from its result."""
    callers = [i for i, m in enumerate(messages) if i >= head and _role(m) == "user"]
    if len(callers) <= recent_turns:
        return head
    wanted = callers[-recent_turns]
    keep = len(messages) - wanted
    found = LLMContextSummarizationUtil.get_messages_to_summarize(
        LLMContext(messages=messages), keep
    )
    if found.last_summarized_index < head:
        return head
    return found.last_summarized_index + 1


def _latest_instructions(dropped: list) -> list:
    """The last run of developer instructions among the dropped messages (a flow node's task).

    A note that a dropped reply was interrupted belongs to that reply, not to the flow.
    """
    latest: list = []
    in_run = False
    for message in dropped:
        if (
            _role(message) == "developer"
            and not _is_tool_payload(message)
            and message.get("content") != INTERRUPTED_NOTE
        ):
            if not in_run:
                latest = []
            latest.append(message)
            in_run = True
        else:
            in_run = False
    return latest


def _is_tool_payload(message) -> bool:
    """Pipecat's async-tool messages are results, not instructions."""
    if async_tool_messages.parse_message(message) is not None:
        return True
    try:
        return isinstance(json.loads(message.get("content") or ""), dict)
    except (TypeError, json.JSONDecodeError):
        return False
