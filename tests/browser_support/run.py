"""Run one browser call (session.py) in an isolated network namespace and read its outcome."""

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from tests.browser_support.namespace import in_isolated_network
from tests.browser_support.session import ROOT, Scenario


def run_browser_call(scenario: Scenario, timeout_secs: float) -> dict:
    """The outcome of `scenario`; raises with the session's output if it produced none."""
    out = Path(scenario.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    config = out / "scenario.json"
    config.write_text(json.dumps(asdict(scenario)))
    command = in_isolated_network(
        [sys.executable, "-m", "tests.browser_support.session", str(config)]
    )
    completed = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=timeout_secs
    )
    outcome = out / "outcome.json"
    if not outcome.exists():
        raise RuntimeError(
            f"the browser session wrote no outcome (exit {completed.returncode}):\n"
            f"{completed.stdout[-2000:]}\n{completed.stderr[-4000:]}"
        )
    return json.loads(outcome.read_text())
