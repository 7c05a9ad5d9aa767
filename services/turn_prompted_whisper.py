"""Whisper whose prompt follows the question the bot just asked (services/turn_prompts.py)."""

from loguru import logger

from services.turn_prompts import TurnPrompts
from services.whisper_stt import SpeechLengthWhisperSTTService


class TurnPromptedWhisperSTTService(SpeechLengthWhisperSTTService):
    """`SpeechLengthWhisperSTTService` whose `initial_prompt` is set by `bot_said`."""

    def __init__(self, *, prompts: TurnPrompts, **kwargs):
        """
        Args:
            prompts: The questions the bot may ask and the prompt for each one's answer.
            **kwargs: As `SpeechLengthWhisperSTTService`.
        """
        super().__init__(**kwargs)
        self._prompts = prompts
        self._settings.initial_prompt = prompts.default

    @property
    def prompt(self) -> str | None:
        """The prompt the next caller turn is transcribed with."""
        return self._settings.initial_prompt

    def bot_said(self, text: str) -> None:
        """The bot has said `text`: the next caller turn answers its last question."""
        self._settings.initial_prompt = self._prompts.after(text)
        logger.debug(f"{self}: the next turn's prompt: {self._settings.initial_prompt!r}")
