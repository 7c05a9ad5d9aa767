"""Makes the context hold only what the caller heard of an interrupted reply.

Pipecat's assistant aggregator writes, on an interruption, the text the output
transport had released: with a TTS that gives no word timings (Piper) that is
whole sentences only, so the sentence the caller cut into is lost, and nothing
in the context says the reply was cut. This processor sits after the assistant
aggregator. When a `HeardSpeechFrame` (from `BotSpeechGate`) precedes the
`InterruptionFrame`, it rewrites the reply the aggregator just wrote (or adds
it, when the aggregator had nothing) to exactly the heard text, then adds a
developer note saying the reply was interrupted there, so the next turn can
pick up ("as I was saying") or skip what was heard. Every provider adapter
accepts developer messages (Anthropic's turns them into user text).

The interruption reaches this processor last, and the caller's barge-in turn may be in
the context by then (the user aggregator writes it as the turn ends, which a slow
transcript on a loaded machine brought before the interruption got here): the reply
and the note go where the reply was, before any caller message written since the bot
began speaking it.
"""

from pipecat.frames.frames import BotStartedSpeakingFrame, Frame, InterruptionFrame
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from processors.interruption_frames import HeardSpeechFrame
from processors.placement import Placement

INTERRUPTED_NOTE = (
    "The caller interrupted your last reply: it holds only the part they heard before they spoke."
)


class InterruptedReplyTrimmer(FrameProcessor):
    """Trims an interrupted reply in the context to what was heard, and marks it."""

    placement = Placement(
        slot="after_output",
        description="trims an interrupted reply in the context to what the caller heard",
        needs=("context",),
        depends_on=("speech_gate",),
    )

    def __init__(self, context: LLMContext, *, note: str = INTERRUPTED_NOTE, **kwargs):
        """
        Args:
            context: The LLM context whose last assistant message is rewritten.
            note: The developer message that tells the LLM the caller cut the reply.
        """
        super().__init__(**kwargs)
        self._context = context
        self._note = note
        self._heard: str | None = None
        self._reply_from: int | None = None
        """How many messages the context held when the bot began speaking the reply."""

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, BotStartedSpeakingFrame):
            # The reply being spoken is written when it ends or is cut: after these.
            self._reply_from = len(self._context.get_messages())
        elif isinstance(frame, HeardSpeechFrame):
            self._heard = frame.text
        elif isinstance(frame, InterruptionFrame) and direction == FrameDirection.DOWNSTREAM:
            if self._heard:
                self._rewrite(self._heard)
            self._heard, self._reply_from = None, None
        await self.push_frame(frame, direction)

    def _rewrite(self, heard: str):
        messages = list(self._context.get_messages())
        if self._reply_from is None:  # no bot speech seen: the last message, as written
            since = max(0, len(messages) - 1)
            callers_from = len(messages)
        else:
            since = callers_from = min(self._reply_from, len(messages))
        written = next(
            (i for i in reversed(range(since, len(messages))) if _is_start_of(messages[i], heard)),
            None,
        )
        reply = {"role": "assistant", "content": heard}
        if written is not None:
            reply = {**messages.pop(written), "content": heard}
        at = next(
            (i for i in range(callers_from, len(messages)) if _role(messages[i]) == "user"),
            len(messages),
        )
        messages[at:at] = [reply, {"role": "developer", "content": self._note}]
        self._context.set_messages(messages)


def _role(message) -> str | None:
    return message.get("role") if isinstance(message, dict) else None


def _is_start_of(message, heard: str) -> bool:
    """Whether `message` is the assistant's text reply and `heard` begins with it."""
    if not isinstance(message, dict) or message.get("role") != "assistant":
        return False
    content = message.get("content")
    if not isinstance(content, str) or not content.strip():
        return False
    return " ".join(heard.split()).startswith(" ".join(content.split()))
