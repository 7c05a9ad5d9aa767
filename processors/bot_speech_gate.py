"""Lets the bot's speech out at the pace the caller hears it, so it can pause at once.

Pipecat lacks a soft interruption: an `InterruptionFrame` drops the reply, and
the TTS hands the output transport a whole sentence of audio at a time, so
nothing between them can stop the audio without dropping it. This gate sits
between the TTS and `transport.output()`:

- it releases the bot's audio in small chunks, only `lead_secs` ahead of what
  the caller is hearing, keeping every other frame in order behind it;
- it pauses on `VADUserStartedSpeakingFrame` while the bot speaks (the caller
  hears silence within `lead_secs`), and resumes where it paused on
  `ResumeBotSpeechFrame`, or by itself when `resume_secs` pass after the
  caller's sound ends with no decision, and in any case `max_pause_secs` after it paused
  (a TV talking in the room must not hold the bot forever);
- on an `InterruptionFrame` (the interruption committed) it drops what is
  held, keeping uninterruptible frames (Pipecat's `frame.interruptible=False`),
  and first pushes a `HeardSpeechFrame` with what the caller heard: to the word
  for a TTS with word timings, else to the audio position in the sentence;
- uninterruptible audio is never paused.

Word-timed `TTSTextFrame`s are released when the audio they belong to is, with
their presentation time cleared, so the context never gets a word the caller
did not hear.
"""

import asyncio
import dataclasses
import time
from collections import deque
from dataclasses import dataclass

from loguru import logger
from pipecat.frames.frames import (
    AggregatedTextFrame,
    CancelFrame,
    EndFrame,
    Frame,
    InterruptionFrame,
    LLMAssistantPushAggregationFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    OutputAudioRawFrame,
    StartFrame,
    SystemFrame,
    TTSStoppedFrame,
    TTSTextFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from processors.interruption_frames import HeardSpeechFrame, ResumeBotSpeechFrame
from processors.placement import Placement

NANOSECONDS = 1_000_000_000


@dataclass
class _Segment:
    """One piece of text the TTS speaks, and how much of its audio went out."""

    text: str
    interruptible: bool = True
    audio_bytes: int = 0
    released_bytes: int = 0
    timed: bool = False


class BotSpeechGate(FrameProcessor):
    """Paces bot audio to real time; pauses, resumes or drops it on the caller's speech."""

    placement = Placement(
        slot="after_tts",
        description="pauses the bot's audio at once when the caller speaks, then resumes or drops it",
        needs=("settings",),
    )

    def __init__(
        self,
        *,
        resume_secs: float = 1.0,
        max_pause_secs: float = 4.0,
        lead_secs: float = 0.08,
        chunk_secs: float = 0.02,
        **kwargs,
    ):
        """
        Args:
            resume_secs: After the caller's sound ends, how long a pause may
                wait for a decision before the bot plays on by itself.
            max_pause_secs: The longest a pause lasts, however long the sound goes
                on: then the bot plays on, until that sound ends and another starts.
            lead_secs: How far ahead of the caller's ear audio is released;
                the transport still plays this much after a pause.
            chunk_secs: The size of the audio pieces released.
        """
        super().__init__(**kwargs)
        self._resume_secs = resume_secs
        self._max_pause_secs = max_pause_secs
        self._lead_secs = lead_secs
        self._chunk_secs = chunk_secs

        self._held: deque[Frame] = deque()
        self._timed_words: list[TTSTextFrame] = []
        self._context_start_ns: dict[str | None, int] = {}
        self._context_released_secs: dict[str | None, float] = {}
        # The text each announcing frame held announces, the last one announced
        # (its audio is arriving) and the one the caller is hearing.
        self._segments: dict[int, _Segment] = {}
        self._announced: _Segment | None = None
        self._playing: _Segment | None = None
        self._heard: list[str] = []
        # TTS contexts an interruption cut: their stragglers are dropped.
        self._cut_contexts: set[str] = set()

        self._playing_until = 0.0
        self._audio_bytes_per_sec = 24000 * 2
        self._paused = False
        self._caller_speaking = False
        self._wake = asyncio.Event()
        self._release_task: asyncio.Task | None = None
        self._resume_task: asyncio.Task | None = None
        self._pause_cap_task: asyncio.Task | None = None

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)

        if isinstance(frame, StartFrame):
            await self.push_frame(frame, direction)
            self._release_task = self.create_task(self._release_loop(), "release")
        elif isinstance(frame, CancelFrame):
            await self._stop_tasks()
            await self.push_frame(frame, direction)
        elif isinstance(frame, InterruptionFrame):
            await self._commit()
            await self.push_frame(frame, direction)
        elif direction == FrameDirection.UPSTREAM:
            await self.push_frame(frame, direction)
        elif isinstance(frame, VADUserStartedSpeakingFrame):
            await self._caller_started()
            await self.push_frame(frame, direction)
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            await self._caller_stopped()
            await self.push_frame(frame, direction)
        elif isinstance(frame, ResumeBotSpeechFrame):
            await self._resume("the sound was not an interruption")
            await self.push_frame(frame, direction)
        elif isinstance(frame, SystemFrame):
            await self.push_frame(frame, direction)
        else:
            self._hold(frame)

    #
    # Holding and releasing
    #

    def _hold(self, frame: Frame):
        if frame.interruptible and getattr(frame, "context_id", None) in self._cut_contexts:
            # Pushed by the TTS as the interruption passed it: part of the cut reply.
            return
        if isinstance(frame, OutputAudioRawFrame):
            self._note_audio_received(frame)
            self._held.extend(self._chunks(frame))
        elif isinstance(frame, TTSTextFrame) and frame.pts:
            self._hold_timed_word(frame)
        else:
            if _announces(frame):
                self._announced = _Segment(frame.text, frame.interruptible)
                self._segments[frame.id] = self._announced
            self._held.append(frame)
        self._wake.set()

    def _note_audio_received(self, frame: OutputAudioRawFrame):
        if self._announced:
            self._announced.audio_bytes += len(frame.audio)
        context_id = getattr(frame, "context_id", None)
        if context_id not in self._context_start_ns:
            self._context_start_ns[context_id] = self.get_clock().get_time()
            self._context_released_secs[context_id] = 0.0

    def _hold_timed_word(self, frame: TTSTextFrame):
        if self._announced:
            self._announced.timed = True
        self._timed_words.append(frame)

    def _chunks(self, frame: OutputAudioRawFrame) -> list[OutputAudioRawFrame]:
        step = max(2, int(frame.sample_rate * self._chunk_secs)) * 2 * frame.num_channels
        if len(frame.audio) <= step:
            return [frame]
        pieces = []
        for offset in range(0, len(frame.audio), step):
            piece = dataclasses.replace(frame, audio=frame.audio[offset : offset + step])
            piece.interruptible = frame.interruptible
            piece.transport_destination = frame.transport_destination
            pieces.append(piece)
        return pieces

    async def _release_loop(self):
        while True:
            wait = self._next_release_wait()
            if wait is None:
                self._wake.clear()
                await self._wake.wait()
            elif wait > 0:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), wait)
                except TimeoutError:
                    pass
            else:
                frame = self._held.popleft()
                await self._release(frame)
                if isinstance(frame, EndFrame):
                    await self._cancel_resume_timer()
                    await self._cancel_pause_cap()
                    self._release_task = None
                    return

    def _next_release_wait(self) -> float | None:
        """Seconds until the head of the queue may go out; None while nothing may."""
        if not self._held:
            return None
        head = self._held[0]
        if not isinstance(head, OutputAudioRawFrame):
            return 0.0
        if self._paused and head.interruptible:
            return None
        return max(0.0, self._playing_until - self._lead_secs - time.monotonic())

    async def _release(self, frame: Frame):
        if isinstance(frame, OutputAudioRawFrame):
            self._audio_bytes_per_sec = 2 * frame.num_channels * frame.sample_rate
            secs = len(frame.audio) / self._audio_bytes_per_sec
            self._playing_until = max(self._playing_until, time.monotonic()) + secs
            if self._playing is not None:
                self._playing.released_bytes += len(frame.audio)
            context_id = getattr(frame, "context_id", None)
            if context_id in self._context_released_secs:
                self._context_released_secs[context_id] += secs
            await self.push_frame(frame)
            await self._release_words(context_id)
            return

        if _announces(frame):
            self._playing = self._segments.pop(frame.id, None)
        elif isinstance(frame, TTSTextFrame):
            if not (self._playing and self._playing.timed):
                self._heard.append(frame.text)
            self._playing = None
        elif isinstance(frame, TTSStoppedFrame):
            await self._release_words(frame.context_id, everything=True)
            self._forget_context(frame.context_id)
        elif isinstance(
            frame,
            (LLMFullResponseStartFrame, LLMFullResponseEndFrame, LLMAssistantPushAggregationFrame),
        ):
            self._heard = []
        await self.push_frame(frame)

    async def _release_words(self, context_id: str | None, everything: bool = False):
        """Release the timed words of a context whose audio has gone out."""
        start = self._context_start_ns.get(context_id)
        played = self._context_released_secs.get(context_id, 0.0)
        waiting = []
        for word in self._timed_words:
            due = start is not None and (word.pts - start) / NANOSECONDS <= played
            if word.context_id == context_id and (everything or due):
                word.pts = None  # in order with the audio from here on
                self._heard.append(word.text)
                await self.push_frame(word)
            else:
                waiting.append(word)
        self._timed_words = waiting

    def _forget_context(self, context_id: str | None):
        self._context_start_ns.pop(context_id, None)
        self._context_released_secs.pop(context_id, None)

    #
    # Pause, resume, commit
    #

    def _speaking(self) -> bool:
        if self._playing_until > time.monotonic():
            return True
        return any(isinstance(f, OutputAudioRawFrame) for f in self._held)

    async def _caller_started(self):
        self._caller_speaking = True
        await self._cancel_resume_timer()
        if not self._paused and self._speaking():
            self._paused = True
            logger.debug(f"{self}: caller spoke over the bot, pausing")
            await self._cancel_pause_cap()
            self._pause_cap_task = self.create_task(self._end_pause_at_cap(), "pause_cap")

    async def _caller_stopped(self):
        self._caller_speaking = False
        if self._paused:
            await self._cancel_resume_timer()
            self._resume_task = self.create_task(self._resume_after_timeout(), "resume")

    async def _resume_after_timeout(self):
        await asyncio.sleep(self._resume_secs)
        self._resume_task = None
        await self._resume("no decision in time")

    async def _end_pause_at_cap(self):
        await asyncio.sleep(self._max_pause_secs)
        self._pause_cap_task = None
        await self._resume("the pause reached its limit", force=True)

    async def _resume(self, why: str, force: bool = False):
        # A decision about an earlier sound while the caller is speaking again
        # waits for this sound's own decision; the cap (`force`) does not wait.
        if not self._paused or (self._caller_speaking and not force):
            return
        await self._cancel_resume_timer()
        await self._cancel_pause_cap()
        self._paused = False
        logger.debug(f"{self}: resuming ({why})")
        self._wake.set()

    async def _commit(self):
        """Drop what the interruption cuts; first tell what the caller heard of it."""
        await self._cancel_resume_timer()
        await self._cancel_pause_cap()
        self._paused = False
        dropped_audio = any(
            isinstance(f, OutputAudioRawFrame) and f.interruptible for f in self._held
        )
        partial = self._heard_part_of_playing()
        if dropped_audio or partial:
            heard = " ".join(" ".join([*self._heard, partial]).split())
            if heard:
                await self.push_frame(HeardSpeechFrame(text=heard))
        cut = [f for f in (*self._held, *self._timed_words) if f.interruptible]
        self._held = deque(f for f in self._held if not f.interruptible)
        self._timed_words = [w for w in self._timed_words if not w.interruptible]
        kept = {getattr(f, "context_id", None) for f in (*self._held, *self._timed_words)}
        cut_contexts = {getattr(f, "context_id", None) for f in cut} | set(self._context_start_ns)
        self._cut_contexts |= {c for c in cut_contexts - kept if c}
        for context_id in set(self._context_start_ns) - kept:
            self._forget_context(context_id)
        self._segments = {f.id: self._segments[f.id] for f in self._held if f.id in self._segments}
        if self._announced and self._announced.interruptible:
            self._announced = None
        if self._playing and self._playing.interruptible:
            self._playing = None
        self._heard = []
        self._wake.set()

    def _heard_part_of_playing(self) -> str:
        """The words of the interrupted sentence that played, by audio position."""
        segment = self._playing
        if segment is None or segment.timed or not segment.interruptible:
            return ""
        if not segment.audio_bytes:
            return ""
        unplayed_secs = max(0.0, self._playing_until - time.monotonic())
        unplayed_bytes = int(unplayed_secs * self._audio_bytes_per_sec)
        played = max(0, segment.released_bytes - unplayed_bytes)
        return words_heard(segment.text, played / segment.audio_bytes)

    async def _cancel_resume_timer(self):
        if self._resume_task:
            await self.cancel_task(self._resume_task)
            self._resume_task = None

    async def _cancel_pause_cap(self):
        if self._pause_cap_task:
            await self.cancel_task(self._pause_cap_task)
            self._pause_cap_task = None

    async def _stop_tasks(self):
        await self._cancel_resume_timer()
        await self._cancel_pause_cap()
        if self._release_task:
            await self.cancel_task(self._release_task)
            self._release_task = None

    async def cleanup(self):
        await super().cleanup()
        await self._stop_tasks()


def _announces(frame: Frame) -> bool:
    """Whether the TTS pushed `frame` ahead of the audio of the text it holds."""
    return (
        isinstance(frame, AggregatedTextFrame)
        and not isinstance(frame, TTSTextFrame)
        and frame.will_be_spoken
    )


def words_heard(text: str, fraction: float) -> str:
    """The words of `text` whose end falls within `fraction` of its spoken length.

    Without word timings, a word's share of the audio is taken as its share of
    the letters: Piper speaks at an even pace, so this lands within a word.
    """
    words = text.split()
    total = sum(len(w) for w in words)
    if not total or fraction <= 0:
        return ""
    heard, spoken = [], 0
    for word in words:
        spoken += len(word)
        if spoken / total > fraction:
            break
        heard.append(word)
    return " ".join(heard)
