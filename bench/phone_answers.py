"""How often the bot reads a phone number said as the answer to "what number?", with and
without guessing a number one common mishearing away (flows/phone_numbers.guess_phone).
Measured on the tuning set only.

Numbers written for the benches (bench.turn_prompts' ten and eight more, several with a
repeated digit) are said by the five tuning voices, clean and with pink and babble noise at
10 dB SNR, and transcribed as the bot does after that question (Whisper tiny.en, its
hotwords, the digit-word prompt, the n-best choice). A number counts as read when the parser
gives the number said; a guess is marked unsure, so the bot confirms it alone ("Can we
reach you on ...?") before it uses it. `missed` lists what was heard where no number, or a
wrong one, was read.

    .venv/bin/python -m bench.phone_answers   # writes bench/results/phone_answers.json
"""

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from bench.booking_slots import NOW, speak, transcriber, voice_name
from bench.machine import describe_machine
from bench.turn_prompts import PHONE_ANSWERS, VOICES
from flows.booking_progress import QUESTIONS
from flows.booking_rules import BookingRules
from flows.booking_slots import parse_slots
from flows.heard_best import BookingHypothesisChooser
from flows.restaurant import Restaurant
from flows.stt_prompts import CALLER_PROMPTS
from harness.noises import with_noise
from harness.voices import espeak_available
from settings import Settings

RESULTS = Path(__file__).parent / "results" / "phone_answers.json"
SNR_DB = 10
MORE_ANSWERS = [
    ("oh seven nine nine nine, eight one two, three four five", "+447999812345"),
    ("Yes, it's zero seven five zero zero, nine nine nine, one one one", "+447500999111"),
    ("My number's oh seven seven nine one, two nine nine, four six three", "+447791299463"),
    ("oh one one three, four nine six, zero nine nine nine", "+441134960999"),
    ("zero seven four nine one, two two nine, nine eight one", "+447491229981"),
    ("Sure. Oh seven seven one nine, three nine one, one nine zero.", "+447719391190"),
    ("It's oh two nine, two zero one eight, three three four four", "+442920183344"),
    ("oh seven eight zero zero, six five four, three two one", "+447800654321"),
]
"""Written for this bench, apart from the held-out calls."""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    rules = BookingRules.from_settings(settings, clock=lambda: NOW)
    transcribe = transcriber(
        settings,
        Restaurant.from_settings(settings).vocabulary(),
        CALLER_PROMPTS.after(QUESTIONS["phone"]),
        BookingHypothesisChooser(rules),
    )
    voices = VOICES if espeak_available() else VOICES[:1]
    counts, per_noise, guesses, missed = Counter(), {}, [], []
    started = time.monotonic()
    for said, number in PHONE_ANSWERS + MORE_ANSWERS:
        for voice in voices:
            clean = speak(voice, said, settings)
            for noise in (None, "pink", "babble"):
                pcm = clean if noise is None else with_noise(clean, noise, SNR_DB, seed=len(said))
                heard = transcribe(pcm)
                slots = parse_slots(heard, rules.today(), rules.phone_region, asked="phone")
                guessed = "phone" in slots.unsure
                outcome = (
                    "none"
                    if slots.phone is None
                    else f"{'guessed' if guessed else 'read'}_{'right' if slots.phone == number else 'wrong'}"
                )
                counts[outcome] += 1
                per_noise.setdefault(noise or "clean", Counter())[outcome] += 1
                if outcome in ("none", "read_wrong"):
                    missed.append(
                        {"said": said, "voice": voice_name(voice), "noise": noise, "heard": heard}
                    )
                if guessed:
                    guesses.append(
                        {
                            "said": said,
                            "heard": heard,
                            "guess": slots.phone,
                            "right": slots.phone == number,
                        }
                    )
    samples = sum(counts.values())
    report = {
        "what": __doc__.splitlines()[0],
        "voices": [f"{kind} {option}" for kind, option in voices],
        "snr_db": SNR_DB,
        "samples": samples,
        "outcomes": dict(counts),
        "read_right": round(counts["read_right"] / samples, 3),
        "read_or_guessed_right": round(
            (counts["read_right"] + counts["guessed_right"]) / samples, 3
        ),
        "per_noise": {noise: dict(c) for noise, c in per_noise.items()},
        "guesses": guesses,
        "missed": missed,
        "seconds": round(time.monotonic() - started, 1),
        "machine": describe_machine(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(
        json.dumps(
            {k: report[k] for k in ("samples", "outcomes", "read_right", "read_or_guessed_right")}
        )
    )


if __name__ == "__main__":
    main()
