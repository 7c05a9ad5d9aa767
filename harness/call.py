"""A scripted phone call against the real bot pipeline, with per-turn timings.

Used by the end-to-end tests and by `make bench`: the pipeline is the one
`bot.py` builds; only the transport is the scripted caller.
"""

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import median

from pipecat.frames.frames import (
    BotStoppedSpeakingFrame,
    EndFrame,
    Frame,
    LLMTextFrame,
    TranscriptionFrame,
    TTSAudioRawFrame,
    UserStoppedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.observers.base_observer import BaseObserver, FramePushed
from pipecat.pipeline.worker import PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.frame_processor import FrameDirection
from pipecat.transports.base_transport import BaseTransport

from harness.audio_transport import ScriptedCallTransport, Utterance
from processors.speculative_reply_hold import SPECULATION, SpeculativeReplyHold
from settings import Settings

WATCHED = (
    VADUserStoppedSpeakingFrame,
    UserStoppedSpeakingFrame,
    TranscriptionFrame,
    LLMTextFrame,
    TTSAudioRawFrame,
    BotStoppedSpeakingFrame,
    EndFrame,
)


class FrameTimeline(BaseObserver):
    """When each watched frame was first pushed, in `time.monotonic()` seconds."""

    def __init__(self):
        # A frame's first push is its first downstream one for every watched kind: later
        # pushes need not cross the observer's queue (50 caller frames a second, each hop).
        super().__init__(observe_every_push=False)
        self.events: list[tuple[float, Frame]] = []
        self._seen: set[int] = set()
        self.changed = asyncio.Event()

    async def on_push_frame(self, data: FramePushed):
        frame = data.frame
        # Broadcast frames travel both ways as two frames; count the downstream one.
        if data.direction != FrameDirection.DOWNSTREAM:
            return
        if isinstance(frame, WATCHED) and frame.id not in self._seen:
            self._seen.add(frame.id)
            self.events.append((time.monotonic(), frame))
            self.changed.set()

    def after(self, t: float, kind: type[Frame]) -> list[tuple[float, Frame]]:
        return [(at, f) for at, f in self.events if at >= t and isinstance(f, kind)]

    def first_after(self, t: float, kind: type[Frame]) -> float | None:
        found = self.after(t, kind)
        return found[0][0] if found else None

    async def wait_for(self, t: float, kind: type[Frame], timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        while (found := self.first_after(t, kind)) is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)
        return found


@dataclass
class Turn:
    """One caller utterance and what the bot did with it. Times are seconds after speech end."""

    transcript: str
    reply: str
    vad_stop: float | None
    turn_end: float | None
    transcribed: float | None
    first_text: float | None
    first_audio: float | None
    user_turns: int = 1
    spoken: tuple[float, float] | None = None
    """When the caller's utterance started and ended playing (`time.monotonic()`)."""

    def breakdown(self) -> dict[str, float | None]:
        return {
            "vad_stop_s": self.vad_stop,
            "turn_end_s": self.turn_end,
            "transcript_s": self.transcribed,
            "first_text_s": self.first_text,
            "first_audio_s": self.first_audio,
        }


Builder = Callable[
    [BaseTransport, Settings, Sequence[BaseObserver]], tuple[PipelineWorker, LLMContext]
]


@dataclass
class ScriptedCall:
    """Runs the bot on a scripted transport; `say()` plays one caller utterance."""

    settings: Settings
    transport: ScriptedCallTransport = field(default_factory=ScriptedCallTransport)
    timeline: FrameTimeline = field(default_factory=FrameTimeline)
    build: Builder | None = None
    """Builds the call's worker; None: the bot's own (`app.worker.build_worker`). A benchmark
    passes another pipeline to measure it on the same transport and clock."""

    async def __aenter__(self) -> "ScriptedCall":
        from app.upkeep import prepare_process
        from app.worker import build_worker, run_call

        prepare_process()
        build = self.build or build_worker
        self.worker, self.context = build(self.transport, self.settings, [self.timeline])
        self._run = asyncio.create_task(run_call(self.worker))
        return self

    async def __aexit__(self, *exc):
        if not self._run.done():
            await self.worker.cancel()
        await asyncio.wait_for(self._run, 20)

    async def greet(self, timeout: float = 20) -> str:
        """Connect like an RTVI client and wait for the bot's greeting to finish."""
        started = time.monotonic()
        await self.transport.send_client_ready()
        await self.timeline.wait_for(started, BotStoppedSpeakingFrame, timeout)
        return self._text_between(started, time.monotonic())

    async def say(self, pcm: bytes, reply_timeout: float = 20, whole_reply: bool = True) -> Turn:
        """Speak `pcm`, wait for the bot to answer and finish speaking (`whole_reply=False`:
        only until its answer is heard, for a call that ends there)."""
        started = time.monotonic()
        utterance = self.transport.speak(pcm)
        end = await utterance.ended
        first_audio_frame = await self.timeline.wait_for(end, TTSAudioRawFrame, reply_timeout)
        heard = self.transport.heard.first_voiced_after(end)
        if first_audio_frame is not None:
            if whole_reply:
                await self.timeline.wait_for(
                    first_audio_frame, BotStoppedSpeakingFrame, reply_timeout
                )
            else:
                await self.bot_audible_after(end, reply_timeout)
            # The loudspeaker plays the first frame once it is written; wait for that.
            await asyncio.sleep(0.1)
            heard = self.transport.heard.first_voiced_after(end)

        def since_end(t: float | None) -> float | None:
            return None if t is None else round(t - end, 3)

        transcripts = [f.text.strip() for _, f in self.timeline.after(started, TranscriptionFrame)]
        return Turn(
            transcript=" ".join(transcripts),
            reply=self._text_between(end, time.monotonic()),
            vad_stop=since_end(self.timeline.first_after(end, VADUserStoppedSpeakingFrame)),
            turn_end=since_end(self.timeline.first_after(end, UserStoppedSpeakingFrame)),
            transcribed=since_end(self.timeline.first_after(end, TranscriptionFrame)),
            first_text=since_end(next((at for at, _ in self._replies_after(end)), None)),
            first_audio=since_end(heard),
            user_turns=len(self.timeline.after(started, UserStoppedSpeakingFrame)),
            spoken=(utterance.started.result(), end),
        )

    async def ask(self, pcm: bytes, timeout: float = 20) -> float | None:
        """Speak `pcm` and return when the bot's answer became audible, without
        waiting for the answer to end (so the caller can talk over it)."""
        end = await self.transport.say(pcm)
        return await self.bot_audible_after(end, timeout)

    async def bot_audible_after(self, t: float, timeout: float = 20) -> float | None:
        """When the bot next became audible after time `t` (None if not within `timeout`)."""
        deadline = time.monotonic() + timeout
        while (heard := self.transport.heard.first_voiced_after(t)) is None:
            if time.monotonic() > deadline:
                return None
            await asyncio.sleep(0.02)
        return heard

    async def interject(self, pcm: bytes, at: float) -> Utterance:
        """Play caller audio at monotonic time `at` (e.g. while the bot speaks);
        return it once played, with when it started and ended."""
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        utterance = self.transport.speak(pcm)
        await utterance.ended
        return utterance

    async def wait_for_silence(self, quiet: float = 1.5, timeout: float = 30) -> bool:
        """Wait until the bot has sent no audio for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = self.transport.heard.last_sent()
            if last is not None and time.monotonic() - last >= quiet:
                return True
            await asyncio.sleep(0.05)
        return False

    async def finished(self, timeout: float = 20) -> bool:
        """Whether the pipeline ends by itself (e.g. after a goodbye) within `timeout`."""
        try:
            await asyncio.wait_for(asyncio.shield(self._run), timeout)
        except TimeoutError:
            return False
        return True

    def since_last_caller_turn(self) -> list[dict]:
        """The context from the caller's last turn on (older turns may be compacted away)."""
        messages = self.context.get_messages()
        users = [i for i, m in enumerate(messages) if m.get("role") == "user"]
        return messages[users[-1] :] if users else []

    def text_between(self, start: float, end: float) -> str:
        """The reply text the LLM produced between two times."""
        return self._text_between(start, end)

    def _text_between(self, start: float, end: float) -> str:
        return "".join(f.text for at, f in self._replies_after(start) if at <= end)

    def _replies_after(self, t: float) -> list[tuple[float, LLMTextFrame]]:
        """The reply text the LLM produced after `t`, less that of speculative replies
        the caller never heard (made before the turn end was confirmed, then dropped)."""
        released = set().union(*(h.released for h in self._holds()))
        return [
            (at, f)
            for at, f in self.timeline.after(t, LLMTextFrame)
            if f.metadata.get(SPECULATION) in released or SPECULATION not in f.metadata
        ]

    def _holds(self) -> list[SpeculativeReplyHold]:
        found, todo = [], [self.worker.pipeline]
        while todo:
            processor = todo.pop()
            if isinstance(processor, SpeculativeReplyHold):
                found.append(processor)
            todo += getattr(processor, "processors", [])
        return found


def median_breakdown(turns: list[Turn]) -> dict[str, float | None]:
    """Median of each stage over turns, skipping stages a turn did not reach."""
    result = {}
    for key in turns[0].breakdown():
        values = [t.breakdown()[key] for t in turns if t.breakdown()[key] is not None]
        result[key] = round(median(values), 3) if values else None
    return result
