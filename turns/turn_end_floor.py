"""A user-turn stop strategy that never ends a turn before a floor of silence, and
answers speculatively while it waits.

Pipecat's `TurnAnalyzerUserTurnStopStrategy` ends the turn once Smart Turn
judged it finished at the VAD stop and the transcript is in. With Whisper
transcribing a segment in ~0.15 s (only the speech encoded, services/whisper_stt.py)
that can be 0.5 s after the caller's last word, inside a pause at a comma: on
bench.latency's comma sentences "Just to check, [0.5 s] are you open on bank
holidays?" was cut after "check" (1 of 12; none while Whisper took 0.5 s, which
held every turn end until the caller went on). So the turn end waits until
`min_silence_secs` have passed since the caller's last speech; the transcript
is made meanwhile, and a caller who goes on within the floor keeps the turn.

With `speculate`, the wait is not idle: once the caller is silent and the transcript
is in, the reply is made at once, on a provisional context (Pipecat's speculative
inference), and held until the turn end confirms it. A caller who goes on, or a
transcript that changes, withdraws it. Pipecat's own speculation
(`EagerUserTurnStopStrategy`) is driven by an STT that predicts turn ends (Deepgram
Flux) and replaces the detector chain; this one keeps Smart Turn and the floor.

The VAD reports speech only after `start_secs` of it, so a caller who goes on after a
0.5 s pause is reported 0.6 s after their last word, as the floor passes: in
bench.latency two such comma sentences were cut. So at the floor the VAD itself is
asked (`listen_with`, turns/heard_silence_vad.py): the floor holds until the VAD has
heard that much silence in the audio (under load it runs behind the wall clock), and
while it has begun to hear speech it has not reported yet.

When Smart Turn judged the turn unfinished at the VAD stop, it is asked once more
as the floor passes, on the audio with the silence since: with a 0.2 s VAD stop it
held some finished lines to its 1.2 s fallback. A caller who went on within the
floor was never asked about again, so comma pauses shorter than the floor stay safe.
"""

import asyncio
import time

from pipecat.audio.turn.base_turn_analyzer import EndOfTurnState
from pipecat.frames.frames import (
    EagerEndOfTurnCancelFrame,
    Frame,
    TranscriptionFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.turns.types import ProcessFrameResult, UserTurnSpeculation
from pipecat.turns.user_stop import TurnAnalyzerUserTurnStopStrategy
from pipecat.utils.string import TextPartForConcatenation, concatenate_aggregated_text

from turns.heard_silence_vad import HeardSilenceVADAnalyzer

FLOOR_CHECK_SECS = 0.02
FLOOR_CHECKS = 50
"""How often, and how many times at most, the floor waits past the wall clock for the VAD
to have heard the silence, or to report or drop speech it has begun to hear."""


class SilenceFloorUserTurnStopStrategy(TurnAnalyzerUserTurnStopStrategy):
    """Smart Turn's stop, never before `min_silence_secs` of the caller's silence."""

    def __init__(self, *, min_silence_secs: float = 0.0, speculate: bool = False, **kwargs):
        """
        Args:
            min_silence_secs: Silence after the caller's last speech before the turn may
                end (0: as Pipecat).
            speculate: Make the reply while the floor runs, held until it confirms the turn.
            **kwargs: As `TurnAnalyzerUserTurnStopStrategy`.
        """
        super().__init__(**kwargs)
        self._min_silence_secs = min_silence_secs
        self._speculate = speculate
        self._silent_since: float | None = None
        self._floor_task: asyncio.Task | None = None
        self._floor_passed = False
        self._heard: list[TextPartForConcatenation] = []
        """The turn's transcripts, joined as the user aggregator joins them."""
        self._speculation: UserTurnSpeculation | None = None
        self._vad: HeardSilenceVADAnalyzer | None = None

    def listen_with(self, vad: HeardSilenceVADAnalyzer):
        """Let the floor ask `vad` how much silence it has heard, and whether it has begun
        to hear speech it has not reported."""
        self._vad = vad

    def _vad_still_listening(self) -> bool:
        if self._vad is None:
            return False
        if self._vad.speech_starting():
            return True
        heard = self._vad.silence_heard_secs()
        return heard is not None and heard < self._min_silence_secs

    async def process_frame(self, frame: Frame) -> ProcessFrameResult:
        if isinstance(frame, EagerEndOfTurnCancelFrame):
            # The LLM withdrew it itself (it wanted a tool): the turn end answers anew.
            self._speculation = None
        elif isinstance(frame, TranscriptionFrame) and frame.text.strip():
            self._heard.append(
                TextPartForConcatenation(
                    frame.text, includes_inter_part_spaces=frame.includes_inter_frame_spaces
                )
            )
            await self._withdraw()  # it answered fewer words than the turn now has
        return await super().process_frame(frame)

    async def _handle_vad_user_stopped_speaking(self, frame: VADUserStoppedSpeakingFrame):
        # The VAD reports the stop `stop_secs` after the last speech (as Pipecat's STT
        # deadline reckons it).
        self._silent_since = frame.timestamp - frame.stop_secs
        await self._cancel_floor()  # a floor still running timed an earlier silence
        await super()._handle_vad_user_stopped_speaking(frame)

    async def _maybe_trigger_user_turn_stopped(self):
        if (
            self._silent_since is not None
            and not self._vad_user_speaking
            and not self._floor_passed
        ):
            if self._floor_task is None:
                wait = self._silent_since + self._min_silence_secs - time.time()
                self._floor_task = self.task_manager.create_task(
                    self._pass_floor(wait), f"{self}::silence_floor"
                )
            await self._maybe_speculate()
            return
        await super()._maybe_trigger_user_turn_stopped()

    async def trigger_user_turn_stopped(self, *, enable_user_speaking_frames: bool | None = None):
        speculation, self._speculation = self._speculation, None
        if speculation is not None and speculation.text != self._turn_text():
            await self.trigger_user_turn_speculation_cancelled()
        # Confirmed or not, the turn ends as any turn: the processors before the LLM read
        # it from its context frame, which processors/speculated_turn.py keeps from the
        # LLM when the held reply answers it.
        await super().trigger_user_turn_stopped(
            enable_user_speaking_frames=enable_user_speaking_frames
        )

    async def _maybe_speculate(self):
        """Answer now if the caller is silent and their words are in."""
        if not self._speculate or self._speculation is not None or not self._words_in():
            return
        text = self._turn_text()
        if text:
            self._speculation = UserTurnSpeculation(text=text)
            await self.trigger_user_turn_inference_triggered(speculation=self._speculation)

    def _words_in(self) -> bool:
        """Pipecat's transcript conditions for the turn end (`_maybe_trigger_user_turn_stopped`),
        after the VAD stop; Smart Turn's verdict is left to the turn end."""
        if not self._vad_stopped or self._vad_user_speaking:
            return False
        return bool(self._text) and (self._transcript_finalized or self._timeout_task is None)

    def _turn_text(self) -> str:
        return concatenate_aggregated_text(self._heard)

    async def _withdraw(self):
        if self._speculation is not None:
            self._speculation = None
            await self.trigger_user_turn_speculation_cancelled()

    async def _pass_floor(self, wait: float):
        """Wait out the floor, until the VAD has heard it too and any speech it has begun to
        hear is reported or dropped; ask Smart Turn again if it said unfinished. A caller
        who speaks meanwhile cancels this task."""
        await asyncio.sleep(max(0.0, wait))
        for _ in range(FLOOR_CHECKS):
            if not self._vad_still_listening():
                break
            await asyncio.sleep(FLOOR_CHECK_SECS)
        if self._vad_stopped and not self._turn_complete:
            state, prediction = await self._turn_analyzer.analyze_end_of_turn()
            await self._handle_prediction_result(prediction)
            self._turn_complete = state == EndOfTurnState.COMPLETE
        self._floor_passed = True
        self._floor_task = None
        await self._maybe_trigger_user_turn_stopped()

    async def _reset(self):
        self._heard = []
        await super()._reset()

    async def _discard_pending_end_of_turn(self):
        # The caller spoke again, or the turn is over: an answer not confirmed is void.
        await self._withdraw()
        await self._cancel_floor()
        self._silent_since = None
        self._floor_passed = False
        await super()._discard_pending_end_of_turn()

    async def _cancel_floor(self):
        if self._floor_task:
            task, self._floor_task = self._floor_task, None
            if task is not asyncio.current_task():
                await self.task_manager.cancel_task(task)

    async def cleanup(self):
        await super().cleanup()
        await self._cancel_floor()
