"""A user-turn stop strategy, for a segmented STT, that waits for every segment's words.

Pipecat's `TurnAnalyzerUserTurnStopStrategy` ends the turn when Smart Turn says
it is complete and a finalized transcript is in hand. A segmented STT (Whisper)
transcribes each VAD segment after it ends, so the transcript in hand can be
an earlier segment's while the last one is still being transcribed: the turn
then ends without the caller's last words, which arrive as a turn of their
own. That is the usual shape of a barge-in ("Wait, [pause] what time do you
close?"), whose first words are only known after the caller paused and often
while they say more. This subclass counts the segments not yet transcribed
(each VAD stop adds one; the STT's `SegmentTranscribedFrame`, which follows a
segment's words or says it had none, takes one off) and ends the turn only once
none is left. However slow the STT is, a segment's words are waited for; only
a segment the STT never reports (it failed for good) is given up on, after
`transcript_wait_secs`.

With a fallback chain the STT in use can change mid-call (Deepgram -> Whisper,
services/stt_failover.py): `segmented` then says whether the STT answering now
is segmented, and while it is not the strategy is Pipecat's own.
"""

import asyncio
from collections.abc import Callable

from pipecat.frames.frames import Frame, VADUserStoppedSpeakingFrame
from pipecat.turns.types import ProcessFrameResult

from processors.placement import Placement
from services.segment_transcribed_frame import SegmentTranscribedFrame
from turns.turn_end_floor import SilenceFloorUserTurnStopStrategy


class SegmentTurnAnalyzerUserTurnStopStrategy(SilenceFloorUserTurnStopStrategy):
    """Smart Turn ends the turn, once the words of all its segments are in."""

    placement = Placement(
        slot="turn_stop",
        description="with Whisper, the caller's turn ends once every speech segment's words are in",
        needs=("settings",),
    )

    def __init__(
        self,
        *,
        transcript_wait_secs: float = 15.0,
        segmented: Callable[[], bool] | None = None,
        **kwargs,
    ):
        """
        Args:
            transcript_wait_secs: The longest the turn waits for the STT to report a
                segment after the segment ended (a guard against an STT that never does,
                far beyond a slow transcription).
            segmented: Whether the STT answering now is segmented; None: always.
            **kwargs: As `SilenceFloorUserTurnStopStrategy`.
        """
        super().__init__(**kwargs)
        self._transcript_wait_secs = transcript_wait_secs
        self._segmented = segmented or (lambda: True)
        self._untranscribed = 0
        self._wait_task: asyncio.Task | None = None

    async def process_frame(self, frame: Frame) -> ProcessFrameResult:
        if not self._segmented():
            self._untranscribed = 0
            return await super().process_frame(frame)
        if isinstance(frame, VADUserStoppedSpeakingFrame):
            self._untranscribed += 1
            await self._cancel_wait()
            self._wait_task = self.task_manager.create_task(
                self._stop_waiting_later(), f"{self}::transcript_wait"
            )
        elif isinstance(frame, SegmentTranscribedFrame) and self._untranscribed:
            self._untranscribed -= 1
            result = await super().process_frame(frame)
            if not self._untranscribed:
                # The last segment's words went on before this: the turn may end now.
                await self._cancel_wait()
                await self._maybe_trigger_user_turn_stopped()
            return result
        return await super().process_frame(frame)

    async def _maybe_trigger_user_turn_stopped(self):
        if self._untranscribed:
            return
        await super()._maybe_trigger_user_turn_stopped()

    async def _stop_waiting_later(self):
        await asyncio.sleep(self._transcript_wait_secs)
        self._wait_task = None
        self._untranscribed = 0
        await self._maybe_trigger_user_turn_stopped()

    async def _cancel_wait(self):
        if self._wait_task:
            await self.task_manager.cancel_task(self._wait_task)
            self._wait_task = None

    async def cleanup(self):
        await super().cleanup()
        await self._cancel_wait()
