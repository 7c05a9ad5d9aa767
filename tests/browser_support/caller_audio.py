"""The caller's microphone for a browser call.

The tests speak each line as a WAV of its own, once the call is ready for it
(session.py's scripted microphone): `write_line_wavs`.

The latency benchmark plays one WAV with the lines at set times: Chromium plays
the file from the moment the page opens the microphone, so the silences are the
script: a lead long enough for connecting (models load then) and the bot's
greeting, and after each line a gap long enough for the bot's answer, so no line
talks over it: `write_caller_wav`.
"""

import wave
from pathlib import Path

from harness.audio_transport import SAMPLE_RATE
from harness.voices import piper_speech, silence


def write_line_wavs(folder: Path, lines: list[str], voice: Path) -> list[str]:
    """One WAV per caller line, in `folder`; their paths."""
    paths = []
    for number, line in enumerate(lines, 1):
        path = folder / f"line-{number}.wav"
        _write_wav(path, piper_speech(line, voice))
        paths.append(str(path))
    return paths


def _write_wav(path: Path, pcm: bytes) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm)


def write_caller_wav(
    path: Path,
    lines: list[str],
    voice: Path,
    lead_secs: float = 16.0,
    gap_secs: float = 12.0,
) -> list[float]:
    """Write the call's microphone audio; return when each line ends, in seconds."""
    pcm = silence(lead_secs)
    ends = []
    for line in lines:
        pcm += piper_speech(line, voice)
        ends.append(len(pcm) / 2 / SAMPLE_RATE)
        pcm += silence(gap_secs)
    _write_wav(path, pcm)
    return ends
