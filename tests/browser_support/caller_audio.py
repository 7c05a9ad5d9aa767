"""The caller's microphone for a browser call: one WAV with the lines at set times.

Chromium plays the file from the moment the page opens the microphone, so the
silences are the script: a lead long enough for connecting (models load then)
and the bot's greeting, and after each line a gap long enough for the bot's
answer, so no line talks over it. Both have seconds to spare on a slow machine:
a line that overlapped the bot would interrupt it (or be muted) and the test
would be about timing, not about the page.
"""

import wave
from pathlib import Path

from harness.audio_transport import SAMPLE_RATE
from harness.voices import piper_speech, silence


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
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm)
    return ends
