"""Whole tasks, done offline by voice: book, change or cancel, checked in the database.

Each call runs the bot's real pipeline (app/worker.py: Whisper tiny.en, the on-device
brain, Piper) on a scripted microphone and loudspeaker in real time
(harness/call.py), with a fresh reservation database. The caller speaks
synthetic voices that were never used while tuning, says requests written for this
bench only, and gives its details the way real callers do: the task, the day, time
and party, its name and its number in one breath. It then answers whatever the bot
asks (a detail, "Was that 3 people?", a read-back) as the truth says. A third of
the calls or more have pink or babble noise mixed in at 10 dB SNR. A call is completed
when the database afterwards holds what the caller wanted. First-audio latency is
from the end of each caller utterance to the bot's first audible reply.

    .venv/bin/python -m bench.task_success            # writes bench/results/task_success.json
    .venv/bin/python -m bench.task_success --calls 6  # a quick look
    .venv/bin/python -m bench.task_success --tuning   # the tuning callers and voices instead
"""

import argparse
import asyncio
import json
import re
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from statistics import quantiles

from loguru import logger
from pipecat.frames.frames import TranscriptionFrame

from bench.machine import describe_machine
from bench.task_success_script import CALLS, DIGITS, VOICES, CallScript
from flows.booking_rules import BookingRules
from flows.booking_slots import parse_slots
from harness.call import ScriptedCall
from harness.noises import with_noise
from harness.voices import espeak_speech, piper_speech
from settings import Settings

RESULTS = Path(__file__).parent / "results" / "task_success.json"
MAX_TURNS = 6
SNR_DB = 10.0


def offline_settings(database: Path) -> Settings:
    return Settings(
        _env_file=None,
        stt_chain="whisper",
        llm_chain="ondevice",
        tts_chain="piper",
        stt_provider="whisper",
        llm_provider="ondevice",
        tts_provider="piper",
        database_url=f"sqlite:///{database}",
    )


def speak(voice: str, text: str, settings: Settings) -> bytes:
    kind, option = voice.split(" ", 1)
    if kind == "piper":
        return piper_speech(text, settings.piper_voice, length_scale=float(option.lstrip("x")))
    return espeak_speech(text, voice=option)


def wrong_details(reply: str, want: dict, today: date, rules: BookingRules) -> bool:
    """Whether the bot's `reply` names a day, time or party size other than the caller's."""
    said = parse_slots(reply, today, rules.phone_region)
    return (
        (said.day is not None and said.day != want["date"])
        or (said.at is not None and said.at != want["time"])
        or (said.party_size is not None and said.party_size != want["party_size"])
    )


def said_digits(digits: str) -> str:
    return " ".join(DIGITS[int(d)] for d in digits)


def changed_detail(script: CallScript) -> str:
    """What a change call changes: the time, the party or the day."""
    day, at, party = script.booked
    if at != script.at:
        return "time"
    return "party" if party != script.party else "day"


def answer(reply: str, script: CallScript, today: date, rules: BookingRules, asked: Counter) -> str:
    """What the caller says back to the bot's `reply`, as the truth says; `asked` counts how
    often each detail was asked for, so a repeated question gets another wording."""
    low = reply.lower()

    def again(detail: str) -> str:
        asked[detail] += 1
        return script.again(detail, asked[detail] - 1)

    want = script.wanted(today)
    correction = (
        f"No, it's for {script.party_words} people, {script.day_words.rstrip('.').lower()} "
        f"at {script.time_words}."
    )
    if re.search(r"is that [^?]*, or \d+ (?:people|person)\?", low):  # a bare number, which?
        return "People." if changed_detail(script) == "party" else "The time."
    if "was that" in low:
        return "No." if wrong_details(reply, want, today, rules) else "Yes, that's right."
    national = script.phone_e164.replace("+44", "0")
    if "first five digits" in low:
        return f"{said_digits(national[:5])}."
    if "rest of the number" in low:
        return f"{said_digits(national[5:])}."
    if "what day is the booking for" in low:
        booked_day = script.booked[0] if script.booked else script.day
        day = "Tomorrow" if booked_day == "tomorrow" else f"It's on {booked_day.capitalize()}"
        return f"{day}, and the number is {said_digits(national)}."
    # A read-back's question ("Shall I book it?", "Shall I go ahead?"), not "What name should
    # I put the booking under?".
    asks_to_go_ahead = re.search(
        r"shall i (?:book|go ahead|cancel|change|make)|go ahead\?|is that (?:right|correct)\?", low
    )
    if script.task == "book" and wrong_details(reply, want, today, rules):
        return correction
    if "what would you like to change" in low:
        if script.task == "cancel":
            return "Nothing, I want to cancel it."  # a cancellation heard as a change
        if script.task != "change" and asked["wrong name"]:
            return f"The name. It's {script.name}."  # what they said no to at the read-back
        if script.task != "change" and asked["wrong phone"]:
            return f"The phone number. It's {said_digits(national)}."
        if script.task != "change":
            return correction  # a new booking read back wrong: all of it again
        asked["changes"] += 1
        if asked["changes"] == 1:
            return script.change_words
        return again(changed_detail(script))  # said another way, as a caller would
    # A change's read-back names the booking as it was, then " to " what it becomes; a
    # booking that replaces the caller's own says the new one before "will replace it".
    replacing = re.search(r"([^.?!]*) will replace it", reply)
    new = replacing.group(1) if replacing else reply.rsplit(" to ", 1)[-1]
    if script.task == "change" and asks_to_go_ahead and wrong_details(new, want, today, rules):
        return f"No. {script.change_words}"
    if "is the booking under the name" in low:
        return "Yes." if script.name.split()[0].lower() in low else f"No, it's {script.name}."
    if "phone number" in low or "say the whole number" in low or "your number" in low:
        return again("phone")
    if "can we reach you on" in low:  # a guessed number, confirmed alone: theirs or not
        return (
            "Yes."
            if parse_slots(reply, today, rules.phone_region).phone == script.phone_e164
            else "No."
        )
    if asks_to_go_ahead and script.task == "book":
        # A caller hears their own name and number read back, and says so when they are not.
        read_phone = parse_slots(reply, today, rules.phone_region).phone
        wrong_phone = read_phone is not None and read_phone != script.phone_e164
        wrong_name = "under the name" in low and script.name.split()[0].lower() not in low
        asked["wrong phone"], asked["wrong name"] = (
            int(wrong_phone),
            int(wrong_name and not wrong_phone),
        )
        if wrong_phone:
            return f"No, my number is {said_digits(national)}."
        if wrong_name:
            return f"No, the name is {script.name}."
    if asks_to_go_ahead:
        return "Yes, please."
    if "name" in low and "?" in low:
        return again("name")
    if "what day" in low:
        return again("day")
    if "what time" in low:
        return again("time")
    if "how many" in low:
        return again("party")
    if "anything else" in low:
        return "No, that's all, thank you."
    return again("opening")  # "Sorry, I did not catch that": say it again


async def done(
    settings: Settings, rules: BookingRules, script: CallScript, today: date
) -> str | None:
    """Whether the database holds what the caller wanted: None if not, else the name the
    booking is under (the caller's, or Whisper's spelling of it with a note for the staff)."""
    from store import ReservationStore

    store = ReservationStore.open(settings.database_url, settings.restaurant_tables, rules.seating)
    try:
        bookings = await store.bookings()
    finally:
        store.close()
    want = script.wanted(today)
    mine = [b for b in bookings if b.phone == script.phone_e164]
    if script.task == "cancel":
        return mine[0].name if mine and all(b.status != "confirmed" for b in mine) else None
    return next(
        (
            b.name
            for b in mine
            if b.status == "confirmed"
            and b.date == want["date"]
            and b.time == want["time"]
            and b.party_size == want["party_size"]
        ),
        None,
    )


async def seed(settings: Settings, rules: BookingRules, script: CallScript, today: date):
    from store import ReservationStore

    store = ReservationStore.open(settings.database_url, settings.restaurant_tables, rules.seating)
    try:
        day, at, party = script.existing(today)
        await store.book(
            name=script.name,
            phone=script.phone_e164,
            day=day,
            at=at,
            party_size=party,
            notes="",
            idempotency_key="bench-seed",
        )
    finally:
        store.close()


async def run_call(index: int, script: CallScript, voice: str, noise: str | None) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        settings = offline_settings(Path(folder) / "reservations.db")
        rules = BookingRules.from_settings(settings)
        today = rules.today()
        if script.task != "book":
            await seed(settings, rules, script, today)

        def audio(text: str) -> bytes:
            pcm = speak(voice, text, settings)
            return with_noise(pcm, noise, SNR_DB, seed=index + len(turns)) if noise else pcm

        turns, latencies, completed, booked_as = [], [], False, None
        async with ScriptedCall(settings) as call:
            await call.greet(timeout=30)
            line, asked = script.opening, Counter({"opening": 1})
            for _ in range(MAX_TURNS):
                if call._run.done():
                    break  # the bot ended the call
                started = time.monotonic()
                pcm = audio(line)
                try:
                    end = await asyncio.wait_for(call.transport.say(pcm), len(pcm) / 32000 + 15)
                except TimeoutError:
                    break  # the microphone stopped: the pipeline has ended
                # The bot's answer to this line, not the tail of an earlier one: a caller waits
                # for it (20 s at most, then speaks again), then for the bot to finish.
                heard_at = await call.bot_audible_after(end, timeout=20)
                await call.wait_for_silence(quiet=2.0, timeout=60)
                if heard_at is not None:
                    latencies.append(round((heard_at - end) * 1000))
                reply = call.text_between(end, time.monotonic())
                heard = " ".join(
                    f.text.strip() for _, f in call.timeline.after(started, TranscriptionFrame)
                )
                turns.append({"said": line, "heard": heard, "bot": reply})
                if (booked_as := await done(settings, rules, script, today)) is not None:
                    completed = True
                    break
                line = answer(reply, script, today, rules, asked)
    return {
        "task": script.task,
        "voice": voice,
        "noise": noise,
        "completed": completed,
        # Booked under a name other than the caller's: Whisper's spelling, noted for the staff.
        "name_misspelt": completed and booked_as != script.name,
        "turns": turns,
        "latencies_ms": latencies,
    }


def percentile(values: list[int], q: int) -> float | None:
    if len(values) < 2:
        return float(values[0]) if values else None
    return round(quantiles(values, n=100, method="inclusive")[q - 1], 1)


async def measure(
    count: int, deadline: float | None, first: int = 0, calls=CALLS, voices=VOICES
) -> dict:
    results = []
    for index, script in list(enumerate(calls))[first : first + count]:
        if deadline is not None and time.time() > deadline:
            logger.warning(f"deadline reached after {len(results)} calls")
            break
        voice = voices[index % len(voices)]
        # One call in three, each task in turn, pink and babble in turn.
        noisy = index % 3 == (index // 3) % 3
        noise = ("pink", "babble")[(index // 3) % 2] if noisy else None
        started = time.monotonic()
        result = await run_call(index, script, voice, noise)
        result["seconds"] = round(time.monotonic() - started, 1)
        results.append(result)
        print(
            f"call {index} {script.task} [{voice}{', ' + noise if noise else ''}] "
            f"{'DONE' if result['completed'] else 'FAILED'} in {result['seconds']} s",
            flush=True,
        )
    return summarise(results)


def summarise(results: list[dict]) -> dict:
    def rate(rows):
        return round(sum(r["completed"] for r in rows) / len(rows), 3) if rows else None

    latencies = [ms for r in results for ms in r["latencies_ms"]]
    noisy = [r for r in results if r["noise"]]
    return {
        "calls": len(results),
        "completed": sum(r["completed"] for r in results),
        "rate": rate(results),
        "by_task": {
            task: {"calls": n, "rate": rate([r for r in results if r["task"] == task])}
            for task, n in Counter(r["task"] for r in results).items()
        },
        "per_voice": {
            voice: {"calls": n, "rate": rate([r for r in results if r["voice"] == voice])}
            for voice, n in Counter(r["voice"] for r in results).items()
        },
        "completed_name_misspelt": sum(r.get("name_misspelt", False) for r in results),
        "noisy": {
            "calls": len(noisy),
            "rate": rate(noisy),
            "snr_db": SNR_DB,
            "kinds": dict(Counter(r["noise"] for r in noisy)),
        },
        "latency_ms": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "turns": len(latencies),
        },
        "failures": [r for r in results if not r["completed"]],
        "calls_detail": results,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=len(CALLS))
    parser.add_argument("--first", type=int, default=0, help="start at this call (a quick look)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--merge", nargs="+", type=Path, help="sum up the calls of these result files instead"
    )
    parser.add_argument("--until", help="stop starting calls after this UTC time, HH:MM")
    parser.add_argument(
        "--tuning",
        action="store_true",
        help="the tuning callers and voices (bench/task_success_tuning.py), not the held-out ones",
    )
    parser.add_argument(
        "--dev",
        nargs="?",
        const=1,
        type=int,
        choices=(1, 2, 3),
        help="the development callers and voices, also tuned on: the first batch "
        "(bench/task_success_dev.py), with 2 the second (bench/task_success_dev2.py), with 3 the "
        "third (bench/task_success_dev3.py)",
    )
    args = parser.parse_args()
    calls, voices, callers = CALLS, VOICES, "held out"
    if args.tuning or args.dev:
        from bench import (
            task_success_dev,
            task_success_dev2,
            task_success_dev3,
            task_success_tuning,
        )

        chosen = {
            None: task_success_tuning,
            1: task_success_dev,
            2: task_success_dev2,
            3: task_success_dev3,
        }[args.dev]
        calls, voices = chosen.CALLS, chosen.VOICES
        callers = f"{'development' if args.dev else 'tuning'} ({chosen.__file__.split('/')[-1]})"
        if args.out == RESULTS:
            args.out = RESULTS.with_name(f"{chosen.__name__.split('.')[-1]}.json")
    deadline = None
    if args.until:
        now = time.gmtime()
        hours, minutes = map(int, args.until.split(":"))
        deadline = time.time() + ((hours * 60 + minutes) - (now.tm_hour * 60 + now.tm_min)) * 60
    logger.remove()
    logger.add(lambda m: print(m, end=""), level="WARNING")
    started = time.monotonic()
    if args.merge:
        parts = [json.loads(path.read_text()) for path in args.merge]
        measured = summarise([call for part in parts for call in part["calls_detail"]])
        measured["ran_as"] = [
            {k: part.get(k) for k in ("first", "planned_calls", "seconds")} for part in parts
        ]
    else:
        measured = asyncio.run(measure(args.calls, deadline, args.first, calls, voices))
    report = {
        "what": "share of scripted offline calls by voice whose task (book, change, cancel) "
        "the database shows done afterwards",
        **measured,
        "first": args.first,
        "planned_calls": args.calls,
        "voices": voices,
        "callers": callers,
        "seconds": round(time.monotonic() - started, 1),
        "machine": describe_machine(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    summary = {k: report[k] for k in ("calls", "completed", "rate", "by_task", "per_voice")}
    print(json.dumps(summary | {"noisy": report["noisy"], "latency_ms": report["latency_ms"]}))


if __name__ == "__main__":
    main()
