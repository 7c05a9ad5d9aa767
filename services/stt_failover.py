"""The STT stage's chain: Deepgram, then Whisper.

`STTFailover` is Pipecat's `ServiceSwitcher` with the failover of
services/failover.py. `STTReplay` keeps the caller's audio since their speech
began in a bounded buffer; when the STT fails (an error, or no final transcript
within the deadline after the VAD says the caller stopped) the next STT is given
that audio between the VAD's start and stop, as it would have heard it, and
transcribes the turn. Words the failed STT already finalized in the turn are
not passed on again. The replayed frames themselves never leave the switcher.
"""

from collections import deque
from collections.abc import Sequence

from pipecat.frames.frames import (
    Frame,
    InputAudioRawFrame,
    InterimTranscriptionFrame,
    MetricsFrame,
    TranscriptionFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.metrics.metrics import TTFBMetricsData
from pipecat.pipeline.service_switcher import ServiceSwitcher, ServiceSwitcherStrategyManual
from pipecat.processors.frame_processor import FrameDirection
from pipecat.services.stt_service import STTService

from services.failover import FailoverMixin
from services.failover_health import RecoveryPolicy
from services.failover_replay import FIRST, Outcome, Probe, Push

PRE_ROLL_SECS = 0.5
"""Audio kept from before the VAD heard speech start (it hears it late)."""


class STTReplay:
    """Keeps the turn's audio, bounded, and the words already finalized in it."""

    interrupt_on_error = False
    idle_secs = None
    """The turn's one result is its final: the deadline from the turn's end covers a stall."""

    def __init__(self, deadline_secs: float | None, max_secs: float = 30.0):
        self.deadline_secs = deadline_secs
        self._max_secs = max_secs
        self._audio: deque[InputAudioRawFrame] = deque()
        self._audio_secs = 0.0
        self._speaking = False
        self._awaiting_final = False
        self._finalized_words = 0
        self._skip_words = 0
        self._replayed: set[int] = set()

    @property
    def in_turn(self) -> bool:
        return self._speaking or self._awaiting_final

    def starts_turn(self, frame: Frame) -> bool:
        return isinstance(frame, VADUserStartedSpeakingFrame)

    def on_input(self, frame: Frame, direction: FrameDirection) -> bool:
        if isinstance(frame, InputAudioRawFrame):
            self._keep(frame)
        elif isinstance(frame, VADUserStartedSpeakingFrame):
            self._trim(PRE_ROLL_SECS)
            self._speaking, self._awaiting_final = True, False
            self._finalized_words = self._skip_words = 0
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            self._speaking, self._awaiting_final = False, True
            return True
        return False

    def _keep(self, frame: InputAudioRawFrame):
        self._audio.append(frame)
        self._audio_secs += _secs(frame)
        limit = self._max_secs if self.in_turn else PRE_ROLL_SECS
        self._trim(limit)

    def _trim(self, limit: float):
        while self._audio and self._audio_secs - _secs(self._audio[0]) >= limit:
            self._audio_secs -= _secs(self._audio.popleft())

    def owes(self) -> bool:
        return False

    def swallows(self, frame: Frame) -> bool:
        if frame.id in self._replayed:
            self._replayed.discard(frame.id)
            return True
        return False

    def is_output(self, frame: Frame) -> bool:
        return (
            isinstance(frame, (TranscriptionFrame, InterimTranscriptionFrame, MetricsFrame))
            or frame.id in self._replayed
        )

    async def on_output(self, frame: Frame, push: Push) -> Outcome:
        if frame.id in self._replayed:
            self._replayed.discard(frame.id)
            return None  # a replayed frame passed through the next STT: it stops here
        if isinstance(frame, MetricsFrame):
            # A finalize answered with no words (the caller made a noise) ends the wait too.
            await push(frame)
            answered = any(isinstance(d, TTFBMetricsData) for d in frame.data)
            if answered and self._awaiting_final:
                self._awaiting_final = False
                return FIRST
            return None
        if isinstance(frame, TranscriptionFrame):
            text = frame.text
            if self._skip_words:
                words = text.split()
                text = " ".join(words[self._skip_words :])
                self._skip_words = max(0, self._skip_words - len(words))
                if not text:
                    return FIRST
                frame.text = text
            self._finalized_words += len(text.split())
            await push(frame)
            if self._awaiting_final:
                self._awaiting_final = False
                return FIRST
            return None
        await push(frame)
        return None

    def replay(self) -> list[tuple[Frame, FrameDirection]]:
        """The turn's audio between a VAD start and stop, for the next STT to transcribe."""
        if not self.in_turn or not self._audio:
            return []
        up, down = FrameDirection.UPSTREAM, FrameDirection.DOWNSTREAM
        frames: list[tuple[Frame, FrameDirection]] = [(VADUserStartedSpeakingFrame(), up)]
        frames += [(_copy(f), down) for f in self._audio]
        if not self._speaking:
            frames.append((VADUserStoppedSpeakingFrame(), up))
        self._replayed.update(frame.id for frame, _ in frames)
        self._skip_words = self._finalized_words
        return frames


def _secs(frame: InputAudioRawFrame) -> float:
    return len(frame.audio) / (2 * frame.num_channels * frame.sample_rate)


def _copy(frame: InputAudioRawFrame) -> InputAudioRawFrame:
    return InputAudioRawFrame(
        audio=frame.audio, sample_rate=frame.sample_rate, num_channels=frame.num_channels
    )


class STTFailover(FailoverMixin, ServiceSwitcher):
    """`ServiceSwitcher` of STT services that fails over mid-turn; see the module."""

    def __init__(
        self,
        services: Sequence[STTService],
        *,
        names: Sequence[str],
        final_deadline_secs: float,
        policy: RecoveryPolicy | None = None,
        probe: Probe | None = None,
    ):
        """Args:
        services: The chain, first choice first.
        names: Each STT's provider name.
        final_deadline_secs: The longest wait, from the VAD's stop, for the final transcript.
        policy: Probing and flapping of failed services.
        probe: Checks that a failed STT answers again.
        """
        super().__init__(
            list(services),
            stage="stt",
            names=names,
            replay=STTReplay(final_deadline_secs),
            policy=policy,
            probe=probe,
            strategy_type=ServiceSwitcherStrategyManual,
        )
