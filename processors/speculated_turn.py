"""Keeps the LLM from answering a second time a caller turn it answered speculatively.

A reply made while the turn-end floor ran (turns/turn_end_floor.py) answered a
provisional context. When the turn end confirms it, the user aggregator ends the turn
as any other: it writes the turn to the context and sends the context frame on, so
the processors before the LLM (the state extractor, the call records, the context
compiler) read the confirmed turn as they read every turn. Pipecat's own confirmation
(`confirms_speculation`) sends no context frame, and those processors would miss the
turn or read it in the wrong question's light. The reply is on its way already, so
that frame must not reach the LLM: `SpeculatedTurnFilter`, just before the LLM, drops
it. The fast path asks `SpeculatedTurn` too, so it does not answer that turn again.

A withdrawal (the caller went on, the transcript changed, the LLM wanted a tool) or an
interruption between the two frames means the turn was not answered: its frame goes on.
"""

from pipecat.frames.frames import (
    EagerEndOfTurnCancelFrame,
    Frame,
    InterruptionFrame,
    LLMContextFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor


class SpeculatedTurn:
    """Whether a context frame repeats a turn already answered speculatively."""

    def __init__(self):
        self._answered = False

    def repeats(self, frame: Frame, direction: FrameDirection) -> bool:
        """Note `frame`; True for the confirmed turn's context frame after its speculation."""
        if isinstance(frame, (EagerEndOfTurnCancelFrame, InterruptionFrame)):
            self._answered = False
        elif isinstance(frame, LLMContextFrame) and direction == FrameDirection.DOWNSTREAM:
            answered, self._answered = self._answered, frame.speculation
            return answered and not frame.speculation
        return False


class SpeculatedTurnFilter(FrameProcessor):
    """Drops the context frame of a turn the LLM answered speculatively (it answers once)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._turn = SpeculatedTurn()

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if not self._turn.repeats(frame, direction):
            await self.push_frame(frame, direction)
