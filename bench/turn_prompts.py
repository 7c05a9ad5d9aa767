"""Does a per-turn Whisper prompt pay? Measured on the tuning set only.

Three kinds of caller turn, each said by the five tuning voices and transcribed
by Whisper tiny.en with the restaurant's hotwords, without and with the prompt
the bot now gives for the question just asked (flows/stt_prompts.py):

- the 36 tuning requests of bench/booking_slots.py, after the greeting (filled
  when the brain checks availability with the right day, time and party size);
- answers to "what phone number?" written for this bench (right when the
  number read is the one said);
- answers to "what name?" written for this bench (right when the name read is
  the one said, without case).

The held-out requests and voices are never used here.

    .venv/bin/python -m bench.turn_prompts   # writes bench/results/turn_prompts.json
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from faster_whisper import WhisperModel

from bench.booking_slots import GREETING, NOW, REQUESTS, brain_fills, correct, speak
from bench.machine import describe_machine
from flows.booking_progress import QUESTIONS
from flows.booking_rules import BookingRules
from flows.booking_slots import parse_slots
from flows.restaurant import Restaurant
from flows.stt_prompts import CALLER_PROMPTS
from harness.voices import espeak_available
from settings import Settings

RESULTS = Path(__file__).parent / "results" / "turn_prompts.json"
VOICES = (
    ("piper", 1.05),
    ("espeak-ng", "en-us"),
    ("espeak-ng", "en-gb"),
    ("espeak-ng", "en-gb-scotland"),
    ("espeak-ng", "en-us+f2"),
)
# Written for this bench: (said, the number as E.164). Several repeat a digit.
PHONE_ANSWERS = [
    ("oh seven nine one one, one two three, four five six", "+447911123456"),
    ("It's zero seven seven one zero, nine double one, two three four.", "+447710911234"),
    ("zero seven eight eight one, four four two, three three nine", "+447881442339"),
    ("My mobile is oh seven four five two, six six one, nine eight zero.", "+447452661980"),
    ("zero two zero, seven nine four six, one one two two", "+442079461122"),
    ("Sure, it's oh seven nine five eight, three one seven, five five two.", "+447958317552"),
    ("zero one six one, four nine six, zero zero one eight", "+441614960018"),
    ("oh seven three nine nine, two one four, eight eight seven", "+447399214887"),
    ("It's 07712 345 678.", "+447712345678"),
    ("zero seven eight one two, five five five, one two one", "+447812555121"),
]
NAME_ANSWERS = [
    ("It's under Maria Lopez.", "maria lopez"),
    ("The name is Tom Baker.", "tom baker"),
    ("Anna Schmidt.", "anna schmidt"),
    ("Under the name of Patel, please.", "patel"),
    ("My name is James Wilson.", "james wilson"),
    ("Put it under Chloe Martin.", "chloe martin"),
    ("It's for Daniel Green.", "daniel green"),
    ("Sophie Turner, please.", "sophie turner"),
]


def noise_clips() -> dict[str, bytes]:
    """No speech at all: what a prompted Whisper must not turn into an answer."""
    rng = np.random.default_rng(15)
    white = rng.normal(0, 600, 16000 * 2)
    pink = np.cumsum(rng.normal(0, 60, 16000 * 2))
    pink -= np.convolve(pink, np.ones(400) / 400, mode="same")
    burst = np.zeros(16000)
    burst[4000:6400] = rng.normal(0, 6000, 2400)
    return {
        name: np.clip(audio, -32768, 32767).astype(np.int16).tobytes()
        for name, audio in (("white", white), ("pink", pink), ("burst", burst))
    }


def noise_heard(heard, rules) -> dict:
    """How many noise clips each prompt turns into a booking detail (a phone, a name, a
    day, a time or a party size)."""
    prompts = sorted({None, CALLER_PROMPTS.default, *CALLER_PROMPTS.by_question.values()}, key=str)
    texts, filled = [], 0
    for prompt in prompts:
        for name, pcm in noise_clips().items():
            text = heard(pcm, prompt)
            slots = parse_slots(text, rules.today(), rules.phone_region)
            found = bool(text) and bool(slots.filled())
            filled += found
            texts.append({"prompt": prompt, "noise": name, "heard": text, "a_detail": found})
    return {"clips": len(texts), "turned_into_a_detail": filled, "heard": texts}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--requests", type=int, default=len(REQUESTS))
    parser.add_argument(
        "--kinds",
        default="requests,phone_answers,name_answers,noise",
        help="measure only these; the others keep their figures in --out",
    )
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    rules = BookingRules.from_settings(settings, clock=lambda: NOW)
    vocabulary = Restaurant.from_settings(settings).vocabulary()
    model = WhisperModel(str(settings.whisper_model), device="cpu", compute_type="int8")
    voices = VOICES if espeak_available() else VOICES[:1]

    def heard(pcm: bytes, prompt: str | None) -> str:
        audio = np.frombuffer(pcm, np.int16).astype(np.float32) / 32768.0
        segments, _ = model.transcribe(
            audio, language="en", hotwords=vocabulary, initial_prompt=prompt
        )
        kept = [s.text for s in segments if s.no_speech_prob < settings.whisper_no_speech_prob]
        return " ".join(t.strip() for t in kept)

    def request_right(text, expected):
        filled, _ = brain_fills(text, rules, expected)
        return correct(filled, *expected)

    def phone_right(text, expected):
        return parse_slots(text, rules.today(), rules.phone_region, "phone").phone == expected

    def name_right(text, expected):
        name = parse_slots(text, rules.today(), rules.phone_region, "name").name
        return (name or "").lower() == expected

    kinds = {
        "requests": (
            [(said, (day, at, party)) for said, day, at, party in REQUESTS[: args.requests]],
            CALLER_PROMPTS.after(GREETING),
            request_right,
        ),
        "phone_answers": (
            PHONE_ANSWERS,
            CALLER_PROMPTS.after(QUESTIONS["phone"]),
            phone_right,
        ),
        "name_answers": (
            NAME_ANSWERS,
            CALLER_PROMPTS.after(QUESTIONS["name"]),
            name_right,
        ),
    }
    started = time.monotonic()
    wanted = args.kinds.split(",")
    report = json.loads(args.out.read_text()) if args.out.exists() else {}
    report |= {"what": __doc__.splitlines()[0], "voices": [f"{k} {o}" for k, o in voices]}
    for kind, (items, prompt, right) in kinds.items():
        if kind not in wanted:
            continue
        counts = {"hotwords_only": 0, "with_turn_prompt": 0}
        per_voice = {f"{k} {o}": dict.fromkeys(counts, 0) for k, o in voices}
        misses = []
        for said, expected in items:
            for voice in voices:
                pcm = speak(voice, said, settings)
                for config, given in (("hotwords_only", None), ("with_turn_prompt", prompt)):
                    text = heard(pcm, given)
                    ok = right(text, expected)
                    counts[config] += ok
                    per_voice[f"{voice[0]} {voice[1]}"][config] += ok
                    if not ok:
                        misses.append({"config": config, "said": said, "heard": text})
        total = len(items) * len(voices)
        report[kind] = {
            "samples": total,
            "prompt": prompt,
            "right": {c: round(n / total, 3) for c, n in counts.items()},
            "per_voice": per_voice,
            "misses": misses,
        }
        print(kind, json.dumps(report[kind]["right"]), flush=True)
    if "noise" in wanted:
        report["noise"] = noise_heard(heard, rules)
        print("noise", json.dumps({k: v for k, v in report["noise"].items() if k != "heard"}))
    report["seconds"] = round(time.monotonic() - started, 1)
    report["machine"] = describe_machine()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
