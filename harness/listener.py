"""What the caller heard the bot say, written down by Whisper.

An independent check on the context: the text the bot's context claims was
said is compared with a transcript of the audio the caller's loudspeaker
actually played.
"""

from functools import cache
from pathlib import Path

import numpy as np
import soxr

from harness.audio_transport import HeardAudio


@cache
def _model(path: Path):
    from faster_whisper import WhisperModel

    return WhisperModel(str(path), device="cpu", compute_type="int8")


def heard_between(heard: HeardAudio, start: float, end: float) -> bytes:
    """The bot audio that started playing between `start` and `end`."""
    return b"".join(pcm for at, pcm in heard.frames if start <= at < end)


def transcribe(pcm: bytes, sample_rate: int, model_path: Path) -> str:
    """What Whisper hears in bot audio."""
    if not pcm:
        return ""
    audio = np.frombuffer(pcm, np.int16).astype(np.float32) / 32768.0
    audio = soxr.resample(audio, sample_rate, 16000)
    segments, _ = _model(model_path).transcribe(audio, language="en", beam_size=5)
    return " ".join(segment.text.strip() for segment in segments)
