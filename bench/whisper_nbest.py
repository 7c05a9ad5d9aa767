"""Whisper's runner-up transcripts (its n-best), for one spoken booking request: what they
fill and what they cost.

The 36 tuning requests of bench/booking_slots.py, said by the five tuning voices (Piper
x1.05 and espeak-ng en-us, en-gb, en-gb-scotland, en-us+f2; never the held-out voices or
requests), are transcribed as the bot does (tiny.en, int8, the restaurant's hotwords, the
prompt after the greeting), each clip twice in alternating order: keeping the best
hypothesis only, and asking the beam for `--hypotheses` of them. The second pass records
every hypothesis with its score, so the restaurant's choice (flows/heard_best.py) is
measured on their text: filled correctly, and filled WRONGLY (a check_availability with a
wrong day, time or party: worse than a question), against the best hypothesis alone.

    .venv/bin/python -m bench.whisper_nbest   # writes bench/results/whisper_nbest.json
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
from services.whisper_stt import SpeechLengthWhisperModel
from settings import Settings

RESULTS = Path(__file__).parent / "results" / "whisper_nbest.json"


def tuning_voices() -> list[tuple[str, object]]:
    chosen = [("piper", speed) for speed in PIPER_SPEEDS]
    if espeak_available():
        chosen += [("espeak-ng", accent) for accent in TUNING_VOICES]
    return chosen


def transcribe_both(
    model, pcm: bytes, settings, vocabulary, prompt, hypotheses, first_nbest, beam_size=None
):
    """(best-only text, its seconds, n-best hypotheses of the one window, its seconds)."""
    audio = np.frombuffer(pcm, np.int16).astype(np.float32) / 32768.0
    seen: list[list[tuple[str, float]]] = []

    def record(hyps):
        seen.append([(text.strip(), score) for text, score in hyps])
        return 0

    def run(n):
        started = time.perf_counter()
        with choosing(n, record if n > 1 else None, beam_size):
            segments, _ = model.transcribe(
                audio, language="en", hotwords=vocabulary, initial_prompt=prompt
            )
        kept = [s.text for s in segments if s.no_speech_prob < settings.whisper_no_speech_prob]
        return " ".join(t.strip() for t in kept), time.perf_counter() - started

    if first_nbest:
        _, nbest_secs = run(hypotheses)
        best, best_secs = run(1)
    else:
        best, best_secs = run(1)
        _, nbest_secs = run(hypotheses)
    return best, best_secs, seen, nbest_secs


def evaluate(samples, rules, chooser) -> dict:
    """Fill rate and wrong fills of the best hypothesis alone and of `chooser`'s pick."""
    out = {}
    per_voice: dict[str, dict[str, int]] = {}
    for way in ("best", "chosen"):
        right = wrong = 0
        changed = []
        for s in samples:
            text = s["best"]
            if way == "chosen" and len(s["windows"]) == 1:
                hyps = [tuple(h) for h in s["windows"][0]]
                picked = chooser(hyps)
                if picked != 0:
                    text = hyps[picked][0]
            expected = (s["date"], s["time"], s["party_size"])
            filled, _ = brain_fills(text, rules, expected)
            ok = correct(filled, *expected)
            right += ok
            wrong += filled is not None and not ok
            v = per_voice.setdefault(s["voice"], {"samples": 0, "best": 0, "chosen": 0})
            v["samples"] += way == "best"
            v[way] += ok
            if way == "chosen" and text != s["best"]:
                before, _ = brain_fills(s["best"], rules, expected)
                changed.append(
                    {
                        "voice": s["voice"],
                        "said": s["said"],
                        "best": s["best"],
                        "chosen": text,
                        "was_right": correct(before, *expected),
                        "now_right": ok,
                    }
                )
        out[way] = {
            "filled_correctly": round(right / len(samples), 3),
            "filled_correctly_count": right,
            "filled_wrongly_count": wrong,
        }
        if way == "chosen":
            out["changed"] = changed
    out["per_voice"] = {
        name: {
            "best": round(v["best"] / v["samples"], 3),
            "chosen": round(v["chosen"] / v["samples"], 3),
        }
        for name, v in per_voice.items()
    }
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hypotheses", type=int, default=5)
    parser.add_argument("--beam-size", type=int, help="a wider beam for the n-best pass")
    parser.add_argument("--margin", type=float, default=0.15, help="the chooser's margin")
    parser.add_argument("--cache", type=Path, help="samples json from an earlier run: no Whisper")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    rules = BookingRules.from_settings(settings, clock=lambda: NOW)
    vocabulary = Restaurant.from_settings(settings).vocabulary()
    prompt = CALLER_PROMPTS.after(GREETING)
    started = time.monotonic()
    if args.cache:
        cached = json.loads(args.cache.read_text())
        samples, timing = cached["samples"], cached["transcription_ms"]
    else:
        model = SpeechLengthWhisperModel(
            str(settings.whisper_model), device="cpu", compute_type="int8"
        )
        samples, best_ms, nbest_ms = [], [], []
        for i, (said, day, at, party) in enumerate(REQUESTS):
            for j, voice in enumerate(tuning_voices()):
                pcm = speak(voice, said, settings)
                best, b_secs, windows, n_secs = transcribe_both(
                    model,
                    pcm,
                    settings,
                    vocabulary,
                    prompt,
                    args.hypotheses,
                    (i + j) % 2 == 1,
                    args.beam_size,
                )
                best_ms.append(b_secs * 1000)
                nbest_ms.append(n_secs * 1000)
                samples.append(
                    {
                        "said": said,
                        "voice": voice_name(voice),
                        "date": day,
                        "time": at,
                        "party_size": party,
                        "best": best,
                        "windows": windows,
                        "ms": {"best_only": round(b_secs * 1000), "nbest": round(n_secs * 1000)},
                    }
                )
        timing = {
            "best_only_median": round(statistics.median(best_ms)),
            "nbest_median": round(statistics.median(nbest_ms)),
            "best_only_p90": round(statistics.quantiles(best_ms, n=10)[-1]),
            "nbest_p90": round(statistics.quantiles(nbest_ms, n=10)[-1]),
            "median_of_differences": round(
                statistics.median(n - b for n, b in zip(nbest_ms, best_ms, strict=True))
            ),
        }
    chooser = BookingHypothesisChooser(rules, margin=args.margin)
    report = {
        "what": "Whisper tiny.en's n-best on the 36 tuning requests x 5 tuning voices: "
        "the restaurant's choice among the hypotheses against the best alone",
        "hypotheses": args.hypotheses,
        "beam_size": args.beam_size or 5,
        "chooser": chooser.describe(),
        "transcription_ms": timing,
        **evaluate(samples, rules, chooser),
        "whisper_hotwords": vocabulary,
        "whisper_initial_prompt": prompt,
        "seconds": round(time.monotonic() - started, 1),
        "machine": describe_machine(),
        "samples": samples,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: report[k] for k in ("chooser", "transcription_ms", "best", "chosen")}))
    print(json.dumps(report["per_voice"]))
    for c in report["changed"]:
        print(
            f"  {'+' if c['now_right'] > c['was_right'] else '-' if c['now_right'] < c['was_right'] else '='}"
            f" [{c['voice']}] {c['best']!r} -> {c['chosen']!r}"
        )


if __name__ == "__main__":
    main()
