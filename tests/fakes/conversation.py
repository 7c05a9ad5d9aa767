"""Run an LLM between real context aggregators, feeding it caller turns as text."""

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from pipecat.frames.frames import (
    DataFrame,
    EndFrame,
    Frame,
    FunctionCallCancelFrame,
    FunctionCallInProgressFrame,
    FunctionCallResultFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMMessagesAppendFrame,
    LLMTextFrame,
    TTSSpeakFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.services.llm_service import LLMService
from pipecat.tests.utils import run_test


class Heard(FrameProcessor):
    """Remembers what the LLM sends towards the TTS (the assistant aggregator consumes it),
    and whether the LLM still owes an answer: a response under way, a function call
    without its final result."""

    def __init__(self):
        super().__init__()
        self.frames: list[Frame] = []
        self.responses = 0
        """LLM responses started so far."""
        self._open_responses = 0
        self._open_calls: set[str] = set()
        self._last_activity = time.monotonic()

    async def process_frame(self, frame, direction):
        await super().process_frame(frame, direction)
        if direction == FrameDirection.DOWNSTREAM:
            self._track(frame)
        if isinstance(frame, (LLMTextFrame, TTSSpeakFrame, LLMFullResponseEndFrame)):
            self.frames.append(frame)
        await self.push_frame(frame, direction)

    def _track(self, frame: Frame):
        if isinstance(frame, LLMFullResponseStartFrame):
            self.responses += 1
            self._open_responses += 1
        elif isinstance(frame, LLMFullResponseEndFrame):
            self._open_responses = max(0, self._open_responses - 1)
        elif isinstance(frame, FunctionCallInProgressFrame):
            self._open_calls.add(frame.tool_call_id)
        elif isinstance(frame, FunctionCallResultFrame):
            if frame.properties is None or frame.properties.is_final:
                self._open_calls.discard(frame.tool_call_id)
        elif isinstance(frame, FunctionCallCancelFrame):
            self._open_calls.discard(frame.tool_call_id)
        elif not isinstance(frame, (LLMTextFrame, TTSSpeakFrame)):
            return
        self._last_activity = time.monotonic()

    def _idle_for(self) -> float:
        if self._open_responses or self._open_calls:
            return 0.0
        return time.monotonic() - self._last_activity

    async def answered(self, responses_before: int, quiet: float, timeout: float):
        """Wait until an answer started after `responses_before` responses, then until
        nothing is under way and nothing happened for `quiet` seconds (a function's
        result starts the next response within milliseconds). Gives up after `timeout`:
        a turn may get no answer, and the test's assertions say whether that is right."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.responses > responses_before and self._idle_for() >= quiet:
                return
            await asyncio.sleep(0.02)


class AnsweredFrame(DataFrame):
    """In `frames_to_send`: hold the caller's next frames until the bot has answered."""

    def __init__(self, quiet: float = 0.2, timeout: float = 10.0):
        super().__init__()
        self.quiet = quiet
        self.timeout = timeout


class Pacer(FrameProcessor):
    """First in the pipeline: on an `AnsweredFrame`, waits for `Heard` to see the LLM's
    answer to the caller's last turn, so turns never overlap however loaded the machine."""

    def __init__(self, heard: Heard):
        super().__init__()
        self._heard = heard
        self._responses_before = 0

    async def process_frame(self, frame, direction):
        await super().process_frame(frame, direction)
        if isinstance(frame, AnsweredFrame):
            await self._heard.answered(self._responses_before, frame.quiet, frame.timeout)
            return
        if isinstance(frame, LLMMessagesAppendFrame) and frame.run_llm:
            self._responses_before = self._heard.responses
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


def turns(*said: str, quiet: float = 0.2) -> list[Frame]:
    """Caller turns, each said once the bot has answered the one before (and been quiet
    for `quiet` seconds), not after a fixed pause, which a loaded machine outran."""
    return [frame for text in said for frame in (user(text), AnsweredFrame(quiet))]


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
    processors between the user aggregator and the LLM, as bot.py has them. An
    `AnsweredFrame` among `frames` (see `turns`) waits for the bot's answer."""
    heard = Heard()
    context = LLMContext(tools=list(tools))
    user_aggregator, assistant_aggregator = LLMContextAggregatorPair(context)
    hold = [HoldEnd(done, done_timeout)] if done is not None else []
    pipeline = [Pacer(heard), *hold, user_aggregator, *before_llm, llm, heard, assistant_aggregator]
    await run_test(Pipeline(pipeline), frames_to_send=list(frames))
    return Conversation(heard.frames, context)
