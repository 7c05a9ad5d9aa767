"""Says a short acknowledgement when a turn's first tool call starts and the bot is silent.

With a generative LLM a turn that calls a tool is heard only after the call
and a second LLM request (about 1.5 s at Claude's published 640 ms first
token), and longer when a service of the chain fails over on that turn.
Pipecat's function-calling examples queue a `TTSSpeakFrame` from the LLM's
`on_function_calls_started` event; this processor does the same from the
frames, after the LLM, so it also knows what the turn already said:

- it speaks on the first `FunctionCallInProgressFrame` of a turn (a control
  frame: it comes after any text of the same response, which a system frame
  such as `FunctionCallsStartedFrame` may overtake), and only when no text
  of the turn came before it and the bot is not speaking;
- at most once per turn: a turn is the responses from the caller's message to
  the first response that calls no tool (a response that starts after a tool
  call continues its turn), or up to an interruption;
- a filler said later in the same turn before any reply text (a
  `TTSSpeakFrame` kept out of the context, such as the function-call gate's)
  is dropped: the caller has just heard one;
- the phrase comes from the caller (`phrase_for`, per tool: the domain), and
  `enabled` says whether the LLM answering now is one that needs it (the
  on-device engine's tools are instant);
- it goes downstream into the TTS chain like any reply, so the fallback TTS
  speaks it when the chain has failed over.
"""

from collections.abc import Callable

from loguru import logger
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    Frame,
    FunctionCallInProgressFrame,
    InterruptionFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
    TTSSpeakFrame,
    UserStartedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from processors.placement import Placement


class ToolCallAcknowledger(FrameProcessor):
    """Speaks `phrase_for(tool)` once in a silent turn when its first tool call starts."""

    placement = Placement(
        slot="after_llm",
        description="says a short acknowledgement when a silent turn's first tool call starts",
    )

    def __init__(
        self,
        phrase_for: Callable[[str], str | None],
        *,
        enabled: Callable[[], bool] = lambda: True,
        **kwargs,
    ):
        """Args:
        phrase_for: The words to say for a tool, by its name; None: say nothing for it.
        enabled: Whether the LLM answering now needs an acknowledgement (checked at each
            call: a failover chain may switch to the on-device engine).
        """
        super().__init__(**kwargs)
        self._phrase_for = phrase_for
        self._enabled = enabled
        self._spoke = False
        """Something of this turn went to the TTS (reply text, a filler, the acknowledgement)."""
        self._acknowledged = False
        self._tool_called = False
        """A tool call started since the last response began: the next response continues
        the turn."""
        self._bot_speaking = False

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, BotStartedSpeakingFrame):
            self._bot_speaking = True
        elif isinstance(frame, BotStoppedSpeakingFrame):
            self._bot_speaking = False
        if direction != FrameDirection.DOWNSTREAM:
            await self.push_frame(frame, direction)
            return
        if isinstance(frame, (InterruptionFrame, UserStartedSpeakingFrame)):
            self._new_turn()
        elif isinstance(frame, LLMFullResponseStartFrame):
            if not self._tool_called:
                self._new_turn()
            self._tool_called = False
        elif isinstance(frame, LLMTextFrame) and frame.text.strip():
            self._spoke = True
        elif isinstance(frame, TTSSpeakFrame):
            if self._acknowledged and not frame.append_to_context:
                logger.debug("acknowledgement: a second filler in the turn dropped")
                return
            self._spoke = True
        elif isinstance(frame, FunctionCallInProgressFrame):
            self._tool_called = True
            await self.push_frame(frame, direction)
            await self._maybe_acknowledge(frame.function_name)
            return
        await self.push_frame(frame, direction)

    def _new_turn(self):
        self._spoke = self._acknowledged = self._tool_called = False

    async def _maybe_acknowledge(self, tool: str):
        if self._spoke or self._bot_speaking or not self._enabled():
            return
        phrase = self._phrase_for(tool)
        if not phrase:
            return
        self._spoke = self._acknowledged = True
        await self.push_frame(TTSSpeakFrame(phrase, append_to_context=False))
