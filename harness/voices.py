"""Caller voices, synthesised on this machine as 16 kHz mono PCM.

The bundled Piper voice speaks the caller's lines (at another pace than the
bot, so the two differ); espeak-ng is a second, rougher voice where installed.
"""

import shutil
import subprocess
from functools import cache
from pathlib import Path

import numpy as np
import soxr

from harness.audio_transport import SAMPLE_RATE


@cache
def _piper_voice(path: Path):
    from piper import PiperVoice

    return PiperVoice.load(path)


def piper_speech(text: str, voice_path: Path, length_scale: float = 1.1) -> bytes:
    """`text` spoken by a Piper voice."""
    from piper import SynthesisConfig

    voice = _piper_voice(voice_path)
    chunks = list(voice.synthesize(text, syn_config=SynthesisConfig(length_scale=length_scale)))
    audio = np.concatenate([chunk.audio_int16_array for chunk in chunks])
    return trim_silence(resample(audio, chunks[0].sample_rate))


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def espeak_speech(text: str, voice: str = "en-us") -> bytes:
    """`text` spoken by espeak-ng (a second, quite different voice)."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", "150", "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    # espeak-ng writes a 44-byte WAV header then 22050 Hz mono int16.
    audio = np.frombuffer(wav[44:], dtype=np.int16)
    return trim_silence(resample(audio, 22050))


def resample(audio: np.ndarray, rate: int) -> bytes:
    if rate == SAMPLE_RATE:
        return audio.astype(np.int16).tobytes()
    out = soxr.resample(audio.astype(np.float32), rate, SAMPLE_RATE)
    return np.clip(out, -32768, 32767).astype(np.int16).tobytes()


def silence(secs: float) -> bytes:
    return bytes(int(SAMPLE_RATE * secs) * 2)


def trim_silence(pcm: bytes, threshold: int = 300) -> bytes:
    """Cut leading and trailing silence: the end of the audio is the end of speech."""
    audio = np.frombuffer(pcm, np.int16)
    loud = np.flatnonzero(np.abs(audio) > threshold)
    if not len(loud):
        return b""
    return audio[loud[0] : loud[-1] + 1].tobytes()
