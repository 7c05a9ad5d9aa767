"""A user-turn stop strategy that never ends a turn before a floor of silence.

Pipecat's `TurnAnalyzerUserTurnStopStrategy` ends the turn once Smart Turn
judged it finished at the VAD stop and the transcript is in. With Whisper
transcribing a segment in ~0.15 s (only the speech encoded, services/whisper_stt.py)
that can be 0.5 s after the caller's last word, inside a pause at a comma: on
bench.latency's comma sentences "Just to check, [0.5 s] are you open on bank
holidays?" was cut after "check" (1 of 12; none while Whisper took 0.5 s, which
held every turn end until the caller went on). So the turn end waits until
`min_silence_secs` have passed since the caller's last speech; the transcript
is made meanwhile, and a caller who goes on within the floor keeps the turn.
"""

import asyncio
import time

from pipecat.frames.frames import VADUserStoppedSpeakingFrame
from pipecat.turns.user_stop import TurnAnalyzerUserTurnStopStrategy


class SilenceFloorUserTurnStopStrategy(TurnAnalyzerUserTurnStopStrategy):
    """Smart Turn's stop, never before `min_silence_secs` of the caller's silence."""

    def __init__(self, *, min_silence_secs: float = 0.0, **kwargs):
        """
        Args:
            min_silence_secs: Silence after the caller's last speech before the turn may
                end (0: as Pipecat).
            **kwargs: As `TurnAnalyzerUserTurnStopStrategy`.
        """
        super().__init__(**kwargs)
        self._min_silence_secs = min_silence_secs
        self._silent_since: float | None = None
        self._floor_task: asyncio.Task | None = None

    async def _handle_vad_user_stopped_speaking(self, frame: VADUserStoppedSpeakingFrame):
        # The VAD reports the stop `stop_secs` after the last speech (as Pipecat's STT
        # deadline reckons it).
        self._silent_since = frame.timestamp - frame.stop_secs
        await super()._handle_vad_user_stopped_speaking(frame)

    async def _maybe_trigger_user_turn_stopped(self):
        wait = self._floor_wait()
        if wait > 0:
            if self._floor_task is None:
                self._floor_task = self.task_manager.create_task(
                    self._trigger_after(wait), f"{self}::silence_floor"
                )
            return
        await super()._maybe_trigger_user_turn_stopped()

    def _floor_wait(self) -> float:
        if self._silent_since is None or self._vad_user_speaking:
            return 0.0
        return self._silent_since + self._min_silence_secs - time.time()

    async def _trigger_after(self, wait: float):
        await asyncio.sleep(wait)
        self._floor_task = None
        await self._maybe_trigger_user_turn_stopped()

    async def _discard_pending_end_of_turn(self):
        await self._cancel_floor()
        self._silent_since = None
        await super()._discard_pending_end_of_turn()

    async def _cancel_floor(self):
        if self._floor_task:
            task, self._floor_task = self._floor_task, None
            if task is not asyncio.current_task():
                await self.task_manager.cancel_task(task)

    async def cleanup(self):
        await super().cleanup()
        await self._cancel_floor()
