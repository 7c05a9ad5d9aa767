"""The scenario files as one run plays them, written next to its report.

The committed files say what QA checks, in audio, with a judge for the
`eval:` criteria. A run may differ in three ways, and each is applied to a
copy so the report shows exactly what ran:

- text modality (fast iteration): the caller's turns go as text and the bot
  skips TTS, so expectations on speech events (`response`, the transcript of
  the bot's speech, among them) are dropped, absences are watched for 3 s
  rather than a spoken reply's length, and a scenario that talks over the
  bot (`send_after`) is skipped: there is no speech to talk over;
- no judge configured: `eval:` criteria are removed (the rest of each
  expectation stays) and the report says how many were skipped;
- audio: the first spoken turn of each scenario also waits for the bot's raw
  VAD report (`vad_user_stopped_speaking`), which makes the harness ask the
  bot for those reports; the latency is measured from them (evals/summary.py).
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pipecat.evals.suite import EvalManifest
from pipecat.utils.yaml import include_loader

# Events only speech produces. `response` is the transcription of the bot's speech; in
# text modality Pipecat reads it as the LLM text, which `llm_response` checks already.
SPEECH_EVENTS = frozenset(
    {
        "response",
        "user_started_speaking",
        "user_stopped_speaking",
        "vad_user_started_speaking",
        "vad_user_stopped_speaking",
        "user_transcription",
        "user_backchannel",
        "bot_started_speaking",
        "bot_stopped_speaking",
        "bot_backchannel",
        "bot_interrupted",
        "tts_response",
    }
)
VAD_PROBE = {"event": "vad_user_stopped_speaking", "check_from": "turn_start", "within_ms": 30000}
# A text reply comes within milliseconds: a quiet window this long after the send
# proves an absence as well as the longer one a spoken reply needs.
TEXT_QUIET_MS = 3000
TALKS_OVER_THE_BOT = "talks over the bot (send_after): audio only"


@dataclass
class PreparedSuite:
    """Where the run's scenario files are, and what was left out of them."""

    scenarios_dir: Path
    skipped: dict[str, str] = field(default_factory=dict)
    """Scenario name (`file/scenario`) -> why it does not run in this modality."""
    criteria_skipped: dict[str, int] = field(default_factory=dict)
    """Scenario name -> its `eval:` criteria removed because no judge is configured."""


def prepare_suite(manifest: Path, out_dir: Path, *, modality: str, judged: bool) -> PreparedSuite:
    """Write every scenario file the manifest names, as this run plays it, under `out_dir`."""
    original = EvalManifest.load(manifest)
    scenarios_dir = _scenarios_dir(manifest)
    prepared = PreparedSuite(scenarios_dir=out_dir)
    for path in sorted({run.scenario_path for run in original.runs}):
        if not path.exists():
            continue  # the suite reports the missing file as that run's error
        data = _load(path)
        for name, mapping in _mappings(data):
            if removed := _apply(mapping, modality=modality, judged=judged):
                prepared.criteria_skipped[name] = removed
        if modality == "text":
            for name in _talking_over_the_bot(data):
                prepared.skipped[name] = TALKS_OVER_THE_BOT
        if modality == "text":
            _text_blocks(data)
        try:
            relative = path.relative_to(scenarios_dir)
        except ValueError:
            relative = Path(path.name)
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return prepared


def _scenarios_dir(manifest: Path) -> Path:
    data = yaml.safe_load(manifest.read_text()) or {}
    return (manifest.resolve().parent / str(data.get("scenarios_dir", "scenarios"))).resolve()


def _load(path: Path) -> dict[str, Any]:
    with path.open() as f:
        data = yaml.load(f, include_loader(path.parent))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: top level must be a mapping")
    return data


def _entries(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in data.get("scenarios") or [] if isinstance(e, dict)]


def _mappings(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The mappings that may hold turns, by name: the file's defaults and each scenario."""
    return [(data["name"], data)] + [(f"{data['name']}/{e.get('name')}", e) for e in _entries(data)]


def _apply(scenario: dict[str, Any], *, modality: str, judged: bool) -> int:
    """Adapt one mapping's turns in place; returns how many `eval:` criteria were removed."""
    removed = 0
    turns = scenario.get("turns")
    if not isinstance(turns, list):
        return 0
    probed = False
    for turn in turns:
        if not isinstance(turn, dict):
            continue
        expect = [e for e in turn.get("expect") or [] if isinstance(e, dict)]
        if not judged:
            for expectation in expect:
                if expectation.pop("eval", None) is not None:
                    removed += 1
        if modality == "text":
            expect = [e for e in expect if e.get("event") not in SPEECH_EVENTS]
            for expectation in expect:
                if expectation.get("absent"):
                    expectation["within_ms"] = min(
                        expectation.get("within_ms", TEXT_QUIET_MS), TEXT_QUIET_MS
                    )
            if isinstance(turn.get("user"), list):  # pauses are speech
                turn["user"] = " ".join(p for p in turn["user"] if isinstance(p, str))
            turn.pop("audio", None)
        elif not probed and turn.get("user") is not None and "send_after" not in turn:
            expect.append(dict(VAD_PROBE))
            probed = True
        if "expect" in turn or expect:
            turn["expect"] = expect
    return removed


def _talking_over_the_bot(data: dict[str, Any]) -> list[str]:
    """The names of the file's scenarios with a turn sent over the bot (`send_after`)."""
    names = []
    for entry in _entries(data) or [data]:
        turns = entry.get("turns", data.get("turns")) or []
        if any(isinstance(t, dict) and "send_after" in t for t in turns):
            name = data["name"] if entry is data else f"{data['name']}/{entry.get('name')}"
            names.append(name)
    return names


def _text_blocks(data: dict[str, Any]) -> None:
    """Text for the caller and the bot, keeping each scenario's judge LLM."""
    data["user"] = {"modality": "text"}
    data["judge"] = _text_judge(data.get("judge"))
    for entry in data.get("scenarios") or []:
        if isinstance(entry, dict):
            entry.pop("user", None)
            if "judge" in entry:
                entry["judge"] = _text_judge(entry["judge"])


def _text_judge(judge: Any) -> dict[str, Any]:
    text: dict[str, Any] = {"modality": "text"}
    if isinstance(judge, dict) and judge.get("eval"):
        text["eval"] = judge["eval"]
    return text
