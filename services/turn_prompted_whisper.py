"""Whisper whose prompt follows the question the bot just asked (services/turn_prompts.py).

Only a sound that began after the bot stopped speaking is an answer to its question. A
sound that began while the bot spoke (a barge-in, a cough, a breath) is transcribed with no
prompt: a prompt makes Whisper find words in noise (a cough clip: no-speech probability
0.49-0.70 without one, 0.26-0.31 with the greeting's, under the 0.4 at which a segment is
kept, so "Good." became a caller turn and ended the bot's).
"""

from loguru import logger

from services.turn_prompts import TurnPrompts
from services.whisper_stt import SpeechLengthWhisperSTTService


class TurnPromptedWhisperSTTService(SpeechLengthWhisperSTTService):
    """`SpeechLengthWhisperSTTService` whose `initial_prompt` is set by `bot_said`, for
    sounds that begin while the bot is silent."""

    def __init__(self, *, prompts: TurnPrompts, **kwargs):
        """
        Args:
            prompts: The questions the bot may ask and the prompt for each one's answer.
            **kwargs: As `SpeechLengthWhisperSTTService`.
        """
        super().__init__(**kwargs)
        self._prompts = prompts
        self._prompt = prompts.default
        self._settings.initial_prompt = self._prompt

    @property
    def prompt(self) -> str | None:
        """The prompt the next caller turn is transcribed with, if it begins in silence."""
        return self._prompt

    @property
    def segment_prompt(self) -> str | None:
        """The prompt for the segment under way: none for a sound begun over the bot."""
        return None if self._began_over_the_bot else self._prompt

    def bot_said(self, text: str) -> None:
        """The bot has said `text`: the next caller turn answers its last question."""
        self._prompt = self._prompts.after(text)
        logger.debug(f"{self}: the next turn's prompt: {self._prompt!r}")

    async def run_stt(self, audio: bytes):
        self._settings.initial_prompt = self.segment_prompt
        async for frame in super().run_stt(audio):
            yield frame
