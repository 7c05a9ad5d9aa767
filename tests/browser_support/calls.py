"""The browser calls the tests share, each made once per test process.

One call of two caller lines on a phone-sized screen (320 px), with a screenshot once
the first reply has been heard, ended by the caller hanging up: the call, transcript,
latency, clean hang-up and the narrow layout are all read from it. And one short call
whose bot process is killed once the page is in the call: the page must say it dropped.
"""

from pathlib import Path

from tests.browser_support.caller_audio import write_caller_wav
from tests.browser_support.run import run_browser_call
from tests.browser_support.session import Scenario

LINES = ["What are your opening hours?", "Where is the restaurant?"]
PORT = 7861
VIEWPORT = (320, 640)
DROP_PORT = 7862


def two_line_call(out: Path, voice: Path) -> dict:
    wav = out / "caller.wav"
    write_caller_wav(wav, LINES, voice)
    scenario = Scenario(
        out_dir=str(out),
        wav=str(wav),
        lines=len(LINES),
        viewport=VIEWPORT,
        screenshot_after_line=1,
        port=PORT,
    )
    return run_browser_call(scenario, timeout_secs=150)


def dropped_call(out: Path, voice: Path) -> dict:
    """The microphone is silent: the bot is killed before anyone says a word."""
    wav = out / "silence.wav"
    write_caller_wav(wav, [], voice, lead_secs=60)
    scenario = Scenario(out_dir=str(out), wav=str(wav), lines=0, end="drop", port=DROP_PORT)
    return run_browser_call(scenario, timeout_secs=120)
