"""Run an LLM between real context aggregators, feeding it caller turns as text."""

from collections.abc import Sequence
from dataclasses import dataclass

from pipecat.frames.frames import (
    Frame,
    LLMFullResponseEndFrame,
    LLMMessagesAppendFrame,
    LLMTextFrame,
    TTSSpeakFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.processors.frame_processor import FrameProcessor
from pipecat.services.llm_service import LLMService
from pipecat.tests.utils import SleepFrame, run_test


class Heard(FrameProcessor):
    """Remembers what the LLM sends towards the TTS (the assistant aggregator consumes it)."""

    def __init__(self):
        super().__init__()
        self.frames: list[Frame] = []

    async def process_frame(self, frame, direction):
        await super().process_frame(frame, direction)
        if isinstance(frame, (LLMTextFrame, TTSSpeakFrame, LLMFullResponseEndFrame)):
            self.frames.append(frame)
        await self.push_frame(frame, direction)


@dataclass
class Conversation:
    heard: list[Frame]
    context: LLMContext

    @property
    def replies(self) -> list[str]:
        """The bot's answers, one per LLM response that said something."""
        replies, current = [], ""
        for frame in self.heard:
            if isinstance(frame, LLMTextFrame):
                current += frame.text
            elif isinstance(frame, LLMFullResponseEndFrame) and current:
                replies.append(current)
                current = ""
        return replies

    @property
    def spoken(self) -> str:
        return "".join(f.text for f in self.heard if isinstance(f, LLMTextFrame))


def user(text: str) -> LLMMessagesAppendFrame:
    return LLMMessagesAppendFrame(messages=[{"role": "user", "content": text}], run_llm=True)


def turns(*said: str, pause: float = 0.3) -> list[Frame]:
    """Caller turns, each followed by a pause for the bot to answer."""
    return [frame for text in said for frame in (user(text), SleepFrame(pause))]


async def converse(llm: LLMService, tools: Sequence, frames: Sequence[Frame]) -> Conversation:
    heard = Heard()
    context = LLMContext(tools=list(tools))
    user_aggregator, assistant_aggregator = LLMContextAggregatorPair(context)
    await run_test(
        Pipeline([user_aggregator, llm, heard, assistant_aggregator]), frames_to_send=list(frames)
    )
    return Conversation(heard.frames, context)
