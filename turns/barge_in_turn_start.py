"""A user-turn start strategy: over the bot, only real words start the caller's turn.

Pipecat's `VADUserTurnStartStrategy` interrupts the bot on any sound, and
`MinWordsUserTurnStartStrategy` counts "yeah, okay, sure" as words and leaves
no way back for a bot that paused; Pipecat's backchannel detection needs a
licensed Krisp model. This strategy (for `LLMUserAggregatorParams`) decides,
while the bot speaks, what the caller's sound was once its words are known:

- words beyond backchannels ("mm-hmm", "yeah", "okay"...): the caller's turn
  starts with an interruption (the commit);
- only backchannels: a `UserBackchannelFrame` (the aggregator reports it with
  `on_user_backchannel` and keeps it out of the context), then
  `ResumeBotSpeechFrame` so `BotSpeechGate` plays on;
- nothing (the STT finished the segment with no text, a cough or a breath):
  `ResumeBotSpeechFrame`. The STT's processing metric (`enable_metrics=True`)
  says a segment is done; without it the gate's own timeout resumes.

When the bot is silent, speech starts the turn at once, as Pipecat's default.
While the bot speaks, the VAD can use other parameters (a shorter stop, so a
backchannel's words arrive sooner); they are applied only while the caller is
quiet, since setting VAD parameters resets the analyzer.
"""

import asyncio
import re
from collections.abc import Iterable

from loguru import logger
from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    Frame,
    InterimTranscriptionFrame,
    MetricsFrame,
    TranscriptionFrame,
    UserBackchannelFrame,
    VADParamsUpdateFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.metrics.metrics import ProcessingMetricsData
from pipecat.turns.types import ProcessFrameResult
from pipecat.turns.user_start.base_user_turn_start_strategy import BaseUserTurnStartStrategy

from processors.interruption_frames import ResumeBotSpeechFrame
from processors.placement import Placement

# Non-speech that STT writes down: "[Music]", "(coughs)", "*sigh*".
NON_SPEECH = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*")


# A hum however STT spells it: "mm", "hmm", "mhm", "M-H-M".
HUM = re.compile(r"[mhn]+")


def words_of(text: str) -> list[str]:
    """Lower-case words, with non-speech annotations, punctuation and apostrophes gone."""
    text = NON_SPEECH.sub(" ", text.lower()).replace("'", "").replace("\u2019", "")
    return re.findall(r"[a-z0-9]+", text)


class Backchannels:
    """Recognises text made only of backchannel phrases ("uh-huh, okay", "i see")."""

    def __init__(self, phrases: Iterable[str]):
        """
        Args:
            phrases: The backchannel phrases, matched word for word, longest first.
        """
        self._phrases = sorted(
            {tuple(words_of(p)) for p in phrases if words_of(p)}, key=len, reverse=True
        )

    def content_words(self, text: str) -> list[str]:
        """The words of `text` that are not part of a backchannel phrase."""
        words = words_of(text)
        content, i = [], 0
        while i < len(words):
            match = next((p for p in self._phrases if tuple(words[i : i + len(p)]) == p), None)
            if match:
                i += len(match)
                continue
            if not HUM.fullmatch(words[i]):
                content.append(words[i])
            i += 1
        return content


class BargeInUserTurnStartStrategy(BaseUserTurnStartStrategy):
    """Starts the caller's turn on speech; over the bot, only on non-backchannel words."""

    placement = Placement(
        slot="turn_start",
        description="over the bot, only words beyond backchannels start the caller's turn",
        needs=("settings",),
    )

    def __init__(
        self,
        *,
        backchannels: Iterable[str],
        min_words: int = 1,
        vad_params: VADParams | None = None,
        vad_params_over_bot: VADParams | None = None,
        stt_grace_secs: float = 0.1,
        **kwargs,
    ):
        """
        Args:
            backchannels: Phrases that acknowledge the bot without taking the turn.
            min_words: Words beyond backchannels that interrupt the bot.
            vad_params: The VAD's parameters while the bot is silent.
            vad_params_over_bot: The VAD's parameters while the bot speaks
                (None: the same as `vad_params`).
            stt_grace_secs: After the STT reports a segment done, how long its
                transcript may take to arrive before the segment counts as empty.
        """
        super().__init__(**kwargs)
        self._backchannels = Backchannels(backchannels)
        self._min_words = min_words
        self._vad_params = vad_params
        self._vad_params_over_bot = vad_params_over_bot
        self._stt_grace_secs = stt_grace_secs

        self._bot_speaking = False
        self._caller_speaking = False
        self._holding = False
        self._segments_pending = 0
        self._over_bot_vad = False
        self._empty_segment_task: asyncio.Task | None = None

    async def handle_user_turn_started(self):
        self._holding = False
        await self._cancel_empty_segment_timer()

    async def cleanup(self):
        await super().cleanup()
        await self._cancel_empty_segment_timer()

    async def process_frame(self, frame: Frame) -> ProcessFrameResult:
        if isinstance(frame, BotStartedSpeakingFrame):
            self._bot_speaking = True
            await self._update_vad_params()
        elif isinstance(frame, BotStoppedSpeakingFrame):
            self._bot_speaking = False
            await self._update_vad_params()
        elif isinstance(frame, VADUserStartedSpeakingFrame):
            self._caller_speaking = True
            await self._cancel_empty_segment_timer()
            if not (self._bot_speaking or self._holding):
                await self.trigger_user_turn_started()
                return ProcessFrameResult.STOP
            self._holding = True
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            self._caller_speaking = False
            if self._holding:
                self._segments_pending += 1
            await self._update_vad_params()
        elif isinstance(frame, MetricsFrame):
            await self._handle_metrics(frame)
        elif isinstance(frame, (TranscriptionFrame, InterimTranscriptionFrame)):
            return await self._handle_transcription(frame)
        return ProcessFrameResult.CONTINUE

    async def _handle_transcription(
        self, frame: TranscriptionFrame | InterimTranscriptionFrame
    ) -> ProcessFrameResult:
        final = isinstance(frame, TranscriptionFrame)
        if not (self._bot_speaking or self._holding):
            if final:
                await self.trigger_user_turn_started()
                return ProcessFrameResult.STOP
            return ProcessFrameResult.CONTINUE

        if len(self._backchannels.content_words(frame.text)) >= self._min_words:
            logger.debug(f"{self}: words over the bot, interrupting")
            await self.trigger_user_turn_started()
            return ProcessFrameResult.STOP
        if not final:
            return ProcessFrameResult.CONTINUE

        # Only acknowledgements or noise: keep it out of the context, play on.
        logger.debug(f"{self}: backchannel over the bot, playing on")
        await self._cancel_empty_segment_timer()
        await self.trigger_reset_aggregation()
        if words_of(frame.text):
            await self.push_frame(
                UserBackchannelFrame(
                    text=frame.text.strip(), user_id=frame.user_id, timestamp=frame.timestamp
                )
            )
        await self._play_on()
        return ProcessFrameResult.CONTINUE

    async def _handle_metrics(self, frame: MetricsFrame):
        """A processing metric from upstream of the aggregator is the STT finishing a segment."""
        if not any(isinstance(d, ProcessingMetricsData) for d in frame.data):
            return
        self._segments_pending = max(0, self._segments_pending - 1)
        if self._holding and not self._caller_speaking and not self._segments_pending:
            await self._cancel_empty_segment_timer()
            self._empty_segment_task = self.task_manager.create_task(
                self._empty_segment_after_grace(), f"{self}::empty_segment"
            )

    async def _empty_segment_after_grace(self):
        await asyncio.sleep(self._stt_grace_secs)
        self._empty_segment_task = None
        if self._holding and not self._caller_speaking:
            logger.debug(f"{self}: no words in the sound over the bot, playing on")
            await self._play_on()

    async def _play_on(self):
        self._holding = self._caller_speaking
        await self.push_frame(ResumeBotSpeechFrame())
        await self._update_vad_params()

    async def _cancel_empty_segment_timer(self):
        if self._empty_segment_task:
            await self.task_manager.cancel_task(self._empty_segment_task)
            self._empty_segment_task = None

    async def _update_vad_params(self):
        """Switch the VAD's parameters with the bot's speech, while the caller is quiet."""
        if self._vad_params is None or self._vad_params_over_bot is None:
            return
        over_bot = self._bot_speaking or self._holding
        if over_bot == self._over_bot_vad or self._caller_speaking:
            return
        self._over_bot_vad = over_bot
        params = self._vad_params_over_bot if over_bot else self._vad_params
        await self.push_frame(VADParamsUpdateFrame(params=params))
