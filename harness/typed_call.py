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
    FunctionCallInProgressFrame,
    FunctionCallResultFrame,
    LLMConfigureOutputFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMMessagesAppendFrame,
    LLMTextFrame,
)
from pipecat.observers.base_observer import BaseObserver, FramePushed
from pipecat.processors.frame_processor import FrameDirection
from pipecat.workers.runner import WorkerRunner

from harness.audio_transport import ScriptedCallTransport
from settings import Settings

QUIET_SECS = 0.3
"""A reply is over once the LLM has finished and nothing followed for this long."""


class ReplyWatcher(BaseObserver):
    """The LLM's responses, their text and the tools they called, each frame seen once."""

    def __init__(self):
        super().__init__()
        self._seen: set[int] = set()
        self.started = 0
        self.ended = 0
        self.tools_running = 0
        self.text: list[str] = []
        self.tools: list[str] = []
        self.last_at = time.monotonic()

    async def on_push_frame(self, data: FramePushed):
        frame = data.frame
        if data.direction != FrameDirection.DOWNSTREAM or frame.id in self._seen:
            return
        watched = (
            LLMFullResponseStartFrame,
            LLMFullResponseEndFrame,
            LLMTextFrame,
            FunctionCallInProgressFrame,
            FunctionCallResultFrame,
        )
        if not isinstance(frame, watched):
            return
        self._seen.add(frame.id)
        self.last_at = time.monotonic()
        if isinstance(frame, LLMFullResponseStartFrame):
            self.started += 1
        elif isinstance(frame, LLMFullResponseEndFrame):
            self.ended += 1
        elif isinstance(frame, LLMTextFrame):
            self.text.append(frame.text)
        elif isinstance(frame, FunctionCallInProgressFrame):
            self.tools_running += 1
            self.tools.append(frame.function_name)
        else:
            self.tools_running -= 1

    def done(self, ended_before: int) -> bool:
        return (
            self.ended > ended_before
            and self.ended >= self.started
            and self.tools_running <= 0
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
