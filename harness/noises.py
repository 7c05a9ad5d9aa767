"""Non-speech caller sounds, made on this machine as 16 kHz mono PCM.

Coughs and breaths to mix into a call while the bot speaks: a cough is a
broadband burst with a voiced tail (espeak-ng says its glottal part), a
breath is quiet, band-limited noise with a slow swell. Pink noise and babble
(five espeak-ng talkers at once) are mixed under a caller's line at a given
SNR (`with_noise`, bench.task_success). All are seeded, so a test hears the
same sound every run.
"""

import subprocess

import numpy as np

from harness.audio_transport import SAMPLE_RATE
from harness.voices import espeak_available, resample, trim_silence

# espeak-ng phonemes for a cough's voiced part: "h@-kh".
COUGH_PHONEMES = "[[h@kh]]"


def _band_noise(rng: np.random.Generator, secs: float, low: float, high: float) -> np.ndarray:
    n = int(SAMPLE_RATE * secs)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    spectrum[(freqs < low) | (freqs > high)] = 0
    noise = np.fft.irfft(spectrum, n)
    return noise / np.abs(noise).max()


def noise_burst(secs: float = 0.25, peak: int = 16000, seed: int = 1) -> bytes:
    """A cough-like burst of noise: a sharp attack, then a fast decay."""
    rng = np.random.default_rng(seed)
    noise = _band_noise(rng, secs, 300, 5000)
    t = np.arange(len(noise)) / SAMPLE_RATE
    envelope = np.minimum(1.0, t / 0.01) * np.exp(-t / (secs / 3))
    return (noise * envelope * peak).astype(np.int16).tobytes()


def cough(seed: int = 1) -> bytes:
    """A cough: a noise burst over the voiced "h@kh" espeak-ng says."""
    voiced = np.frombuffer(_espeak_phonemes(COUGH_PHONEMES), np.int16).astype(np.float32)
    burst = np.frombuffer(noise_burst(0.15, 12000, seed), np.int16).astype(np.float32)
    length = max(len(voiced), len(burst))
    mixed = np.zeros(length, np.float32)
    mixed[: len(voiced)] += voiced
    mixed[: len(burst)] += burst
    return np.clip(mixed, -32768, 32767).astype(np.int16).tobytes()


def breath(secs: float = 0.7, peak: int = 1500, seed: int = 2) -> bytes:
    """A breath near the microphone: quiet low-band noise that swells and fades."""
    rng = np.random.default_rng(seed)
    noise = _band_noise(rng, secs, 200, 2000)
    envelope = np.sin(np.linspace(0, np.pi, len(noise)))
    return (noise * envelope * peak).astype(np.int16).tobytes()


def _espeak_phonemes(phonemes: str) -> bytes:
    if not espeak_available():
        raise RuntimeError("espeak-ng is not installed (apt espeak-ng)")
    wav = subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "150", "--stdout", phonemes],
        check=True,
        capture_output=True,
    ).stdout
    return trim_silence(resample(np.frombuffer(wav[44:], np.int16), 22050))


BABBLE_LINES = (
    "The weather has been lovely this week, we went to the beach twice.",
    "Did you see the match last night? It went to extra time.",
    "I think the train leaves at half past, we should hurry up.",
    "She said the new office is bigger but the coffee is worse.",
    "Can you pass the salt please, and maybe some more bread.",
)
BABBLE_VOICES = ("en-us+m2", "en-gb+f3", "en-us+f4", "en-gb-x-gbcwmd+m4", "en-us+m6")


def pink_noise(secs: float, seed: int = 3) -> np.ndarray:
    """Pink (1/f) noise, unit RMS: a steady hiss with more low than high, like a busy room."""
    rng = np.random.default_rng(seed)
    n = max(2, round(SAMPLE_RATE * secs))
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    spectrum[1:] /= np.sqrt(freqs[1:])
    spectrum[0] = 0
    noise = np.fft.irfft(spectrum, n)
    return noise / np.sqrt(np.mean(noise**2))


def babble_noise(secs: float, seed: int = 4) -> np.ndarray:
    """Babble: five espeak-ng talkers at once, each from a random point of its line, unit RMS."""
    rng = np.random.default_rng(seed)
    n = max(2, round(SAMPLE_RATE * secs))
    mixed = np.zeros(n, np.float32)
    for line, voice in zip(BABBLE_LINES, BABBLE_VOICES, strict=True):
        talker = np.frombuffer(_espeak_line(line, voice), np.int16).astype(np.float32)
        talker = np.roll(np.tile(talker, n // len(talker) + 2), -int(rng.integers(len(talker))))
        mixed += talker[:n] / (np.sqrt(np.mean(talker**2)) + 1e-9)
    return mixed / np.sqrt(np.mean(mixed**2))


def with_noise(pcm: bytes, kind: str, snr_db: float, seed: int = 0, pad_secs: float = 0.3) -> bytes:
    """`pcm` with `kind` ("pink" or "babble") noise at `snr_db` below the speech's RMS, the
    noise starting `pad_secs` before the speech and ending as long after it."""
    speech = np.frombuffer(pcm, np.int16).astype(np.float32)
    pad = np.zeros(int(SAMPLE_RATE * pad_secs), np.float32)
    speech = np.concatenate([pad, speech, pad])
    make = {"pink": pink_noise, "babble": babble_noise}[kind]
    noise = make(len(speech) / SAMPLE_RATE, seed)[: len(speech)]
    level = np.sqrt(np.mean(np.frombuffer(pcm, np.int16).astype(np.float32) ** 2))
    mixed = speech + noise * level / (10 ** (snr_db / 20))
    return np.clip(mixed, -32768, 32767).astype(np.int16).tobytes()


def _espeak_line(text: str, voice: str) -> bytes:
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", "165", "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    return trim_silence(resample(np.frombuffer(wav[44:], np.int16), 22050))
