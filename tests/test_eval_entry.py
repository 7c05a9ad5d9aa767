"""The bot that `make run` starts accepts Pipecat's eval harness on its /ws route."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIPECAT = Path(sys.executable).parent / "pipecat"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


@pytest.fixture
def running_bot(tmp_path):
    port = free_port()
    log = (tmp_path / "bot.log").open("w")
    bot = subprocess.Popen(
        [sys.executable, "bot.py", "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_for_port(port, 60), (tmp_path / "bot.log").read_text()[-2000:]
        yield port
    finally:
        bot.terminate()
        bot.wait(10)


def test_text_scenario_runs_against_the_bot(running_bot, tmp_path):
    result = subprocess.run(
        [
            str(PIPECAT),
            "eval",
            "run",
            str(ROOT / "evals" / "smoke.yaml"),
            "--bot-url",
            f"ws://localhost:{running_bot}/ws",
            "--logs-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "1/1 passed" in result.stdout
