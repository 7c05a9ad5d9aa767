"""Cuts the near-silence a TTS puts before a reply's first sound.

Pipecat passes TTS audio on as it was synthesised. Piper begins each sentence with
40-55 ms of near-silence (measured on its bundled voice, 30 Nov 2026), which the caller
hears as that much more wait before the bot answers. This trimmer drops it at the start
of a reply, keeping `keep_ms` before the first sound so the onset is not clipped. It
trims only where the bot starts to speak (the start of the call, after the bot stopped
speaking, after an interruption): the pauses between a reply's sentences are speech,
and stay. It never cuts more than `max_ms`, so a quiet opening is kept.
"""

import numpy as np
from pipecat.frames.frames import (
    BotStoppedSpeakingFrame,
    Frame,
    InterruptionFrame,
    TTSAudioRawFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from processors.placement import Placement

SILENCE_DBFS = -50.0
"""Below this a sample is silence: Piper's lead-in stays under it, its speech does not."""


class ReplyLeadInTrimmer(FrameProcessor):
    """Drops the TTS's near-silent lead-in at the start of each reply."""

    placement = Placement(
        slot="after_tts",
        description="cuts the TTS's near-silent lead-in before a reply's first sound",
    )

    def __init__(self, *, keep_ms: int = 10, max_ms: int = 200, **kwargs):
        super().__init__(**kwargs)
        self._keep_secs = keep_ms / 1000
        self._max_secs = max_ms / 1000
        self._threshold = int(32768 * 10 ** (SILENCE_DBFS / 20))
        self._restart()

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, (BotStoppedSpeakingFrame, InterruptionFrame)):
            self._restart()
        if (
            direction == FrameDirection.DOWNSTREAM
            and self._at_reply_start
            and isinstance(frame, TTSAudioRawFrame)
        ):
            frame = self._trim(frame)
            if frame is None:
                return
        await self.push_frame(frame, direction)

    def _restart(self):
        self._at_reply_start = True
        self._lead_in = b""
        self._cut_bytes = 0

    def _trim(self, frame: TTSAudioRawFrame) -> TTSAudioRawFrame | None:
        """The frame from shortly before its first sound; None while it is all lead-in."""
        sample_bytes = 2 * frame.num_channels
        keep_bytes = int(self._keep_secs * frame.sample_rate) * sample_bytes
        audio = self._lead_in + frame.audio
        samples = np.frombuffer(audio[: len(audio) - len(audio) % 2], np.int16).astype(np.int32)
        loud = np.flatnonzero(np.abs(samples) > self._threshold)
        if loud.size:
            first = int(loud[0]) // frame.num_channels * sample_bytes
            return self._finish(frame, audio, max(0, first - keep_bytes))
        kept = min(keep_bytes, len(audio))
        if (
            self._cut_bytes + len(audio) - kept
        ) / sample_bytes / frame.sample_rate > self._max_secs:
            return self._finish(frame, audio, 0)  # a quiet opening, not a lead-in
        self._cut_bytes += len(audio) - kept
        self._lead_in = audio[len(audio) - kept :]
        return None

    def _finish(self, frame: TTSAudioRawFrame, audio: bytes, start: int) -> TTSAudioRawFrame:
        sample_bytes = 2 * frame.num_channels
        self._at_reply_start = False  # the next reply starts over in `_restart`
        frame.audio = audio[start:]
        frame.num_frames = len(frame.audio) // sample_bytes
        return frame
