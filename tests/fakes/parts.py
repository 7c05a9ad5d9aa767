"""Pipeline parts from outside the project, as a developer would write them (tests only).

`CallerLineLogger` is a plain FrameProcessor with no place description: it goes
between the user aggregator and the LLM and is built with no arguments.
`PoliteReplies` says where it goes (after the LLM) and what it needs (the settings).
"""

from pipecat.frames.frames import Frame, LLMContextFrame, LLMTextFrame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.turns.user_start import VADUserTurnStartStrategy

from processors.placement import Placement


class CallerLineLogger(FrameProcessor):
    """Keeps every caller line it sees on its way to the LLM."""

    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMContextFrame) and direction == FrameDirection.DOWNSTREAM:
            messages = frame.context.get_messages()
            if messages and messages[-1].get("role") == "user":
                self.lines.append(messages[-1]["content"])
        await self.push_frame(frame, direction)


class PoliteReplies(FrameProcessor):
    placement = Placement(
        slot="after_llm", description="says the restaurant's name politely", needs=("settings",)
    )

    def __init__(self, settings):
        super().__init__()
        self._name = settings.restaurant_name

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMTextFrame) and self._name in frame.text:
            frame.text = frame.text.replace(self._name, f"the lovely {self._name}")
        await self.push_frame(frame, direction)


class MisplacedGate(FrameProcessor):
    placement = Placement(slot="turn_start", description="a processor in a turn slot")


class SayAnythingStart(VADUserTurnStartStrategy):
    """A turn-start strategy with no place description: it goes in turn_start."""


class NeedsTheMoon(FrameProcessor):
    placement = Placement(needs=("moon",))  # type: ignore[arg-type]


class CompilerFirst(FrameProcessor):
    placement = Placement(slot="after_stt", depends_on=("state_extractor",))
