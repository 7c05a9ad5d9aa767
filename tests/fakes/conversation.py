"""Run an LLM between real context aggregators, feeding it caller turns as text."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from pipecat.frames.frames import (
    EndFrame,
    Frame,
    LLMFullResponseEndFrame,
    LLMMessagesAppendFrame,
    LLMTextFrame,
    TTSSpeakFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
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


class HoldEnd(FrameProcessor):
    """Holds the test's EndFrame until the LLM is done (or `timeout` passes), so a test
    does not depend on how fast a loaded machine gets through the script."""

    def __init__(self, done: asyncio.Event, timeout: float):
        super().__init__()
        self._done = done
        self._timeout = timeout

    async def process_frame(self, frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, EndFrame):
            try:
                await asyncio.wait_for(self._done.wait(), self._timeout)
            except TimeoutError:
                pass
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


async def converse(
    llm: LLMService,
    tools: Sequence,
    frames: Sequence[Frame],
    done: asyncio.Event | None = None,
    done_timeout: float = 10.0,
    before_llm: Sequence[FrameProcessor] = (),
) -> Conversation:
    """`done`: when the LLM has nothing more to say; the call ends only then (or after
    `done_timeout`), however long the frames' pauses turned out to be. `before_llm`:
    processors between the user aggregator and the LLM, as bot.py has them."""
    heard = Heard()
    context = LLMContext(tools=list(tools))
    user_aggregator, assistant_aggregator = LLMContextAggregatorPair(context)
    hold = [HoldEnd(done, done_timeout)] if done is not None else []
    await run_test(
        Pipeline([*hold, user_aggregator, *before_llm, llm, heard, assistant_aggregator]),
        frames_to_send=list(frames),
    )
    return Conversation(heard.frames, context)
