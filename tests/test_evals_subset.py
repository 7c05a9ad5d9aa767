"""`make evals` end to end on a fast subset: three scenarios in text modality against real bots.

The suite runner spawns a bot (evals/eval_bot.py, an empty database each)
per scenario, so this catches a broken scenario file, manifest, launcher
or report, in well under a minute.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SUBSET = ("restaurant/greeting", "booking/happy_path", "existing_booking/cancel_refused")
CLOUD_VARIABLES = ("ANTHROPIC_API_KEY", "OPENAI_BASE_URL", "DEEPGRAM_API_KEY", "CARTESIA_API_KEY")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    reports = tmp_path_factory.mktemp("reports")
    env = {k: v for k, v in os.environ.items() if k not in CLOUD_VARIABLES}
    # The offline stack whatever a developer's .env says: the scenarios speak to the on-device brain.
    env.update(
        STT_PROVIDER="whisper", LLM_PROVIDER="ondevice", TTS_PROVIDER="piper", JUDGE_PROVIDER="none"
    )
    scenarios = [arg for name in SUBSET for arg in ("--scenario", name)]
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "evals.run",
            "--modality",
            "text",
            "--reports",
            str(reports),
            *scenarios,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stdout[-4000:] + finished.stderr[-4000:]
    return reports / "latest"


def test_the_three_scenarios_pass(report):
    summary = json.loads((report / "summary.json").read_text())
    assert summary["scenarios"] == {"total": 3, "passed": 3, "skipped": 0}
    assert sorted(r["scenario"] for r in summary["results"]) == sorted(SUBSET)


def test_every_turn_is_reported_with_what_the_bot_did(report):
    summary = json.loads((report / "summary.json").read_text())
    happy = next(r for r in summary["results"] if r["scenario"] == "booking/happy_path")
    turns = happy["attempts"][0]["turns"]
    assert turns[-1]["calls"][:2] == ["book_table", "send_confirmation"]
    assert all(t["status"] == "passed" for t in turns)


def test_the_report_page_says_the_pass_rate(report):
    assert "3/3 scenarios passed" in (report / "report.html").read_text()


def test_latest_points_at_the_run_folder(report):
    assert report.is_symlink() and (report.resolve() / "results.jsonl").is_file()
