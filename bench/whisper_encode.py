"""Whisper tiny.en on the full 30 s window against only the speech plus a pad.

Each request of bench/booking_slots.py is said in every caller voice (Piper at
three speeds, espeak-ng in two accents), framed as the bot's STT receives a VAD
segment (1 s of pre-roll, the speech, the VAD's stop time and Pipecat's 0.5 s of
trailing silence), and transcribed by the bot's Whisper (int8, 2 threads, beam
5, language en, the same no-speech cut-off) once per encoder pad. Records word
error rate against what was said, transcription and encoder times, and how
often the short window fell back to the full one.

    .venv/bin/python -m bench.whisper_encode                 # the tuning set
    .venv/bin/python -m bench.whisper_encode --held-out      # once, to confirm
    .venv/bin/python -m bench.whisper_encode --noise         # coughs, bursts, breath, hiss

`--noise` frames the test harness's noises the same way and transcribes each with the
full window and with each pad (whose doubt check may send it back to the full window),
with the bot's first-turn prompt and vocabulary (a sound in silence) and with neither (a
sound over the bot), and records what the bot would keep as the caller's words.

Synthesised audio is cached in bench/.audio-cache, so every pad hears the same
clips (Piper's output varies from run to run).
"""

import argparse
import hashlib
import json
import os
import re
import time
from pathlib import Path
from statistics import median, quantiles

import jiwer
import numpy as np

# Its held-out clips are the first 8 held-out requests, as when it was measured.
from bench.booking_slots import HELD_OUT_FIRST as HELD_OUT
from bench.booking_slots import REQUESTS, speak, voices
from bench.machine import describe_machine
from flows.restaurant import Restaurant
from flows.stt_prompts import REQUEST_PROMPT
from harness import noises
from harness.voices import silence
from services.whisper_stt import SAMPLE_RATE, SpeechLengthWhisperModel, pad_frames_for
from settings import Settings

RESULTS = Path(__file__).parent / "results" / "whisper_encode.json"
CACHE = Path(__file__).parent / ".audio-cache"
PRE_ROLL_SECS = 1.0  # SegmentedSTTService keeps up to 1 s from before the VAD fired
PIPECAT_TRAILING_SILENCE_SECS = 0.5
FULL = 30.0

_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
).split()
_ORDINALS = (
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
    "twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
    "nineteenth twentieth"
).split()
_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else _SUFFIX.get(n % 10, 'th')}"


def normalise(text: str) -> str:
    """Lower case, no punctuation, numbers as digits: "Four, at 7:30 P.M." -> "4 at 7 30 pm"."""
    text = text.lower().replace("p.m.", "pm").replace("a.m.", "am").replace("o'clock", "oclock")
    text = re.sub(r"(\d)(am|pm)\b", r"\1 \2", text)
    text = re.sub(r"(\d)[:.](\d)", r"\1 \2", text)
    words = []
    for word in re.findall(r"[a-z0-9']+", text):
        if word in _NUMBERS:
            word = str(_NUMBERS.index(word))
        elif word in _ORDINALS:
            word = _ordinal(_ORDINALS.index(word))
        words.append(word)
    return " ".join(words)


def segment(said: str, voice, settings: Settings) -> bytes:
    """The request as the bot's STT receives it, from the cache when it was said before."""
    key = hashlib.sha256(f"{voice}|{said}|{settings.piper_voice}".encode()).hexdigest()[:20]
    path = CACHE / f"{key}.pcm"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        path.write_bytes(speak(voice, said, settings))
    trailing = settings.vad_stop_secs + PIPECAT_TRAILING_SILENCE_SECS
    return silence(PRE_ROLL_SECS) + path.read_bytes() + silence(trailing)


class Run:
    """What one encoder pad heard, and how long it took."""

    def __init__(self, pad_secs: float):
        self.pad_secs = pad_secs
        self.times: list[float] = []
        self.encode_secs: list[float] = []
        self.heard: list[str] = []
        self.retries = 0
        self.dropped = 0


def timed_encoder(model: SpeechLengthWhisperModel) -> list[float]:
    """Record the seconds of every encoder call on `model`."""
    spent: list[float] = []
    encode = model.encode

    def timed(features):
        started = time.perf_counter()
        out = encode(features)
        spent.append(time.perf_counter() - started)
        return out

    model.encode = timed
    return spent


def p95(values: list[float]) -> float:
    return quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def transcribe(model, run: Run, pcm: bytes, no_speech_prob: float, spent: list[float]) -> None:
    model.pad_frames = pad_frames_for(run.pad_secs)
    retries = model.full_window_retries
    audio = np.frombuffer(pcm, np.int16).astype(np.float32) / 32768.0
    spent.clear()
    started = time.perf_counter()
    segments, _ = model.transcribe(audio, language="en", beam_size=5)
    run.times.append(time.perf_counter() - started)
    run.encode_secs += spent
    run.retries += model.full_window_retries - retries
    kept = [s.text.strip() for s in segments if s.no_speech_prob < no_speech_prob]
    run.dropped += len(kept) < len(segments)
    run.heard.append(" ".join(kept))


def measure(model, clips, pads: list[float], no_speech_prob: float) -> list[Run]:
    """Every clip through every pad in turn, so a change in the machine's load hits all alike."""
    runs = [Run(pad) for pad in pads]
    spent = timed_encoder(model)
    for _, _, pcm in clips:
        for run in runs:
            transcribe(model, run, pcm, no_speech_prob, spent)
    del model.encode
    return runs


def summarise(run: Run, clips, today: Run) -> dict:
    references = [normalise(said) for said, _, _ in clips]
    wer = jiwer.wer(references, [normalise(text) for text in run.heard])
    today_wer = jiwer.wer(references, [normalise(text) for text in today.heard])
    return {
        "pad_secs": run.pad_secs,
        "wer": round(wer, 4),
        "wer_change_points": round((wer - today_wer) * 100, 2),
        "transcribe_p50_ms": round(median(run.times) * 1000, 1),
        "transcribe_p95_ms": round(p95(run.times) * 1000, 1),
        "speed_up_p50": round(median(today.times) / median(run.times), 2),
        "encode_p50_ms": round(median(run.encode_secs) * 1000, 1),
        "encode_p95_ms": round(p95(run.encode_secs) * 1000, 1),
        "encoder_calls": len(run.encode_secs),
        "full_window_retries": run.retries,
        "segments_dropped_as_no_speech": run.dropped,
    }


def noise_clips(settings: Settings) -> list[tuple[str, bytes]]:
    """The harness's noises, framed as a VAD segment."""
    sounds = [(f"cough {seed}", noises.cough(seed=seed)) for seed in range(1, 9)]
    sounds += [(f"noise burst {seed}", noises.noise_burst(seed=seed)) for seed in range(1, 5)]
    sounds.append(("breath", noises.breath()))
    for secs in (0.5, 1.0):
        hiss = np.clip(noises.pink_noise(secs) * 3000, -32768, 32767).astype(np.int16)
        sounds.append((f"pink noise {secs:g} s", hiss.tobytes()))
    trailing = silence(settings.vad_stop_secs + PIPECAT_TRAILING_SILENCE_SECS)
    return [(name, silence(PRE_ROLL_SECS) + pcm + trailing) for name, pcm in sounds]


def measure_noise(model, settings: Settings, pads: list[float]) -> dict:
    """What the bot keeps as words for each noise, by pad, prompted (in silence) or not."""
    vocabulary = Restaurant.from_settings(settings).vocabulary()
    contexts = {
        "in_silence": {"hotwords": vocabulary, "initial_prompt": REQUEST_PROMPT},
        "over_the_bot": {"hotwords": vocabulary, "initial_prompt": None},
    }
    rows = []
    for name, pcm in noise_clips(settings):
        audio = np.frombuffer(pcm, np.int16).astype(np.float32) / 32768.0
        row = {"noise": name}
        for context, prompt in contexts.items():
            for pad in [FULL, *pads]:
                model.pad_frames = pad_frames_for(pad)
                segments, _ = model.transcribe(audio, language="en", beam_size=5, **prompt)
                kept = [s for s in segments if s.no_speech_prob < settings.whisper_no_speech_prob]
                row[f"{context}_pad_{pad:g}"] = " ".join(s.text.strip() for s in kept)
        rows.append(row)
        print(json.dumps(row))
    same = {
        f"{context}_pad_{pad:g}": sum(
            row[f"{context}_pad_{pad:g}"] == row[f"{context}_pad_{FULL:g}"] for row in rows
        )
        for context in contexts
        for pad in pads
    }
    keys = [key for key in rows[0] if key != "noise"]
    return {
        "clips": len(rows),
        "heard_as_words": {key: sum(bool(row[key]) for row in rows) for key in keys},
        "same_words_as_the_full_window": same,
        "heard": rows,
        "full_window_retries": model.full_window_retries,
        "machine": describe_machine(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", action="store_true", help="the held-out requests (once)")
    parser.add_argument("--pads", type=float, nargs="+", default=[1.0], help="seconds")
    parser.add_argument("--noise", action="store_true", help="the harness's noises")
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    if args.noise:
        model = SpeechLengthWhisperModel(
            str(settings.whisper_model), device="cpu", compute_type="int8", cpu_threads=2
        )
        report = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        report["noise"] = measure_noise(model, settings, args.pads)
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
        print(json.dumps({k: report["noise"][k] for k in ("heard_as_words", "clips")}))
        return
    requests = HELD_OUT if args.held_out else REQUESTS
    clips = [
        (said, f"{voice[0]} {voice[1]}", segment(said, voice, settings))
        for said, *_ in requests
        for voice in voices()
    ]
    model = SpeechLengthWhisperModel(
        str(settings.whisper_model), device="cpu", compute_type="int8", cpu_threads=2
    )
    pads = [FULL, *args.pads]
    measure(model, clips[:2], pads, settings.whisper_no_speech_prob)  # warm up
    load_before = os.getloadavg()
    runs = measure(model, clips, pads, settings.whisper_no_speech_prob)
    summary = [summarise(run, clips, runs[0]) for run in runs]
    differs = [
        {"said": said, "voice": voice, **{f"pad_{r.pad_secs}": r.heard[i] for r in runs}}
        for i, (said, voice, _) in enumerate(clips)
        if len({normalise(r.heard[i]) for r in runs}) > 1
    ]
    measured = {
        "clips": len(clips),
        "voices": sorted({voice for _, voice, _ in clips}),
        "mean_clip_secs": round(np.mean([len(c[2]) / 2 / SAMPLE_RATE for c in clips]), 2),
        "runs": summary,
        "transcripts_that_differ": differs,
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "machine": describe_machine(),
    }
    # One file, a section per set: the tuning set may be re-run, the held-out set once.
    report = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    report["what"] = (
        "Whisper tiny.en int8, 2 threads, beam 5: the full 30 s encoder window "
        "(pad 30, today) against the speech plus a pad"
    )
    report["held_out" if args.held_out else "tuning"] = measured
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    for run in summary:
        print(json.dumps(run))


if __name__ == "__main__":
    main()
