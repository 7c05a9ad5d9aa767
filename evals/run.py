"""Run the eval suite and write its report: `make evals` (python -m evals.run).

It runs evals/manifest.yaml with Pipecat's suite runner, which spawns a bot
for every scenario (evals/eval_bot.py: bot.py on an empty database) and
drives it with the harness, then writes under evals/reports/<timestamp>/:

- summary.json (evals/summary.py) and report.html (evals/report.py);
- scenarios/: the scenario files exactly as this run played them
  (evals/prepare.py); logs/: each bot's log and each harness trace;
  results.jsonl: Pipecat's own record of every run.

evals/reports/latest points at the newest. The exit status is 0 only when
every run passed, so CI can gate on it.
"""

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from pipecat.evals.scenario import EvalScenarioFile
from pipecat.evals.script import EvalScriptScenario
from pipecat.evals.session import EvalSessionParams
from pipecat.evals.suite import EvalManifest, EvalRun, EvalSuite

from evals.judge import load_judge_settings
from evals.prepare import PreparedSuite, prepare_suite
from evals.report import render
from evals.summary import summarise
from settings import load_settings_or_exit

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "evals" / "manifest.yaml"
REPORTS = ROOT / "evals" / "reports"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make evals", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--modality",
        choices=("audio", "text"),
        default="audio",
        help="audio (default): the caller speaks, the bot's speech is transcribed; "
        "text: fast iteration, no speech",
    )
    parser.add_argument(
        "--repeat", type=int, help="run every scenario N times and report each one's pass rate"
    )
    parser.add_argument(
        "--scenario",
        action="append",
        default=[],
        help="run only this scenario (file/name, or either half); repeatable",
    )
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--reports", type=Path, default=REPORTS, help="where reports go")
    parser.add_argument("--concurrency", type=int, help="runs at once (default: the manifest's)")
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    bot = load_settings_or_exit()
    try:
        judge = load_judge_settings()
    except ValueError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    # The harness imports the factories (evals.factories) in its own processes.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p
    )

    started = datetime.now().astimezone()
    folder = args.reports / started.strftime("%Y-%m-%dT%H-%M-%S")
    folder.mkdir(parents=True)
    prepared = prepare_suite(
        args.manifest,
        folder / "scenarios",
        modality=args.modality,
        judged=judge.provider is not None,
    )
    suite, skipped = _suite(args, prepared)
    if not suite.runs:
        shutil.rmtree(folder)
        print(f"No scenario to run (--scenario {' '.join(args.scenario)}).", file=sys.stderr)
        return 2

    print(
        f"Evals: {len({r.scenario for r in suite.runs})} scenarios, {len(suite.runs)} runs, "
        f"{args.modality} modality, bot {bot.stt}/{bot.llm}/{bot.tts}, judge {judge.describe()}"
    )
    _report_progress(suite)
    clock = time.monotonic()
    asyncio.run(
        suite.run(
            folder / "logs",
            results_path=folder / "results.jsonl",
            params=EvalSessionParams(default_timeout_ms=30000),
        )
    )

    notes = _notes(suite, prepared, skipped)
    header = {
        "started_at": started.isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - clock, 1),
        "modality": args.modality,
        "repeat": suite.manifest.repeat,
        "bot": {"stt": bot.stt, "llm": bot.llm, "tts": bot.tts},
        "judge": judge.describe(),
        "latency_measured": "bot VAD stop report minus VAD_STOP_SECS, to bot_started_speaking",
        "vad_stop_secs": bot.vad_stop_secs,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, "
        f"Python {platform.python_version()}",
        "notes": notes,
    }
    summary = summarise(
        suite.runs,
        _scenarios(suite.runs),
        audio=args.modality == "audio",
        vad_stop_secs=bot.vad_stop_secs,
        skipped=skipped,
        header=header,
    )
    _attach_logs(summary, folder)
    (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (folder / "report.html").write_text(render(summary))
    _point_latest(args.reports, folder)

    latency, runs = summary["latency_ms"], summary["runs"]
    print(
        f"\n{summary['scenarios']['passed']}/{summary['scenarios']['total']} scenarios passed "
        f"({runs['passed']}/{runs['total']} runs) · latency p50 {latency['p50']} ms, "
        f"p95 {latency['p95']} ms · WER {summary['wer']}"
    )
    for note in notes:
        print(f"note: {note}")
    print(f"report: {folder / 'report.html'}")
    return 0 if runs["passed"] == runs["total"] else 1


def _suite(args: argparse.Namespace, prepared: PreparedSuite) -> tuple[EvalSuite, dict[str, str]]:
    """The suite over the prepared files, narrowed to the chosen runs; and the skipped ones."""
    manifest = EvalManifest.load(
        args.manifest,
        scenarios_dir=prepared.scenarios_dir,
        repeat=args.repeat,
        concurrency=args.concurrency,
    )
    suite = EvalSuite(manifest)
    chosen = [run for run in suite.runs if _chosen(run, args.scenario)]
    suite.runs = [run for run in chosen if run.scenario not in prepared.skipped]
    names = {run.scenario for run in chosen}
    return suite, {name: why for name, why in prepared.skipped.items() if name in names}


def _notes(suite: EvalSuite, prepared: PreparedSuite, skipped: dict[str, str]) -> list[str]:
    """What the report must say about what did not run."""
    ran = {run.scenario for run in suite.runs}
    criteria = sum(
        count
        for name, count in prepared.criteria_skipped.items()
        if name in ran or any(scenario.startswith(f"{name}/") for scenario in ran)
    )
    notes = []
    if criteria:
        notes.append(
            f"{criteria} eval: criteria skipped: no judge LLM is configured "
            "(set ANTHROPIC_API_KEY, or JUDGE_BASE_URL for an OpenAI-compatible server). "
            "Every other check ran."
        )
    notes += [f"{name} skipped: {why}." for name, why in skipped.items()]
    return notes


def _chosen(run: EvalRun, names: list[str]) -> bool:
    """Whether `--scenario` picks the run: its full name, or either half of it."""
    return not names or any(name in (run.scenario, *run.scenario.split("/")) for name in names)


def _report_progress(suite: EvalSuite) -> None:
    total = len(suite.runs)
    done = 0

    @suite.event_handler("on_update")
    def on_update(_suite, run: EvalRun):
        nonlocal done
        if run.status != "done":
            return
        done += 1
        result = run.result
        passed = bool(result and result.passed and not run.error)
        line = f"[{done}/{total}] {'PASS' if passed else 'FAIL'} {run.scenario}"
        if run.attempts > 1:
            line += f" #{run.attempt}"
        line += f" ({(run.duration_ms or 0) / 1000:.1f} s)"
        if not passed:
            first = result.failures[0] if result and result.failures else None
            line += f": {first}" if first else f": {run.error}"
        print(line, flush=True)


def _scenarios(runs: list[EvalRun]) -> dict[str, EvalScriptScenario]:
    """The scenarios as the runs played them, by name; a file that did not load has none."""
    scenarios = {}
    for path in {run.scenario_path for run in runs}:
        try:
            loaded = EvalScenarioFile.load(path)
        except (ValueError, FileNotFoundError):
            continue
        for scenario in loaded:
            if isinstance(scenario, EvalScriptScenario):
                scenarios[scenario.name] = scenario
    return scenarios


def _attach_logs(summary: dict[str, Any], folder: Path) -> None:
    """Each attempt's bot log and harness trace, from the suite's results.jsonl, relative links."""
    artifacts = {}
    results = folder / "results.jsonl"
    if results.exists():
        for line in results.read_text().splitlines():
            record = json.loads(line)
            key = (record["name"], record["scenario"], record["attempt"])
            artifacts[key] = record.get("artifacts") or {}
    for result in summary["results"]:
        for attempt in result.get("attempts", []):
            found = artifacts.get((result["bot"], result["scenario"], attempt["attempt"]), {})
            attempt["logs"] = {
                label: os.path.relpath(found[key], folder)
                for key, label in (("log", "bot log"), ("eval_log", "trace"))
                if key in found
            }


def _point_latest(reports: Path, folder: Path) -> None:
    link = reports / "latest"
    temporary = reports / ".latest"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(folder.name, target_is_directory=True)
    temporary.replace(link)


if __name__ == "__main__":
    sys.exit(main())
