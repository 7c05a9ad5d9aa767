"""How well and how fast the fast path routes: `python -m bench.routing`.

1. Routing: every labelled utterance of bench/routing_sets/ (tuning.tsv, which the router
   was tuned on, and held_out.tsv, written before the router and never tuned on) goes
   through the restaurant's router (flows/fast_path.py). A fast answer is right when its
   intent is the label; precision is right fast answers over all fast answers, recall right
   fast answers over the utterances labelled with a fast intent.
2. Latency: a text call through the product's processors (real context aggregators, the
   state extractor, the context compiler, the fast path, Claude's service against the
   Claude fake at its published timing, first token 640 ms). Each caller line is one
   confirmed turn; the time runs from the user aggregator pushing the turn's context to the
   first bot text (`LLMTextFrame`) on its way to the TTS, both by the pipeline's clock.
   Fast-path turns are every fast-labelled utterance the router answers, but goodbyes
   (which end the call); LLM turns are the near misses, in the same run.

Writes bench/results/routing.json with the machine.
"""

import argparse
import asyncio
import hashlib
import json
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from statistics import median, quantiles

from loguru import logger
from pipecat.frames.frames import (
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMMessagesAppendFrame,
    LLMTextFrame,
)
from pipecat.observers.base_observer import BaseObserver, FramePushed
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import (
    LLMContextAggregatorPair,
    LLMUserAggregator,
)
from pipecat.processors.frame_processor import FrameDirection
from pipecat.workers.runner import WorkerRunner

from bench.machine import describe_machine
from conversation.call import Call
from conversation.extraction import ParserExtraction
from conversation.redaction import Redactor
from flows.booking_rules import BookingRules
from flows.fast_path import RestaurantFastPath
from flows.restaurant import Restaurant, system_prompt
from flows.restaurant_slot_reader import RestaurantSlotReader
from processors.context_compiler import ContextCompiler
from processors.fast_path import FastPathRouter
from processors.state_extractor import StateExtractor
from provider_fakes import anthropic_server
from provider_fakes.anthropic_server import FakeAnthropic, Text
from provider_fakes.faults import HEALTHY
from services.llm import anthropic_llm
from settings import Settings

SETS = Path(__file__).parent / "routing_sets"
RESULT = Path(__file__).parent / "results" / "routing.json"
HELD_OUT_WRITTEN_IN = "3d0a488"
"""The commit that added held_out.tsv, before the router's first line was written."""
TO_THE_LLM = "llm"
TURN_SECS = 10.0


@dataclass(frozen=True)
class Labelled:
    label: str
    kind: str
    text: str


def load(part: str) -> list[Labelled]:
    lines = (SETS / f"{part}.tsv").read_text().splitlines()
    return [Labelled(*line.split("\t")) for line in lines if line.strip() and line[0] != "#"]


def score(router: RestaurantFastPath, items: list[Labelled]) -> dict:
    """Precision and recall of the fast answers, and every utterance routed wrong."""
    right = wrong = 0
    right_by_intent: Counter[str] = Counter()
    wrong_answers, missed = [], []
    for item in items:
        reply = router(item.text, None)
        got = reply.intent if reply else TO_THE_LLM
        if got != TO_THE_LLM:
            if got == item.label:
                right += 1
                right_by_intent[got] += 1
            else:
                wrong += 1
                wrong_answers.append({"text": item.text, "label": item.label, "answered": got})
        elif item.label != TO_THE_LLM:
            missed.append({"text": item.text, "label": item.label, "kind": item.kind})
    fast = sum(1 for item in items if item.label != TO_THE_LLM)
    by_intent = Counter(item.label for item in items if item.label != TO_THE_LLM)
    return {
        "utterances": len(items),
        "fast_labelled": fast,
        "llm_labelled": len(items) - fast,
        "kinds": dict(Counter(item.kind for item in items)),
        "precision": round(right / (right + wrong), 4) if right + wrong else None,
        "recall": round(right / fast, 4) if fast else None,
        "answered_fast_by_intent": {
            intent: f"{right_by_intent[intent]}/{count}"
            for intent, count in sorted(by_intent.items())
        },
        "wrong_fast_answers": wrong_answers,
        "passed_to_the_llm": missed,
    }


def spread(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p95": None, "n": 0}
    p95 = quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]
    return {"p50": round(median(values), 2), "p95": round(p95, 2), "n": len(values)}


class FirstText(BaseObserver):
    """Per turn: from the user aggregator's context push to the first LLMTextFrame (ns)."""

    def __init__(self):
        super().__init__()
        self.turn_at: int | None = None
        self.first_text_ms: list[float] = []
        self.replies = 0

    async def on_push_frame(self, data: FramePushed):
        if data.direction != FrameDirection.DOWNSTREAM:
            return
        frame = data.frame
        if isinstance(frame, LLMContextFrame) and isinstance(data.source, LLMUserAggregator):
            self.turn_at = data.timestamp
        elif isinstance(frame, LLMTextFrame) and self.turn_at is not None:
            self.first_text_ms.append((data.timestamp - self.turn_at) / 1e6)
            self.turn_at = None
        elif isinstance(frame, LLMFullResponseEndFrame) and _from_the_answerer(data):
            self.replies += 1


def _from_the_answerer(data: FramePushed) -> bool:
    """The end of a reply, counted once: as the fast path or the LLM pushes it."""
    return isinstance(data.source, FastPathRouter) or "LLMService" in type(data.source).__name__


async def measure_latency(fast_lines: list[str], llm_lines: list[str]) -> dict[str, list[float]]:
    """Say each line as a confirmed turn; the first-text time of each, by who answered."""
    settings = Settings(_env_file=None)
    restaurant = Restaurant.from_settings(settings)
    fast_path = RestaurantFastPath(restaurant)
    # Interleaved, so the LLM's turns come at every point of the call.
    step = max(1, len(fast_lines) // max(1, len(llm_lines)))
    script: list[tuple[str, str]] = []
    for index, line in enumerate(fast_lines):
        script.append(("fast", line))
        if index % step == step - 1 and llm_lines:
            script.append(("llm", llm_lines.pop(0)))
    script += [("llm", line) for line in llm_lines]

    async with FakeAnthropic(
        lambda body: Text(["Certainly. ", "Is there anything else?"]), timing=HEALTHY
    ) as claude:
        llm = anthropic_llm(
            api_key=anthropic_server.API_KEY,
            model=settings.anthropic_model,
            base_url=claude.base_url,
            system_instruction=system_prompt(restaurant),
        )
        call = Call(redactor=Redactor(settings.restaurant_phone_region))
        reader = RestaurantSlotReader(restaurant, BookingRules.from_settings(settings))
        context = LLMContext()
        user, assistant = LLMContextAggregatorPair(context)
        router = FastPathRouter(fast_path)
        pipeline = Pipeline(
            [
                user,
                StateExtractor(call, ParserExtraction(reader)),
                ContextCompiler(call, recent_turns=settings.context_recent_turns),
                router,
                llm,
                assistant,
            ]
        )
        probe = FirstText()
        worker = PipelineWorker(
            pipeline, observers=[probe], enable_rtvi=False, cancel_on_idle_timeout=False
        )
        runner = WorkerRunner(handle_sigint=False)
        await runner.add_workers(worker)
        running = asyncio.create_task(runner.run())
        times: dict[str, list[float]] = {"fast": [], "llm": [], "misrouted": []}
        try:
            for who, line in script:
                before, said = probe.replies, len(probe.first_text_ms)
                append = LLMMessagesAppendFrame([{"role": "user", "content": line}], run_llm=True)
                await worker.queue_frames([append])
                async with asyncio.timeout(TURN_SECS):
                    while probe.replies <= before or len(probe.first_text_ms) <= said:
                        await asyncio.sleep(0.005)
                answered_fast = fast_path(line, None) is not None
                kind = who if answered_fast == (who == "fast") else "misrouted"
                times[kind].append(probe.first_text_ms[-1])
        finally:
            await worker.cancel()
            await asyncio.wait_for(running, TURN_SECS)
    return times


def route_ms(router: RestaurantFastPath, items: list[Labelled]) -> list[float]:
    """The router's own time per utterance (no pipeline), in ms."""
    spent = []
    for item in items:
        started = time.perf_counter()
        router(item.text, None)
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--llm-turns", type=int, default=20, help="LLM turns in the latency run")
    args = parser.parse_args()
    logger.remove()
    logger.add(lambda message: print(message, end=""), level="WARNING")

    load_before = os.getloadavg()[0]
    router = RestaurantFastPath(Restaurant.from_settings(Settings(_env_file=None)))
    tuning, held_out = load("tuning"), load("held_out")
    parts = {"tuning": score(router, tuning), "held_out": score(router, held_out)}
    everything = tuning + held_out
    fast_lines = [
        item.text
        for item in everything
        if item.label not in (TO_THE_LLM, "goodbye") and router(item.text, None) is not None
    ]
    llm_lines = [item.text for item in everything if item.label == TO_THE_LLM]
    times = asyncio.run(measure_latency(fast_lines, llm_lines[: args.llm_turns]))
    fast, slow = spread(times["fast"]), spread(times["llm"])
    result = {
        "command": "python -m bench.routing",
        "labelled": len(everything),
        "fast_path_precision": {part: parts[part]["precision"] for part in parts},
        "fast_path_recall": {part: parts[part]["recall"] for part in parts},
        "fast_path_first_text_ms": fast,
        "llm_first_text_ms": {**slow, "first_token_secs": HEALTHY.first_token_secs},
        "saved_ms_p50": round(slow["p50"] - fast["p50"]) if slow["n"] and fast["n"] else None,
        "misrouted_turns_in_latency_run": len(times["misrouted"]),
        "route_ms": spread(route_ms(router, everything)),
        "parts": parts,
        "held_out_sha256": hashlib.sha256((SETS / "held_out.tsv").read_bytes()).hexdigest(),
        "held_out_written_in": HELD_OUT_WRITTEN_IN,
        "machine": {
            **describe_machine(),
            "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        },
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    summary = {k: result[k] for k in list(result)[:8]}
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
