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
    FunctionCallsStartedFrame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMMessagesAppendFrame,
    LLMTextFrame,
    TTSSpeakFrame,
)
from pipecat.observers.base_observer import BaseObserver, FrameProcessed, FramePushed
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.services.llm_service import LLMService
from pipecat.tests.utils import run_test


class Heard(FrameProcessor):
    """Remembers what the LLM sends towards the TTS (the assistant aggregator consumes it),
    and whether the LLM still owes an answer: a response under way, a function call
    without its final result or whose result the assistant aggregator has not yet taken in,
    a run the aggregator asked for after a result that has not started, a reply with words
    the aggregator has not yet added to the context (the caller's next line must come after
    it). Counted, so a slow hop on a loaded machine does not pass for the end of an answer."""

    def __init__(self):
        super().__init__()
        self.frames: list[Frame] = []
        self.responses = 0
        """LLM responses started so far."""
        self._open_responses = 0
        self._open_calls: set[str] = set()
        self._results_in_flight = 0
        """Final results on their way to the assistant aggregator."""
        self._runs_asked = 0
        """Runs the assistant aggregator asked for (a result's answer) not yet started."""
        self._worded = 0
        """Responses with words that ended; `_recorded`: those the aggregator added."""
        self._recorded = 0
        self._words_in_response = False
        self._last_activity = time.monotonic()

    async def process_frame(self, frame, direction):
        await super().process_frame(frame, direction)
        if direction == FrameDirection.DOWNSTREAM:
            self._track(frame)
        elif isinstance(frame, LLMContextFrame):  # from the assistant aggregator: run again
            self._runs_asked += 1
            self._last_activity = time.monotonic()
        if isinstance(frame, (LLMTextFrame, TTSSpeakFrame, LLMFullResponseEndFrame)):
            self.frames.append(frame)
        await self.push_frame(frame, direction)

    def _track(self, frame: Frame):
        if isinstance(frame, LLMFullResponseStartFrame):
            self.responses += 1
            self._open_responses += 1
            self._runs_asked = max(0, self._runs_asked - 1)
            self._words_in_response = False
        elif isinstance(frame, LLMFullResponseEndFrame):
            self._open_responses = max(0, self._open_responses - 1)
            self._worded += self._words_in_response
        elif isinstance(frame, LLMTextFrame):
            self._words_in_response = self._words_in_response or bool(frame.text.strip())
        elif isinstance(frame, FunctionCallsStartedFrame):
            # Before the response's end (the in-progress frames come later, from tasks).
            self._open_calls.update(call.tool_call_id for call in frame.function_calls)
        elif isinstance(frame, FunctionCallInProgressFrame):
            self._open_calls.add(frame.tool_call_id)
        elif isinstance(frame, FunctionCallResultFrame):
            if frame.properties is None or frame.properties.is_final:
                self._open_calls.discard(frame.tool_call_id)
                self._results_in_flight += 1
        elif isinstance(frame, FunctionCallCancelFrame):
            self._open_calls.discard(frame.tool_call_id)
        elif not isinstance(frame, TTSSpeakFrame):
            return
        self._last_activity = time.monotonic()

    def taken_in(self):
        """The assistant aggregator has begun to take in a final result (whatever run it
        asks for is pushed before it is done: within the quiet time)."""
        self._results_in_flight = max(0, self._results_in_flight - 1)
        self._last_activity = time.monotonic()

    def recorded(self):
        """The assistant aggregator added a reply to the context."""
        self._recorded += 1
        self._last_activity = time.monotonic()

    def _idle_for(self) -> float:
        owed = self._open_calls or self._results_in_flight or self._runs_asked
        if self._open_responses or owed or self._recorded < self._worded:
            return 0.0
        return time.monotonic() - self._last_activity

    async def answered(self, responses_before: int, quiet: float, timeout: float):
        """Wait until an answer started after `responses_before` responses, then until
        nothing is under way or owed (counted, see the class) and nothing happened for
        `quiet` seconds (a margin for what is not counted). Gives up after `timeout`:
        a turn may get no answer, and the test's assertions say whether that is right."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.responses > responses_before and self._idle_for() >= quiet:
                return
            await asyncio.sleep(0.02)


class AnsweredFrame(DataFrame):
    """In `frames_to_send`: hold the caller's next frames until the bot has answered."""

    def __init__(self, quiet: float = 0.05, timeout: float = 10.0):
        super().__init__()
        self.quiet = quiet
        self.timeout = timeout


class ResultsTakenIn(BaseObserver):
    """Tells `Heard` when the assistant aggregator takes in a function call's final result,
    and when it has added a reply to the context (it passes the context on then): an
    observer of every pipeline `Heard` is in."""

    def __init__(self, aggregator: FrameProcessor, heard: Heard):
        super().__init__()
        self._aggregator = aggregator
        self._heard = heard

    async def on_process_frame(self, data: FrameProcessed):
        frame = data.frame
        if data.processor is self._aggregator and isinstance(frame, FunctionCallResultFrame):
            if frame.properties is None or frame.properties.is_final:
                self._heard.taken_in()

    async def on_push_frame(self, data: FramePushed):
        if (
            data.source is self._aggregator
            and isinstance(data.frame, LLMContextFrame)
            and data.direction == FrameDirection.DOWNSTREAM
        ):
            self._heard.recorded()


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


def turns(*said: str, quiet: float = 0.05) -> list[Frame]:
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
    taken_in = ResultsTakenIn(assistant_aggregator, heard)
    await run_test(Pipeline(pipeline), frames_to_send=list(frames), observers=[taken_in])
    return Conversation(heard.frames, context)
