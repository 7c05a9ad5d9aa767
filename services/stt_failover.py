"""The STT stage's chain: Deepgram, then Whisper.

`STTFailover` is Pipecat's `ServiceSwitcher` with the failover of
services/failover.py. `STTReplay` keeps the caller's audio since their speech
began in a bounded buffer; when the STT fails (an error, or no final transcript
within the deadline after the VAD says the caller stopped) the next STT is given
that audio between the VAD's start and stop, as it would have heard it, and
transcribes the turn. Words the failed STT already finalized in the turn are
not passed on again. The replayed frames themselves never leave the switcher.
"""

import asyncio
from collections import deque
from collections.abc import Sequence

from loguru import logger
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
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
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
        self.from_replay = False
        """The output being handled comes from the STT the turn's audio was replayed to
        (only its transcript repeats words already finalized)."""

    @property
    def in_turn(self) -> bool:
        return self._speaking or self._awaiting_final

    @property
    def awaiting_final(self) -> bool:
        """The caller's turn ended and no final transcript has gone on yet."""
        return self._awaiting_final

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
            if self._skip_words and self.from_replay:
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
        # The audio stops in the STT (`STTFailover`: no passthrough); the VAD frames come back.
        self._replayed.update(frame.id for frame, direction in frames if direction is up)
        self._skip_words = self._finalized_words
        return frames


def _secs(frame: InputAudioRawFrame) -> float:
    return len(frame.audio) / (2 * frame.num_channels * frame.sample_rate)


def _copy(frame: InputAudioRawFrame) -> InputAudioRawFrame:
    return InputAudioRawFrame(
        audio=frame.audio, sample_rate=frame.sample_rate, num_channels=frame.num_channels
    )


class STTFailover(FailoverMixin, ServiceSwitcher):
    """`ServiceSwitcher` of STT services that fails over mid-turn; see the module.

    Added to the failover: a hedge. When the active STT's final has not come
    `hedge_secs` after the caller's turn ended, the next STT starts on the turn's
    kept audio alongside it, without a switch. The first final of either goes on
    and the other's is dropped; the hedge's final winning is a failover. A late
    final of an STT already switched away from in this turn still answers the
    turn when no other came first (a slow Whisper is not thrown away for a
    Deepgram that says nothing).

    The caller's audio goes straight into the STT it is routed to and on from
    here, not through the STT's branch: the STTs keep the audio they are given
    (no passthrough) and the switcher pushes each caller frame downstream once it
    has queued it into the STT. A 20 ms frame then no longer crosses the branch's
    way in (its pipeline, source and filter) and out (the service's push, the
    output gate, the filter, the sink, the parallel pipeline's de-duplication),
    nor enters the branches whose filters would drop it: these hops were most of
    the switcher's work, for frames none of them does anything with. The same
    audio, in the same order, reaches the same STT and the processors after the
    switcher; an STT given a turn's kept audio (a switch, a hedge) never passed it
    on anyway.
    """

    def __init__(
        self,
        services: Sequence[STTService],
        *,
        names: Sequence[str],
        final_deadline_secs: float,
        hedge_secs: float | None = None,
        policy: RecoveryPolicy | None = None,
        probe: Probe | None = None,
    ):
        """Args:
        services: The chain, first choice first.
        names: Each STT's provider name.
        final_deadline_secs: The longest wait, from the VAD's stop, for the final transcript.
        hedge_secs: From the VAD's stop, when the next STT starts on the turn alongside;
            None: never (it starts only at the switch).
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
        self._hedge_secs = hedge_secs
        self._hedge_task: asyncio.Task | None = None
        self._hedging: FrameProcessor | None = None
        """The STT given this turn's audio alongside the active one."""
        self._hedge_frames: set[int] = set()
        self._adopting = False
        self._replayed_to: FrameProcessor | None = None
        """The STT that got this turn's kept audio (hedge or switch)."""
        for service in services:
            service._audio_passthrough = False  # the switcher passes the audio on (see above)

    def _routes_to(self, service: FrameProcessor, frame: Frame) -> bool:
        if frame.id in self._hedge_frames:
            return service is self._hedging
        return super()._routes_to(service, frame)

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        if self._replay.starts_turn(frame):
            await self._end_hedge()
        await super().process_frame(frame, direction)
        if (
            isinstance(frame, VADUserStoppedSpeakingFrame)
            and self._hedge_secs is not None
            and self._replay.awaiting_final
            and self._hedge_task is None
        ):
            self._hedge_task = self.create_task(self._hedge_after(self._hedge_secs), "stt_hedge")

    async def _pass_in(self, frame: Frame, direction: FrameDirection):
        """The caller's audio straight into the STT it goes to, then on downstream; anything
        else as the switcher takes it (into every branch, through the branch's filter)."""
        if not (isinstance(frame, InputAudioRawFrame) and direction == FrameDirection.DOWNSTREAM):
            await super()._pass_in(frame, direction)
            return
        # Pipecat 1.14's ParallelPipeline.process_frame queues a frame that is not a
        # StartFrame, EndFrame or CancelFrame into each branch, whose filter lets it into
        # the service or drops it: the same, without the hops.
        await FrameProcessor.process_frame(self, frame, direction)
        for service in self._names:
            if self._routes_to(service, frame):
                await service.queue_frame(frame, direction)
        await self.push_frame(frame, direction)

    async def _hedge_after(self, secs: float):
        await asyncio.sleep(secs)
        active = self.strategy.active_service
        chain = list(self._names)
        later = chain[chain.index(active) + 1 :]
        # Only towards the fallback: the next healthy STT after the active one.
        target = next((s for s in later if s is self._next_service(active)), None)
        if not self._replay.awaiting_final or self._hedging is not None or target is None:
            return
        if getattr(target, "replaying", False):
            return  # still on an earlier turn's audio: its transcript would pass for this one
        frames = self._replay.replay()
        if not frames:
            return
        self._hedging = target
        self._hedge_frames = {frame.id for frame, _ in frames}
        self._give_replay(target)
        logger.info(
            f"failover stt: no final {secs:g} s after the turn ended; "
            f"{self._names[target]} transcribes it alongside {self._names[active]}"
        )
        for frame, direction in frames:
            await ServiceSwitcher.process_frame(self, frame, direction)

    def _give_replay(self, target: FrameProcessor):
        self._replayed_to = target
        # A replayed turn is speech the caller waits on: Whisper may take its short window.
        expect = getattr(target, "expect_replay", None)
        if expect is not None:
            expect()

    async def _end_hedge(self):
        task, self._hedge_task = self._hedge_task, None
        if task is not None and task is not asyncio.current_task() and not task.done():
            await self.cancel_task(task)
        self._replay._replayed -= self._hedge_frames
        self._hedging, self._hedge_frames, self._replayed_to = None, set(), None

    async def _hand_over(self, target: FrameProcessor, now: float):
        if self._adopting:
            return  # its final is here: nothing to replay, nothing to wait for
        if target is self._hedging:
            # It has the turn's audio already: only its deadline starts.
            self._attempt_started = now
            self._arm_deadline()
            return
        if self._replay.in_turn:
            self._give_replay(target)
        await super()._hand_over(target, now)

    async def _on_output(self, service: FrameProcessor, frame: Frame, push: Push):
        active = self.strategy.active_service
        if frame.id in self._hedge_frames:
            self._hedge_frames.discard(frame.id)
            self._replay._replayed.discard(frame.id)
            return  # the hedge's copy of the caller's audio goes no further
        if (
            service is not active
            and isinstance(frame, TranscriptionFrame)
            and self._replay.awaiting_final
            and (service is self._hedging or service in self._failed_this_turn)
        ):
            # The first final of the turn, from an STT that has its audio: it answers.
            late = service in self._failed_this_turn
            reason = (
                f"its late final came first ({self._names[service]})"
                if late
                else f"no final; {self._names[service]}'s came first"
            )
            self._adopting = True
            try:
                await self._fail(active, reason, target=service, blame=not late)
            finally:
                self._adopting = False
        self._replay.from_replay = service is self._replayed_to
        await super()._on_output(service, frame, push)

    async def cleanup(self):
        await self._end_hedge()
        await super().cleanup()
