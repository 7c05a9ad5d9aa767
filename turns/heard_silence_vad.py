"""Silero's VAD that also says how much silence it has heard, counted in audio.

Pipecat's VAD reports a stop with a wall-clock timestamp, and a turn-end floor timed on
the wall clock assumes the VAD keeps pace with the audio. At the caller's pause it does
not: Whisper transcribes the segment and the speculative reply is synthesised at that
moment, the VAD falls behind, and the floor passes before the VAD has heard a
caller who went on after a 0.5 s comma pause (bench.latency, 30 Nov 2026: 2 of 12 comma
sentences cut at load 0.4-1.2, none in the run before). Counting the silence in the
audio the VAD has judged keeps the floor on the caller's time, whatever the load.

Speech here is a chunk Silero judges voiced (`confidence`), without Pipecat's loudness
gate: that gate follows a 0.4 s loudness window, so it lags the voice at an onset and
stays open after it, and a floor should hold on the first voiced chunk.
"""

import numpy as np
from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADState

from turns.silero_batch import SILERO_BATCH


class HeardSilenceVADAnalyzer(SileroVADAnalyzer):
    """Silero's VAD, counting the chunks it has judged since the last voiced one, judging them
    with every other call's (turns/silero_batch.py)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._chunks = 0
        self._last_voiced: int | None = None
        self._judged: float | None = None

    async def analyze_audio(self, buffer: bytes) -> VADState:
        """Pipecat hands every 20 ms frame to a thread of the call's own, and with many calls
        their threads and the event loop took turns at the GIL (bench/load.py's profile of 10
        calls: the loop waited to send Deepgram each frame). Here the chunk this frame
        completes is judged in the process's batch, and Pipecat's state machine runs on."""
        size = self._vad_frames_num_bytes
        if size and len(self._vad_buffer) + len(buffer) >= size:  # at most one chunk a frame
            chunk = (self._vad_buffer + buffer)[:size]
            audio = np.frombuffer(chunk, np.int16).astype(np.float32) / 32768.0
            self._judged = await SILERO_BATCH.judge(self._model, audio, self.sample_rate)
        return self._run_analyzer(buffer)

    def voice_confidence(self, buffer) -> float:
        if self._judged is not None:  # the first chunk, judged in the batch
            confidence, self._judged = self._judged, None
            self._maybe_reset_model(confidence)
        else:  # any further chunk of a long frame, judged here as Pipecat does
            confidence = super().voice_confidence(buffer)
        self._chunks += 1
        if float(np.asarray(confidence).ravel()[0]) >= self._params.confidence:
            self._last_voiced = self._chunks
        return confidence

    def silence_heard_secs(self) -> float | None:
        """Silence in the audio judged so far since the last voiced chunk; None before any."""
        if self._last_voiced is None or not self.sample_rate:
            return None
        chunk_secs = self.num_frames_required() / self.sample_rate
        return (self._chunks - self._last_voiced) * chunk_secs

    def speech_starting(self) -> bool:
        """Speech begun and not yet reported (Pipecat 1.14 keeps the state in `_vad_state`;
        tests/test_turn_end_floor.py checks)."""
        return getattr(self, "_vad_state", None) == VADState.STARTING
