"""The TTS stage's chain: Cartesia, then Piper.

`TTSFailover` is Pipecat's `ServiceSwitcher` with the failover of
services/failover.py. `TTSReplay` keeps the reply's text as it goes to the TTS
and counts the words already spoken (the `TTSTextFrame`s that came out, which a
TTS with word timestamps paces with its audio); on a failure the next TTS gets
the words not yet spoken, and the rest of the reply as it streams in. The
deadline runs from the moment the TTS starts a reply (`TTSStartedFrame`) to its
first audio.
"""

from collections.abc import Sequence

from pipecat.frames.frames import (
    Frame,
    InterruptionFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
    TTSAudioRawFrame,
    TTSSpeakFrame,
    TTSStartedFrame,
    TTSStoppedFrame,
    TTSTextFrame,
)
from pipecat.pipeline.service_switcher import ServiceSwitcher, ServiceSwitcherStrategyManual
from pipecat.processors.frame_processor import FrameDirection
from pipecat.services.tts_service import TTSService

from services.failover import FailoverMixin
from services.failover_health import RecoveryPolicy
from services.failover_replay import FIRST, WAITING, Outcome, Probe, Push


class TTSReplay:
    """Keeps a reply's text and the words spoken of it."""

    interrupt_on_error = True
    """A TTS keeps the failed reply's audio context open until it times out."""

    def __init__(self, deadline_secs: float | None, idle_secs: float | None = None):
        self.deadline_secs = deadline_secs
        self.idle_secs = idle_secs
        self._reset()

    def _reset(self):
        self._words: list[str] = []
        self._spoken = 0
        self._open = False
        self._ended = False
        self._waiting = False
        self._started_out = False
        self._ended_out = False
        self._whole = False

    @property
    def in_turn(self) -> bool:
        return self._open or self._waiting

    def starts_turn(self, frame: Frame) -> bool:
        return isinstance(frame, LLMFullResponseStartFrame)

    def on_input(self, frame: Frame, direction: FrameDirection) -> bool:
        if direction != FrameDirection.DOWNSTREAM:
            return False
        if isinstance(frame, InterruptionFrame):
            self._reset()
        elif isinstance(frame, LLMFullResponseStartFrame):
            if self._open and self._spoken < len(self._words):
                # What came before (an acknowledgement said on its own) is not all spoken:
                # this reply follows it, and both are owed.
                self._ended = self._started_out = self._ended_out = False
            else:
                self._reset()
            self._open = True
        elif isinstance(frame, (LLMTextFrame, TTSSpeakFrame)):
            self._words += frame.text.split()
            # A TTS speaks whole sentences: one still being written is not owed yet.
            self._whole = isinstance(frame, TTSSpeakFrame) or _ends_sentence(frame.text)
            if isinstance(frame, TTSSpeakFrame) and not self._open:
                self._open = self._ended = True  # a reply of its own
        elif isinstance(frame, LLMFullResponseEndFrame):
            self._ended = True
        return False

    def owes(self) -> bool:
        """Words it was given and has not spoken, and no sentence still being written."""
        return self._spoken < len(self._words) and (self._whole or self._ended)

    def swallows(self, frame: Frame) -> bool:
        return False

    def is_output(self, frame: Frame) -> bool:
        return isinstance(
            frame,
            (
                TTSAudioRawFrame,
                TTSStartedFrame,
                TTSStoppedFrame,
                TTSTextFrame,
                LLMFullResponseStartFrame,
                LLMFullResponseEndFrame,
            ),
        )

    async def on_output(self, frame: Frame, push: Push) -> Outcome:
        if isinstance(frame, LLMFullResponseStartFrame):
            if not self._started_out:
                self._started_out = True
                await push(frame)
            return None
        if isinstance(frame, LLMFullResponseEndFrame):
            if not self._ended_out:
                self._ended_out = True
                await push(frame)
            return None
        await push(frame)
        if isinstance(frame, TTSStartedFrame):
            self._waiting = True
            return WAITING
        if isinstance(frame, TTSAudioRawFrame) and self._waiting:
            self._waiting = False
            return FIRST
        if isinstance(frame, TTSTextFrame):
            self._spoken += len(frame.text.split())
        elif isinstance(frame, TTSStoppedFrame) and self._ended:
            # A TTS that gave up stops too: the reply is over only once all of it was said.
            self._open = self._spoken < len(self._words)
        return None

    def replay(self) -> list[tuple[Frame, FrameDirection]]:
        """The words of the reply not spoken yet, then its end if it came."""
        self._waiting = False
        unspoken = self._words[self._spoken :]
        if not self._open or not unspoken:
            return []
        down = FrameDirection.DOWNSTREAM
        frames: list[tuple[Frame, FrameDirection]] = [
            (LLMFullResponseStartFrame(), down),
            (LLMTextFrame(" ".join(unspoken)), down),
        ]
        # The new TTS counts words afresh.
        self._words, self._spoken = unspoken, 0
        if self._ended:
            frames.append((LLMFullResponseEndFrame(), down))
        return frames


def _ends_sentence(text: str) -> bool:
    return text.rstrip()[-1:] in (".", "!", "?", ";", ":", "…")


class TTSFailover(FailoverMixin, ServiceSwitcher):
    """`ServiceSwitcher` of TTS services that fails over mid-reply; see the module."""

    def __init__(
        self,
        services: Sequence[TTSService],
        *,
        names: Sequence[str],
        first_audio_deadline_secs: float,
        idle_deadline_secs: float | None = None,
        policy: RecoveryPolicy | None = None,
        probe: Probe | None = None,
    ):
        """Args:
        services: The chain, first choice first.
        names: Each TTS's provider name.
        first_audio_deadline_secs: The longest wait from a reply's start to its first audio.
        idle_deadline_secs: After the first audio, the longest quiet (no audio, no word)
            while words it was given are unspoken; None: no such deadline.
        policy: Probing and flapping of failed services.
        probe: Checks that a failed TTS answers again.
        """
        super().__init__(
            list(services),
            stage="tts",
            names=names,
            replay=TTSReplay(first_audio_deadline_secs, idle_deadline_secs),
            policy=policy,
            probe=probe,
            strategy_type=ServiceSwitcherStrategyManual,
        )
