"""The browser calls the tests share, each made once per test process.

One call of two caller lines on a phone-sized screen (320 px), with a screenshot once
the first reply has been heard, ended by the caller hanging up: the call, transcript,
latency, clean hang-up and the narrow layout are all read from it. And one short call
whose bot process is killed once the page is in the call: the page must say it dropped.
"""

from pathlib import Path

from tests.browser_support.caller_audio import write_line_wavs
from tests.browser_support.run import run_browser_call
from tests.browser_support.session import Scenario

LINES = ["What are your opening hours?", "Where is the restaurant?"]
PORT = 7861
VIEWPORT = (320, 640)
DROP_PORT = 7862


def two_line_call(out: Path, voice: Path) -> dict:
    """Each line is said once the bot has finished what came before it."""
    scenario = Scenario(
        out_dir=str(out),
        said=write_line_wavs(out, LINES, voice),
        lines=len(LINES),
        viewport=VIEWPORT,
        screenshot_after_line=1,
        port=PORT,
    )
    return run_browser_call(scenario, timeout_secs=150)


def dropped_call(out: Path) -> dict:
    """The microphone is silent: the bot is killed before anyone says a word."""
    scenario = Scenario(out_dir=str(out), lines=0, end="drop", port=DROP_PORT)
    return run_browser_call(scenario, timeout_secs=120)
