"""End of caller speech -> first bot audio, ours beside Pipecat's default pipeline.

Streams synthesised caller lines in real time (harness/call.py's `ScriptedCall`, its
transport and clock) through the pipeline bot.py builds (Whisper -> on-device brain ->
Piper) and, in the same run on the same audio, through Pipecat's default pipeline around
the same services (bench/baseline_pipeline.py). Per turn it records when the VAD stopped,
the turn ended, the transcript, the first reply text and the first audible bot audio
arrived, relative to the end of the caller's speech.

- `turns`: 30 lines in three voices (Piper, espeak-ng en-us and en-gb): in each voice a
  call of six lines (mid-conversation), and twelve lines alone, each the only words of a
  call of its own (every line of `LINES` at least once, the voices in turn).
- `false_turn_ends`: bench/comma_sentences.yaml, each a sentence with a pause inside; the
  bot answering before the sentence ends is a false turn end.
- `cloud_emulated`: our pipeline on the provider fakes at published timings (another
  process, bench/load_fakes.py); the overhead is first audio less the VAD stop and the
  three services' configured times.

Calls alternate between the two pipelines, block by block, so a change of load on a
shared machine falls on both. Writes bench/results/latency.json (`--quick`: a few turns,
printed only).
"""

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import yaml
from loguru import logger
from pipecat.frames.frames import UserStoppedSpeakingFrame
from pipecat.pipeline.pipeline import Pipeline

from bench.baseline_pipeline import build_baseline_worker
from bench.latency_figures import (
    CLOUD_TIMINGS_S,
    Answer,
    answered_early,
    cloud_overhead_ms,
    false_turn_end,
    p95,
    ratio_to_baseline,
)
from bench.machine import describe_machine
from harness.call import Builder, ScriptedCall, Turn, median_breakdown
from harness.voices import espeak_available, espeak_speech, piper_speech, silence
from processors.speculative_reply_hold import SpeculativeReplyHold
from settings import Settings

LINES = [
    "What time do you open on Sunday?",
    "Where are you located?",
    "Could you repeat that?",
    "How late are you open on Friday?",
    "How do I get there from the station?",
    "What is your address?",
    "Are you open on Monday evenings?",
    "When do you close tonight?",
]
CONVERSATION_LINES = 6
"""Lines per voice's conversation (each voice starts two lines further into `LINES`)."""
ALONE_LINES = 12
"""Lines said alone, `LINES` in turn, each in the next voice."""
CLOUD_LINES = [
    "I'd like to book a table for four tomorrow evening.",
    "Can I bring my dog with me?",
]
"""Lines the fast path leaves to Claude, so each turn meets all three services."""
CLOUD_TURNS = 10
COMMA_SENTENCES = Path(__file__).parent / "comma_sentences.yaml"
RESULT = Path(__file__).parent / "results" / "latency.json"
PIPELINES = ("ours", "baseline")


def voices(settings: Settings) -> dict[str, Callable[[str], bytes]]:
    """The caller's voices: Piper (slower than the bot's), and espeak-ng where installed."""
    found = {"piper": lambda text: piper_speech(text, settings.piper_voice, length_scale=1.15)}
    if espeak_available():
        found["espeak-en-us"] = lambda text: espeak_speech(text, "en-us")
        found["espeak-en-gb"] = lambda text: espeak_speech(text, "en-gb")
    return found


@dataclass
class Said:
    """One caller utterance of a block, and how it is labelled in the results."""

    text: str
    voice: str
    pcm: bytes
    kind: str
    """`alone`, `conversation` or `comma`."""


@dataclass
class Block:
    """One call's worth of caller utterances, said to each pipeline in turn."""

    said: list[Said]
    alone: bool = False
    """A line alone: the call's first words (no greeting), and the call ends once the
    answer is heard."""


def plan(settings: Settings, quick: bool) -> tuple[list[Block], list[Block]]:
    """The latency blocks (conversations, then lines alone) and the comma-sentence blocks."""
    speak = voices(settings)
    names = list(speak)
    per_call, alone_lines = (3, 2) if quick else (CONVERSATION_LINES, ALONE_LINES)
    conversations = []
    for v, voice in enumerate(names[:1] if quick else names):
        lines = [LINES[(2 * v + k) % len(LINES)] for k in range(per_call)]
        conversations.append(
            Block([Said(line, voice, speak[voice](line), "conversation") for line in lines])
        )
    alone = []
    for i in range(alone_lines):
        line, voice = LINES[i % len(LINES)], names[i % len(names)]
        alone.append(Block([Said(line, voice, speak[voice](line), "alone")], alone=True))
    sentences = yaml.safe_load(COMMA_SENTENCES.read_text())[: 3 if quick else None]
    commas = []
    for i, sentence in enumerate(sentences):
        voice = names[i % len(names)]
        pcm = (
            speak[voice](sentence["first"])
            + silence(sentence["pause_secs"])
            + speak[voice](sentence["rest"])
        )
        text = f"{sentence['first']} [{sentence['pause_secs']} s] {sentence['rest']}"
        commas.append(Said(text, voice, pcm, "comma"))
    return conversations + alone, [Block(commas)]


def load_now() -> float:
    return round(os.getloadavg()[0], 2)


async def run_block(
    settings: Settings, build: Builder, block: Block, speculation: Counter
) -> list[dict]:
    """One call: the greeting, then each utterance once the bot has answered the last.
    Adds the call's speculative replies, used and discarded, to `speculation`."""
    async with ScriptedCall(settings, build=build) as call:
        if not block.alone:
            await call.greet()
        turns = []
        for said in block.said:
            turn = await call.say(said.pcm, whole_reply=not block.alone)
            turns.append(record(call, said, turn))
            if not block.alone:
                await call.wait_for_silence(quiet=0.5, timeout=10)
        for hold in processors_of_type(call.worker.pipeline, SpeculativeReplyHold):
            speculation.update(used=hold.used, discarded=hold.discarded)
    return turns


def processors_of_type(pipeline: Pipeline, kind: type) -> list:
    found = []
    for processor in pipeline.processors:
        if isinstance(processor, Pipeline):
            found += processors_of_type(processor, kind)
        elif isinstance(processor, kind):
            found.append(processor)
    return found


def record(call: ScriptedCall, said: Said, turn: Turn) -> dict:
    start, _ = turn.spoken
    # A turn end or audible audio: reply text made speculatively (held until the turn
    # end, dropped if the caller goes on) is neither.
    events = [at for at, _ in call.timeline.after(start, UserStoppedSpeakingFrame)]
    heard = call.transport.heard.first_voiced_after(start)
    if heard is not None:
        events.append(heard)
    early = answered_early(turn.spoken, events)
    return {
        "said": said.text,
        "voice": said.voice,
        "kind": said.kind,
        "heard": turn.transcript,
        **turn.breakdown(),
        "turn_ends": turn.user_turns,
        "answered_early": early,
        "false_turn_end": false_turn_end(turn.spoken, events, turn.user_turns),
    }


async def side_by_side(
    settings: Settings, blocks: list[Block], speculation: Counter
) -> dict[str, list[dict]]:
    """Every block through both pipelines, the first one alternating from block to block."""
    builders = {"ours": None, "baseline": build_baseline_worker}
    results: dict[str, list[dict]] = {name: [] for name in PIPELINES}
    for index, block in enumerate(blocks):
        order = PIPELINES if index % 2 == 0 else PIPELINES[::-1]
        for name in order:
            before, wall = load_now(), time.monotonic()
            turns = await run_block(settings, builders[name], block, speculation)
            for turn in turns:
                turn["load_1min"] = [before, load_now()]
            results[name] += turns
            print(
                f"{name}: block {index} ({time.monotonic() - wall:.0f} s, load {before}): "
                f"{[t['first_audio_s'] for t in turns]}",
                file=sys.stderr,
            )
    return results


def answers(turns: list[dict]) -> list[Answer]:
    return [Answer(t["first_audio_s"], not t["false_turn_end"]) for t in turns]


def first_audio(turns: list[dict]) -> list[float]:
    return [t["first_audio_s"] for t in turns if t["first_audio_s"] is not None]


def stage_medians(turns: list[dict]) -> dict:
    keys = ("vad_stop_s", "turn_end_s", "transcript_s", "first_text_s", "first_audio_s")
    result = {}
    for key in keys:
        values = [t[key] for t in turns if t[key] is not None]
        result[key] = round(median(values), 3) if values else None
    return result


def false_ends(turns: list[dict]) -> dict:
    """How many sentences a pipeline cut short; of those, how many it answered before they
    ended and how many it took as two turns or more."""
    return {
        "count": sum(t["false_turn_end"] for t in turns),
        "n": len(turns),
        "answered_early": sum(t["answered_early"] for t in turns),
        "split": sum(t["turn_ends"] > 1 for t in turns),
    }


async def cloud(data: str, turns: int) -> dict:
    """Our pipeline against the provider fakes: first audio less the configured times."""
    from bench.load import bench_settings, provider_fakes

    async with provider_fakes(CLOUD_LINES) as urls:
        settings = bench_settings(data, urls)
        speech = [
            piper_speech(line, settings.piper_voice, length_scale=1.15) for line in CLOUD_LINES
        ]
        load = [load_now()]
        async with ScriptedCall(settings) as call:
            await call.greet()
            measured = [await call.say(speech[i % len(speech)]) for i in range(turns)]
        load.append(load_now())
    overheads = [
        cloud_overhead_ms(t.first_audio, t.vad_stop, CLOUD_TIMINGS_S.values())
        for t in measured
        if t.first_audio is not None and t.vad_stop is not None
    ]
    return {
        "what": "our pipeline on Deepgram, Claude and Cartesia fakes at published timings: "
        "first audio - (VAD stop + the three services' configured times), ms",
        "timings_s": CLOUD_TIMINGS_S,
        "overhead_ms_p50": round(median(overheads), 1) if overheads else None,
        "overhead_ms_p95": round(p95(overheads), 1) if overheads else None,
        "overhead_ms": overheads,
        "n": len(overheads),
        "turns": len(measured),
        "median": median_breakdown(measured),
        "load_1min": load,
    }


async def measure(quick: bool) -> dict:
    from bench.load import bench_settings

    started, load = time.monotonic(), [load_now()]
    with tempfile.TemporaryDirectory() as data:
        settings = bench_settings(data)
        blocks, comma_blocks = plan(settings, quick)
        speculation = Counter(used=0, discarded=0)
        lines = await side_by_side(settings, blocks, speculation)
        load.append(load_now())
        commas = await side_by_side(settings, comma_blocks, speculation)
        load.append(load_now())
        cloud_result = await cloud(data, 2 if quick else CLOUD_TURNS)
        load.append(load_now())
    ours, base = lines["ours"], lines["baseline"]
    audio, base_audio = first_audio(ours), first_audio(base)
    both = [*ours, *base]
    return {
        "what": "end of caller speech -> first audible bot audio, offline stack (s)",
        "stack": {"stt": settings.stt, "llm": settings.llm, "tts": settings.tts},
        "turns": len(ours),
        "answered": len(audio),
        "voices": sorted({t["voice"] for t in ours}),
        "median": stage_medians(ours),
        "p95_first_audio_s": round(p95(audio), 3) if audio else None,
        "baseline": {
            "what": "Pipecat's default pipeline (default VAD and turn strategies, none of our "
            "processors) around the same services, same run, same audio",
            "median_first_audio_s": round(median(base_audio), 3) if base_audio else None,
            "p95_first_audio_s": round(p95(base_audio), 3) if base_audio else None,
            "answered": len(base_audio),
            "median": stage_medians(base),
            "false_turn_ends": false_ends(commas["baseline"]),
            "split_turns": sum(t["turn_ends"] > 1 for t in base),
        },
        "ratio_to_baseline": ratio_to_baseline(answers(ours), answers(base))["ratio"],
        "ratio_detail": ratio_to_baseline(answers(ours), answers(base)),
        "false_turn_ends": false_ends(commas["ours"]),
        "split_turns": sum(t["turn_ends"] > 1 for t in ours),
        "speculation": {
            **speculation,
            "what": "replies made before our turn end was confirmed: used once it was, "
            "discarded when the caller went on (wasted work); all turns, comma sentences too",
            "speculative_reply": settings.speculative_reply,
        },
        "cloud_emulated": cloud_result,
        "load_1min": {
            "samples": load,
            "median_over_turns": median(t["load_1min"][0] for t in both),
            "max": max(load + [t["load_1min"][1] for t in both]),
        },
        "wall_secs": round(time.monotonic() - started),
        "per_turn": ours,
        "baseline_per_turn": base,
        "comma_sentences": commas,
        "machine": describe_machine(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few turns, to iterate")
    parser.add_argument(
        "--out", type=Path, help=f"where to write (default {RESULT}; --quick: none)"
    )
    args = parser.parse_args()
    logger.remove()
    logger.add(sys.stderr, level="ERROR")
    result = asyncio.run(measure(args.quick))
    out = args.out or (None if args.quick else RESULT)
    if out is not None:
        out.write_text(json.dumps(result, indent=2) + "\n")
    keys = (
        "turns",
        "median",
        "p95_first_audio_s",
        "baseline",
        "ratio_to_baseline",
        "ratio_detail",
        "false_turn_ends",
        "split_turns",
        "speculation",
        "load_1min",
        "wall_secs",
    )
    summary = {k: result[k] for k in keys}
    summary["cloud_emulated"] = {
        k: v for k, v in result["cloud_emulated"].items() if k != "overhead_ms"
    }
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
