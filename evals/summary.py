"""summary.json: what a suite run did, scenario by scenario and turn by turn.

Everything is read from what Pipecat's harness returns for each run: the
turns' results and failures, the events it saw, and its trace (one clock for
the caller's sends and the bot's events; each "event:" line of the trace is
the matching entry of `events_seen`, so the two are read side by side).

Two measures per spoken turn (audio modality):

- latency: end of the caller's speech to the bot's first audio. The end of
  speech is the bot VAD's stop report minus its `VAD_STOP_SECS` (the silence
  the VAD waits for), the first audio is the bot's `bot_started_speaking`. A
  turn sent over the bot (`send_after`) is reported but left out of the
  percentiles: its clock starts while the bot is still talking.
- WER: what the bot's speech recognition heard (`user_transcription`, or a
  `user_backchannel` that came alone) against the script's line, after normalising case,
  punctuation and spoken numbers (jiwer).
"""

import re
from dataclasses import dataclass
from typing import Any

import jiwer
import numpy as np
from pipecat.evals.results import EvalScriptResult
from pipecat.evals.script import EvalScriptScenario
from pipecat.evals.suite import EvalRun

from flows.spoken_numbers import with_digits

TRACE_LINE = re.compile(r"^\s*(?P<at>\d+\.\d+)\s+\[\s*(?P<tag>[^\]]*)\]\s+(?P<message>.*)$")
TURN_LINE = re.compile(r"^--- turn (?P<index>\d+):")
SEND_LINE = re.compile(r"^send: (?:dtmf )?['\"]")  # the caller's line or keys, as sent
HEARD_EVENTS = ("user_transcription", "user_backchannel")


@dataclass(frozen=True)
class Moment:
    """One line of the trace that matters here: a turn beginning, a send, or an event."""

    at: float
    kind: str  # "turn", "send" or "event"
    turn: int | None = None
    event: dict[str, Any] | None = None


def read_trace(result: EvalScriptResult) -> list[Moment]:
    """The run's turns, sends and events in order, on the trace's clock."""
    moments: list[Moment] = []
    events = iter(result.events_seen)
    for line in result.debug_log:
        found = TRACE_LINE.match(line)
        if found is None:
            continue
        at, message = float(found["at"]), found["message"]
        if turn := TURN_LINE.match(message):
            moments.append(Moment(at, "turn", turn=int(turn["index"])))
        elif SEND_LINE.match(message):
            moments.append(Moment(at, "send"))
        elif message.startswith("event: "):
            kind = message.removeprefix("event: ").split()[0]
            event = next(events, None)
            if event is None or event.get("type") != kind:
                event = {"type": kind}  # not where the trace says: its payload is unknown
            moments.append(Moment(at, "event", event=event))
    return moments


def turn_segments(moments: list[Moment], turns: int) -> list[list[Moment]]:
    """Each turn's moments: from its send (or its start, when it sends nothing) to the next one's.

    What the bot still says while the next turn waits to be sent belongs to
    this turn, so a turn's segment ends at the next turn's send.
    """
    starts: dict[int, int] = {}
    current = None
    for i, moment in enumerate(moments):
        if moment.kind == "turn":
            current = moment.turn
            starts[current] = i
        elif moment.kind == "send" and current is not None:
            starts[current] = i
    bounds = [starts.get(t) for t in range(turns)]
    segments = []
    for t, start in enumerate(bounds):
        if start is None:
            segments.append([])
            continue
        later = [b for b in bounds[t + 1 :] if b is not None]
        segments.append(moments[start : later[0] if later else len(moments)])
    return segments


def latency_ms(segment: list[Moment], vad_stop_secs: float) -> int | None:
    """End of the caller's speech to the bot's first audio after it, or None."""
    speech_end = None
    for moment in segment:
        kind = moment.event.get("type") if moment.event else None
        if kind == "vad_user_stopped_speaking":
            speech_end = moment.at - vad_stop_secs
        elif kind == "bot_started_speaking" and speech_end is not None:
            return round((moment.at - speech_end) * 1000)
    return None


def heard(segment: list[Moment]) -> str:
    """What the bot's speech recognition made of the caller's line.

    A backchannel is reported twice, as a transcription and as a backchannel;
    the backchannel counts only when no transcription came.
    """
    said = {kind: [] for kind in HEARD_EVENTS}
    for moment in segment:
        event = moment.event or {}
        if event.get("type") in said:
            said[event["type"]].append(str(event.get("transcript") or event.get("text") or ""))
    texts = said["user_transcription"] or said["user_backchannel"]
    return " ".join(" ".join(texts).split())


def replies(segment: list[Moment], event_type: str) -> str:
    return " ".join(
        str(m.event.get("text") or "").strip()
        for m in segment
        if m.event and m.event.get("type") == event_type and m.event.get("text")
    )


def normalise(text: str) -> str:
    """Lower case, spoken numbers as digits one by one, no punctuation: what WER compares."""
    text = with_digits(text.replace("'", "").replace("\u2019", ""))
    text = re.sub(r"\b([ap])\.\s?m\b\.?", r"\1m", text)  # "8 p.m." is "8 pm"
    text = re.sub(r"(\d)", r" \1 ", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def word_error_rate(references: list[str], hypotheses: list[str]) -> float | None:
    """Corpus WER over the pairs whose reference has words; None when none has."""
    pairs = [(normalise(r), normalise(h)) for r, h in zip(references, hypotheses, strict=True)]
    pairs = [(r, h) for r, h in pairs if r]
    if not pairs:
        return None
    output = jiwer.process_words([r for r, _ in pairs], [h for _, h in pairs])
    return round(output.wer, 4)


def percentile(values: list[float], q: float) -> int | None:
    return round(float(np.percentile(values, q))) if values else None


def summarise_turns(
    run: EvalRun, scenario: EvalScriptScenario, *, audio: bool, vad_stop_secs: float
) -> list[dict[str, Any]]:
    """Per turn: what was said, heard and answered, the outcome, latency and WER."""
    result = run.result if isinstance(run.result, EvalScriptResult) else None
    if result is None:
        return []
    segments = turn_segments(read_trace(result), len(scenario.turns))
    turns = []
    for index, turn in enumerate(scenario.turns):
        segment = segments[index] if index < len(segments) else []
        record = next((t for t in result.turns if t.turn_index == index), None)
        failure = record.failures[0] if record and record.failures else None
        status = record.status if record else "not_run"
        spoken = audio and turn.user is not None and status != "not_run"
        said_to = heard(segment) if spoken else None
        turns.append(
            {
                "index": index,
                "user": turn.user,
                "talks_over_bot": turn.send_after is not None,
                "status": status,
                "failed_expectation": _failure(failure),
                "latency_ms": latency_ms(segment, vad_stop_secs) if spoken else None,
                "heard": said_to,
                "wer": word_error_rate([turn.user], [said_to]) if spoken else None,
                "reply": replies(segment, "llm_response"),
                "reply_heard": replies(segment, "response") if audio else None,
                "calls": [
                    m.event.get("name")
                    for m in segment
                    if m.event and m.event.get("type") == "function_call"
                ],
                "duration_ms": record.duration_ms if record else 0,
            }
        )
    return turns


def _failure(failure) -> dict[str, Any] | None:
    if failure is None:
        return None
    return {
        "expectation": failure.expectation_index,
        "event": failure.event_name,
        "kind": failure.kind,
        "reason": failure.reason,
    }


def summarise_run(
    run: EvalRun, scenario: EvalScriptScenario | None, *, audio: bool, vad_stop_secs: float
) -> dict[str, Any]:
    result = run.result if isinstance(run.result, EvalScriptResult) else None
    failures = result.failures if result else []
    error = run.error or (result.skipped if result else None)
    return {
        "attempt": run.attempt,
        "passed": bool(result and result.passed and not result.skipped and not run.error),
        "error": error,
        "duration_ms": run.duration_ms,
        "failures": [_failure(f) | {"turn": f.turn_index} for f in failures],
        "turns": summarise_turns(run, scenario, audio=audio, vad_stop_secs=vad_stop_secs)
        if scenario
        else [],
    }


def summarise(
    runs: list[EvalRun],
    scenarios: dict[str, EvalScriptScenario],
    *,
    audio: bool,
    vad_stop_secs: float,
    skipped: dict[str, str],
    header: dict[str, Any],
) -> dict[str, Any]:
    """The whole run: headline numbers first, then each scenario with its attempts and turns."""
    by_scenario: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for run in runs:
        summary = summarise_run(
            run, scenarios.get(run.scenario), audio=audio, vad_stop_secs=vad_stop_secs
        )
        by_scenario.setdefault((run.label, run.scenario), []).append(summary)

    results = []
    for (bot, name), attempts in by_scenario.items():
        passed = sum(a["passed"] for a in attempts)
        results.append(
            {
                "scenario": name,
                "bot": bot,
                "passed": passed == len(attempts),
                "pass_rate": round(passed / len(attempts), 3),
                "attempts": attempts,
            }
        )
    for name, why in skipped.items():
        results.append({"scenario": name, "skipped": why})

    turns = [t for r in results for a in r.get("attempts", []) for t in a["turns"]]
    latencies = [
        t["latency_ms"] for t in turns if t["latency_ms"] is not None and not t["talks_over_bot"]
    ]
    spoken = [t for t in turns if t["heard"] is not None]
    ran = [r for r in results if "attempts" in r]
    all_attempts = [a for r in ran for a in r["attempts"]]
    return {
        "scenarios": {
            "total": len(ran),
            "passed": sum(r["passed"] for r in ran),
            "skipped": len(skipped),
        },
        "latency_ms": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "turns": len(latencies),
        },
        "wer": word_error_rate([t["user"] for t in spoken], [t["heard"] for t in spoken]),
        "runs": {"total": len(all_attempts), "passed": sum(a["passed"] for a in all_attempts)},
        "flaky": [r["scenario"] for r in ran if 0 < r["pass_rate"] < 1],
        **header,
        "results": results,
    }
