"""Interruptions on real audio through the offline pipeline: barge-ins, backchannels, noise.

One scripted call. The bot reads the menu (about 12 s) again and again while
the caller talks over it at known offsets:

- keep rounds: two backchannels and two noises (coughs, noise bursts, breaths)
  over one answer, which should play to its end;
- barge-in rounds: the caller cuts the answer with words that ask for the menu
  again, so the next round's answer starts at once.

Time to silence is the caller's speech onset (the first sample the microphone
sent) to the start of the last bot frame the loudspeaker played before the bot
went quiet. What the context says was said is checked against a Whisper
transcript of the audio the loudspeaker played. Writes
bench/results/interruptions.json.
"""

import argparse
import asyncio
import json
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from statistics import quantiles

import jiwer

from bench.machine import describe_machine
from flows.ondevice_dialogue import MENU
from harness.call import ScriptedCall
from harness.listener import heard_between, transcribe
from harness.noises import breath, cough, noise_burst
from harness.voices import espeak_available, espeak_speech, piper_speech
from processors.interrupted_reply_trimmer import INTERRUPTED_NOTE
from services.ondevice_llm import normalise
from settings import Settings

RESULT = Path(__file__).parent / "results" / "interruptions.json"
QUESTION = "What's on the menu?"
BACKCHANNELS = ["Yeah.", "Okay.", "Right.", "Sure.", "Yeah, okay.", "I see.", "Got it."]
ESPEAK_BACKCHANNELS = ["Uh-huh.", "Mm-hmm.", "Yeah.", "Right, right."]
BARGE_INS = [
    "Sorry, what's on the menu again?",
    "Wait, tell me about the menu.",
    "Hold on, what is on the menu?",
    "Stop. What's on the menu?",
]
KEEP_OFFSETS = (1.0, 3.7, 6.4, 9.1)  # s into the answer: backchannel, noise, backchannel, noise
RESUME_LIMIT_SECS = 1.0  # the bound: resume within 1 s of the sound ending
PAUSE_GAP_SECS = 0.25  # no bot frame sent for this long: the bot was silent


@dataclass
class Sound:
    kind: str  # backchannel | noise | barge-in
    name: str
    pcm: bytes


@dataclass
class Event:
    sound: Sound
    onset: float
    end: float
    pause: tuple[float, float] | None = None  # (last frame before, first frame after)

    def resumed_after(self) -> float | None:
        return None if self.pause is None else self.pause[1] - self.end


@dataclass
class Round:
    answer_at: float
    events: list[Event] = field(default_factory=list)
    done_at: float = 0.0
    messages: list[dict] = field(default_factory=list)


def sounds(settings: Settings) -> tuple[list[Sound], list[Sound], list[Sound]]:
    voice = settings.piper_voice
    backchannels = [
        Sound("backchannel", f"piper {t}", piper_speech(t, voice)) for t in BACKCHANNELS
    ]
    noises = [
        Sound("noise", "breath", breath()),
        Sound("noise", "noise burst", noise_burst()),
        Sound("noise", "loud breath", breath(peak=5000, seed=3)),
        Sound("noise", "short burst", noise_burst(0.15, 20000, seed=4)),
    ]
    if espeak_available():
        backchannels += [
            Sound("backchannel", f"espeak {t}", espeak_speech(t)) for t in ESPEAK_BACKCHANNELS
        ]
        noises += [Sound("noise", f"cough {seed}", cough(seed)) for seed in (1, 2)]
    barge_ins = [Sound("barge-in", f"piper {t}", piper_speech(t, voice, 1.15)) for t in BARGE_INS]
    return backchannels, noises, barge_ins


def pause_after(call: ScriptedCall, event: Event) -> tuple[float, float] | None:
    """The first stretch without bot audio that began during or just after the sound."""
    for gap in call.transport.heard.gaps(event.onset - 0.1, PAUSE_GAP_SECS):
        if event.onset - 0.1 <= gap[0] <= event.end + 0.5:
            return gap
    return None


async def keep_round(call: ScriptedCall, question: bytes, plan: list[Sound]) -> Round:
    answer = await call.ask(question)
    if answer is None:
        raise RuntimeError("the bot did not start reading the menu")
    round_ = Round(answer)
    for offset, sound in zip(KEEP_OFFSETS, plan, strict=True):
        made = await call.interject(sound.pcm, at=answer + offset)
        round_.events.append(Event(sound, made.started.result(), made.ended.result()))
    await call.wait_for_silence(quiet=2.0, timeout=40)
    round_.done_at = time.monotonic()
    round_.messages = call.since_last_caller_turn()
    return round_


async def barge_rounds(call, question: bytes, plan: list[Sound], rng: random.Random) -> list[Round]:
    """Each barge-in asks for the menu again, so its answer is the next round's."""
    rounds = []
    answer = await call.ask(question)
    for sound in plan:
        if answer is None:
            raise RuntimeError("the bot did not start reading the menu")
        round_ = Round(answer)
        made = await call.interject(sound.pcm, at=answer + rng.uniform(1.5, 6.0))
        event = Event(sound, made.started.result(), made.ended.result())
        round_.events.append(event)
        answer = await call.bot_audible_after(event.end, timeout=20)
        round_.done_at = answer or time.monotonic()
        # By now the words that cut the answer are written after it:
        # [..., assistant (cut), developer note, user (the barge-in)].
        round_.messages = call.context.get_messages()[-3:]
        rounds.append(round_)
    await call.wait_for_silence(quiet=2.0, timeout=40)
    return rounds


def menu_heard(call: ScriptedCall, start: float, end: float, settings: Settings) -> str:
    heard = call.transport.heard
    return transcribe(
        heard_between(heard, start - 0.05, end), heard.sample_rate, settings.whisper_model
    )


def judge_keep_round(call, round_: Round, settings: Settings) -> dict:
    for event in round_.events:
        event.pause = pause_after(call, event)
    said = menu_heard(call, round_.answer_at, round_.done_at, settings)
    heard_once = jiwer.wer(normalise(MENU), normalise(said)) <= 0.15
    asked = [m for m in round_.messages if m.get("role") == "user"]
    replies = [m for m in round_.messages if m.get("role") != "user"]
    context_true = (
        len(asked) == 1 and replies == [{"role": "assistant", "content": MENU}] and heard_once
    )
    return {
        "kind": "keep",
        "heard": said,
        "heard_in_full_once": heard_once,
        "context_true": context_true,
        "events": [
            {
                "sound": e.sound.name,
                "kind": e.sound.kind,
                "paused": e.pause is not None,
                "resumed_after_s": None if e.pause is None else round(e.resumed_after(), 3),
                "kept": e.pause is None or e.resumed_after() <= RESUME_LIMIT_SECS,
            }
            for e in round_.events
        ],
        "messages": round_.messages,
    }


def judge_barge_round(call, round_: Round, settings: Settings) -> dict:
    event = round_.events[0]
    event.pause = pause_after(call, event)
    silent_after = None if event.pause is None else event.pause[0] - event.onset
    said = ""
    context_true = False
    if event.pause is not None:
        said = menu_heard(call, round_.answer_at, event.pause[0] + 0.05, settings)
        roles = [m.get("role") for m in round_.messages]
        if roles == ["assistant", "developer", "user"]:
            cut, note, asked = (m["content"] for m in round_.messages)
            context_true = (
                MENU.startswith(cut)
                and len(cut) < len(MENU)
                and abs(len(cut.split()) - len(said.split())) <= 2
                and note == INTERRUPTED_NOTE
                and "menu" in normalise(asked)
            )
    return {
        "kind": "barge-in",
        "sound": event.sound.name,
        "offset_s": round(event.onset - round_.answer_at, 3),
        "time_to_silence_s": None if silent_after is None else round(silent_after, 3),
        "heard": said,
        "context_true": context_true,
        "messages": round_.messages,
    }


def rate(values: list[bool]) -> dict:
    return {"rate": round(sum(values) / len(values), 3) if values else None, "n": len(values)}


def percentiles(values: list[float]) -> dict:
    if len(values) < 2:
        return {"p50": None, "p95": None, "n": len(values)}
    cuts = quantiles(values, n=20, method="inclusive")
    return {"p50": round(cuts[9], 1), "p95": round(cuts[18], 1), "n": len(values)}


async def measure(trials: int, seed: int) -> dict:
    settings = Settings()
    rng = random.Random(seed)
    backchannels, noises, barge_ins = sounds(settings)
    question = piper_speech(QUESTION, settings.piper_voice, 1.15)
    keep_rounds = (trials + 1) // 2  # two backchannels and two noises each
    started = time.monotonic()
    load_before = os.getloadavg()
    async with ScriptedCall(settings) as call:
        await call.greet()
        keeps = []
        for i in range(keep_rounds):
            plan = [
                backchannels[(2 * i) % len(backchannels)],
                noises[(2 * i) % len(noises)],
                backchannels[(2 * i + 1) % len(backchannels)],
                noises[(2 * i + 1) % len(noises)],
            ]
            keeps.append(await keep_round(call, question, plan))
        barge_plan = [barge_ins[i % len(barge_ins)] for i in range(trials)]
        barges = await barge_rounds(call, question, barge_plan, rng)
    load_after = os.getloadavg()

    kept = [judge_keep_round(call, r, settings) for r in keeps]
    cut = [judge_barge_round(call, r, settings) for r in barges]
    events = [e for r in kept for e in r["events"]]
    paused = [(e, r) for r in kept for e in r["events"] if e["paused"]]
    silences = [r["time_to_silence_s"] * 1000 for r in cut if r["time_to_silence_s"] is not None]
    resumes = [e["resumed_after_s"] * 1000 for e, _ in paused]
    return {
        "what": "interruption handling on the offline stack: real audio, real pipeline",
        "stack": {"stt": settings.stt, "llm": settings.llm, "tts": settings.tts},
        "time_to_silence_ms": percentiles(silences),
        "backchannels_kept": rate([e["kept"] for e in events if e["kind"] == "backchannel"]),
        "noise_kept": rate([e["kept"] for e in events if e["kind"] == "noise"]),
        "resumed_completed": rate(
            [r["heard_in_full_once"] and r["context_true"] for _, r in paused]
        ),
        "context_true": rate([r["context_true"] for r in kept + cut]),
        "barge_ins_silenced": rate([r["time_to_silence_s"] is not None for r in cut]),
        "paused_for": {
            "backchannel": rate([e["paused"] for e in events if e["kind"] == "backchannel"]),
            "noise": rate([e["paused"] for e in events if e["kind"] == "noise"]),
        },
        "resume_after_sound_end_ms": percentiles(resumes),
        "settings": {
            "vad_start_secs": settings.vad_start_secs,
            "vad_min_volume": settings.vad_min_volume,
            "vad_stop_secs": settings.vad_stop_secs,
            "vad_stop_secs_over_bot": settings.vad_stop_secs_over_bot,
            "interruption_min_words": settings.interruption_min_words,
            "interruption_resume_secs": settings.interruption_resume_secs,
        },
        "rounds": {"keep": kept, "barge_in": cut},
        "conversation": call.context.get_messages(),
        "run_secs": round(time.monotonic() - started, 1),
        "load_average": {"before": load_before, "after": load_after},
        "machine": describe_machine(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--trials", type=int, default=20, help="barge-ins; and backchannels, noises"
    )
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    result = asyncio.run(measure(args.trials, args.seed))
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    summary = ("time_to_silence_ms", "backchannels_kept", "noise_kept", "resumed_completed")
    print(json.dumps({key: result[key] for key in (*summary, "context_true")}))


if __name__ == "__main__":
    main()
