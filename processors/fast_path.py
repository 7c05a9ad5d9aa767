"""Answers a caller's turn on the device when a fixed reply answers it with certainty, so
the LLM is not asked; everything else goes on to the LLM unchanged.

Pipecat has no router between the user aggregator and the LLM: its `LLMSwitcher`
picks one LLM for every turn, and its classifiers (`pipecat.classifiers`) answer
a question about a turn by asking an LLM. This processor asks an on-device
`FastAnswer` (flows/fast_path.py over services/fast_router.py) about each new
caller turn. When it answers, the processor speaks the reply as the LLM would:
`LLMFullResponseStartFrame`, the text, `LLMFullResponseEndFrame`. So the TTS
speaks it, the speech gate and the reply trimmer treat it as any reply, and the
assistant aggregator adds it to the context after the caller's turn (which the
user aggregator added already): when the LLM takes the next turn it sees both.
The context frame is not passed on, so the LLM does nothing for that turn.
"""

from collections.abc import Callable
from dataclasses import dataclass

from loguru import logger
from pipecat.frames.frames import (
    EndWorkerFrame,
    Frame,
    LLMConfigureOutputFrame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
)
from pipecat.processors.aggregators.llm_context import LLMSpecificMessage
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from conversation.messages import message_text, readable
from processors.placement import Placement
from processors.speculated_turn import SpeculatedTurn


@dataclass(frozen=True)
class FastReply:
    """What the fast path says for a turn, and whether the call ends after it."""

    intent: str
    text: str
    ends_call: bool = False


FastAnswer = Callable[[str, str | None], FastReply | None]
"""(the caller's words, the bot's last words) -> a reply, or None: the LLM answers."""


class FastPathRouter(FrameProcessor):
    """Speaks a fixed reply for a turn the on-device router is certain of; passes the rest."""

    placement = Placement(
        slot="before_llm",
        description=(
            "answers greetings, hours, address, menu and dietary questions, 'repeat that' and "
            "goodbye on the device when an LLM is configured; the rest goes to the LLM"
        ),
    )

    def __init__(self, answer: FastAnswer, **kwargs):
        """
        Args:
            answer: The on-device answer to a caller turn, or None to leave it to the LLM.
        """
        super().__init__(**kwargs)
        self._answer = answer
        self._skip_tts: bool | None = None
        self._last_turn: object | None = None
        self._speculated = SpeculatedTurn()
        self._register_event_handler("on_fast_reply")

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMConfigureOutputFrame):
            self._skip_tts = frame.skip_tts  # as the LLM does, for the replies said here
        elif self._speculated.repeats(frame, direction):
            pass  # the LLM answered this turn while it was being confirmed
        elif (
            isinstance(frame, LLMContextFrame)
            and direction == FrameDirection.DOWNSTREAM
            and not frame.speculation
        ):
            reply = self._reply_to(frame)
            if reply is not None:
                await self._say(reply)
                return
        await self.push_frame(frame, direction)

    def _reply_to(self, frame: LLMContextFrame) -> FastReply | None:
        """The fast reply to a new caller turn, if the router is certain of one."""
        messages = [
            m for m in frame.context.get_messages() if not isinstance(m, LLMSpecificMessage)
        ]
        if not messages or messages[-1].get("role") != "user" or messages[-1] is self._last_turn:
            return None  # not a new caller turn: a tool result, a flow's node, a re-run
        self._last_turn = messages[-1]
        said = (message_text(m) for m in reversed(messages) if m.get("role") == "assistant")
        last_bot = next((text for text in said if text.strip()), None)  # not a bare tool call
        return self._answer(readable(message_text(messages[-1])), last_bot)

    async def _say(self, reply: FastReply):
        logger.debug(f"{self}: fast path answered ({reply.intent})")
        frames: list[Frame] = [
            LLMFullResponseStartFrame(),
            LLMTextFrame(reply.text),
            LLMFullResponseEndFrame(),
        ]
        for frame in frames:
            if self._skip_tts is not None:
                frame.skip_tts = self._skip_tts
            await self.push_frame(frame)
        await self._call_event_handler("on_fast_reply", reply)
        if reply.ends_call:
            # Downstream, behind the goodbye, as the end_call tool does: heard, then ended.
            await self.push_frame(EndWorkerFrame(reason="the caller said goodbye"))
