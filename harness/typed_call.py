"""A scripted call in text against the real bot pipeline, as the evals' text modality makes it.

The pipeline is the one `bot.py` builds (app/worker.py) on a scripted transport; each
caller line goes into the context as RTVI's `send-text` puts it (`LLMMessagesAppendFrame`
with `run_llm`), and the bot's replies skip TTS, so a call takes seconds, not minutes.
The tests of the pipeline parts use it to check the bot still answers with a part off.
"""

import asyncio
import time
from dataclasses import dataclass, field

from pipecat.frames.frames import (
    AggregatedTextFrame,
    FunctionCallResultFrame,
    FunctionCallsStartedFrame,
    LLMConfigureOutputFrame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMMessagesAppendFrame,
    LLMTextFrame,
)
from pipecat.observers.base_observer import BaseObserver, FrameProcessed, FramePushed
from pipecat.processors.aggregators.llm_response_universal import (
    LLMAssistantAggregator,
    LLMUserAggregator,
)
from pipecat.processors.frame_processor import FrameDirection
from pipecat.workers.runner import WorkerRunner

from harness.audio_transport import ScriptedCallTransport
from settings import Settings

QUIET_SECS = 0.1
"""A reply is over once nothing it set going is still owed and nothing followed for this long."""


class ReplyWatcher(BaseObserver):
    """The bot's replies as the assistant aggregator takes them in, and the tools called.

    The responses and their words are read where they end up, at the assistant
    aggregator: a failover chain may pass a response's words on as new frames. A reply
    is over when every run of the LLM an aggregator asked for has answered, every tool
    the LLM started has had its result taken in by the assistant aggregator (which is
    where a result asks for the next run), and every response with words is in the
    context (the assistant aggregator passes the context on once it has added them, and
    the caller's next line must come after them): counted, so a slow hop between two
    processors on a loaded machine does not pass for the end of the reply.
    """

    def __init__(self):
        super().__init__()
        self._seen: set[int] = set()
        self.runs_asked = 0
        self.started = 0
        self.ended = 0
        self.worded = 0
        """Responses that had words."""
        self.recorded = 0
        """Responses the assistant aggregator added to the context."""
        self._words_in_response = False
        self.tools_running = 0
        self.text: list[str] = []
        self.tools: list[str] = []
        self.last_at = time.monotonic()

    async def on_push_frame(self, data: FramePushed):
        frame = data.frame
        if frame.id in self._seen:
            return
        down = data.direction == FrameDirection.DOWNSTREAM
        if isinstance(frame, LLMContextFrame):
            # The user aggregator asks downstream, the assistant aggregator (after a tool
            # result) upstream; downstream, the assistant aggregator says it added a reply.
            if isinstance(data.source, LLMUserAggregator) and down:
                self.runs_asked += 1
            elif isinstance(data.source, LLMAssistantAggregator):
                if down:
                    self.recorded += 1
                else:
                    self.runs_asked += 1
            else:
                return
        elif isinstance(frame, FunctionCallsStartedFrame) and down:
            self.tools_running += len(frame.function_calls)
            self.tools += [call.function_name for call in frame.function_calls]
        else:
            return
        self._seen.add(frame.id)
        self.last_at = time.monotonic()

    async def on_process_frame(self, data: FrameProcessed):
        frame = data.frame
        if not isinstance(data.processor, LLMAssistantAggregator) or frame.id in self._seen:
            return
        if isinstance(frame, LLMFullResponseStartFrame):
            self.started += 1
            self._words_in_response = False
        elif isinstance(frame, LLMFullResponseEndFrame):
            self.ended += 1
            self.worded += self._words_in_response
        elif isinstance(frame, (LLMTextFrame, AggregatedTextFrame)):
            # The LLM's tokens carry their spaces; the TTS's sentences (text not spoken) do not.
            self.text.append(frame.text if frame.includes_inter_frame_spaces else f" {frame.text}")
            self._words_in_response = self._words_in_response or bool(frame.text.strip())
        elif isinstance(frame, FunctionCallResultFrame):
            self.tools_running -= 1
        else:
            return
        self._seen.add(frame.id)
        self.last_at = time.monotonic()

    def done(self, ended_before: int) -> bool:
        return (
            self.ended > ended_before
            and self.ended >= self.started >= self.runs_asked
            and self.tools_running <= 0
            and self.recorded >= self.worded
            and time.monotonic() - self.last_at >= QUIET_SECS
        )


@dataclass
class TypedCall:
    """`async with TypedCall(settings) as call:`, then `await call.greet()`, `await call.say(...)`."""

    settings: Settings
    reply_timeout: float = 20.0
    caller_phone: str | None = None
    """The caller's own number, as Daily dial-in gives it (E.164); None as on WebRTC."""
    transport: ScriptedCallTransport = field(default_factory=ScriptedCallTransport)
    watcher: ReplyWatcher = field(default_factory=ReplyWatcher)

    async def __aenter__(self) -> "TypedCall":
        from app.worker import build_worker

        self.worker, self.context = build_worker(
            self.transport, self.settings, observers=[self.watcher], caller_phone=self.caller_phone
        )
        self._runner = WorkerRunner(handle_sigint=False)
        await self._runner.add_workers(self.worker)
        self._run = asyncio.create_task(self._runner.run())
        await self.worker.queue_frames([LLMConfigureOutputFrame(skip_tts=True)])
        return self

    async def __aexit__(self, *exc):
        if not self._run.done():
            await self.worker.cancel()
        await asyncio.wait_for(self._run, 20)

    async def greet(self) -> str:
        """Connect like an RTVI client; the bot's first words."""
        return await self._reply(self.transport.send_client_ready())

    async def say(self, line: str) -> str:
        """The caller types `line`; everything the bot answered to it."""
        append = LLMMessagesAppendFrame(messages=[{"role": "user", "content": line}], run_llm=True)
        return await self._reply(self.worker.queue_frames([append]))

    async def _reply(self, sending) -> str:
        ended, said = self.watcher.ended, len(self.watcher.text)
        await sending
        async with asyncio.timeout(self.reply_timeout):
            while not self.watcher.done(ended):
                await asyncio.sleep(0.02)
        return "".join(self.watcher.text[said:]).strip()
