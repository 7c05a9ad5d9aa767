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
"""

from pipecat.frames.frames import Frame, InterruptionFrame
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

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, HeardSpeechFrame):
            self._heard = frame.text
        elif isinstance(frame, InterruptionFrame) and direction == FrameDirection.DOWNSTREAM:
            if self._heard:
                self._rewrite(self._heard)
            self._heard = None
        await self.push_frame(frame, direction)

    def _rewrite(self, heard: str):
        messages = list(self._context.get_messages())
        written = messages[-1] if messages else None
        if _is_start_of(written, heard):
            messages[-1] = {**written, "content": heard}
        else:
            messages.append({"role": "assistant", "content": heard})
        messages.append({"role": "developer", "content": self._note})
        self._context.set_messages(messages)


def _is_start_of(message, heard: str) -> bool:
    """Whether `message` is the assistant's text reply and `heard` begins with it."""
    if not isinstance(message, dict) or message.get("role") != "assistant":
        return False
    content = message.get("content")
    if not isinstance(content, str) or not content.strip():
        return False
    return " ".join(heard.split()).startswith(" ".join(content.split()))
