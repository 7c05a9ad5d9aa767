"""Callers in production join a Daily room (`-t daily`, or `-d` to join at once).

Daily cannot be reached from here, so these check what can be: the transport
the bot builds for a Daily caller, and that a missing key stops start-up with
one clear line instead of a traceback when the first caller arrives.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pipecat.runner.types import DailyRunnerArguments
from pipecat.runner.utils import create_transport
from pipecat.transports.daily import transport as daily_transport
from pipecat.transports.daily.transport import DailyParams, DailyTransport

from app.worker import transport_params
from settings import Settings
from web.rooms import daily_problem, peek_runner_options

ROOT = Path(__file__).resolve().parents[1]
ROOM_URL = "https://example.daily.co/luigis"
TOKEN = "meeting-token"


async def test_a_daily_caller_gets_a_daily_transport_for_the_room():
    transport = await create_transport(
        DailyRunnerArguments(room_url=ROOM_URL, token=TOKEN), transport_params()
    )
    assert isinstance(transport, DailyTransport)
    assert transport.room_url == ROOM_URL


async def test_the_daily_transport_gets_the_token_and_two_way_audio(monkeypatch):
    built = {}

    def record(room_url, token, bot_name, params):
        built.update(room_url=room_url, token=token, params=params)
        return object()

    monkeypatch.setattr(daily_transport, "DailyTransport", record)
    await create_transport(DailyRunnerArguments(room_url=ROOM_URL, token=TOKEN), transport_params())
    assert built["room_url"] == ROOM_URL and built["token"] == TOKEN
    assert isinstance(built["params"], DailyParams)
    assert built["params"].audio_in_enabled and built["params"].audio_out_enabled


@pytest.mark.parametrize(
    "argv",
    [["-t", "daily"], ["--transport", "daily"], ["--transport=daily"], ["-tdaily"], ["-d"]],
)
def test_every_way_of_asking_for_daily_is_recognised(argv):
    assert peek_runner_options([*argv, "--port", "7870"]).transport == "daily"


def test_the_local_page_is_the_default_room():
    options = peek_runner_options(["--port", "7870"])
    assert options.transport is None and options.host == "localhost"


def test_daily_needs_an_api_key(monkeypatch):
    monkeypatch.delenv("DAILY_API_KEY", raising=False)
    problem = daily_problem(Settings(_env_file=None))
    assert problem is not None and problem.startswith("DAILY_API_KEY")


def test_a_daily_api_key_is_enough():
    assert daily_problem(Settings(_env_file=None, daily_api_key="key")) is None


def test_starting_daily_without_a_key_stops_with_one_clear_line(tmp_path):
    env = {name: value for name, value in os.environ.items() if not name.startswith("DAILY_")}
    # From an empty directory, so no developer's .env is read.
    started = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "-t", "daily"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 2
    lines = started.stderr.strip().splitlines()
    assert lines[-1].startswith("configuration error: DAILY_API_KEY:")
    assert "Traceback" not in started.stderr
