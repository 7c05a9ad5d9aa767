"""The page mid-call on a 320 px wide screen, then a call that drops under it.

One call from headless Chromium to `bot.py` (only `lo`, a WAV as microphone):
a screenshot once the first reply has been heard, then the bot's process is
killed and the page must say the call dropped.
"""

import struct

import pytest

from services.ondevice_llm import normalise
from settings import Settings
from tests.browser_support.caller_audio import write_caller_wav
from tests.browser_support.namespace import browser_skip_reason
from tests.browser_support.run import run_browser_call
from tests.browser_support.session import Scenario

SKIP = browser_skip_reason()
pytestmark = [pytest.mark.browser, pytest.mark.skipif(SKIP is not None, reason=SKIP or "")]

WIDTH, HEIGHT = 320, 640
IN_CALL_STATES = {"Listening", "Thinking…", "Speaking"}


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(_env_file=None)


@pytest.fixture(scope="module")
def call(tmp_path_factory, settings) -> dict:
    out = tmp_path_factory.mktemp("browser-screenshot")
    wav = out / "caller.wav"
    write_caller_wav(wav, ["What are your opening hours?"], settings.piper_voice)
    scenario = Scenario(
        out_dir=str(out),
        wav=str(wav),
        lines=1,
        viewport=(WIDTH, HEIGHT),
        screenshot_after_line=1,
        end="drop",
        port=7862,
    )
    return run_browser_call(scenario, timeout_secs=150)


def png_size(path: str) -> tuple[int, int]:
    with open(path, "rb") as png:
        header = png.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_a_mid_call_screenshot_shows_the_transcript_and_the_state(call, settings):
    assert call["screenshot"], call["failure"]
    assert png_size(call["screenshot"]) == (WIDTH, HEIGHT)
    layout = call["layout"]
    assert layout["state"]["visible"] and layout["state"]["in_viewport"]
    assert layout["state"]["text"] in IN_CALL_STATES
    assert layout["button"]["text"] == "Hang up" and layout["button"]["in_viewport"]
    reply = layout["last_entry"]
    assert reply["visible"] and reply["in_viewport"]
    assert normalise(settings.restaurant_hours) in normalise(reply["text"])
    assert layout["scroll_width"] <= WIDTH, "the page scrolls sideways at 320 px"


def test_a_dropped_call_is_reported(call):
    assert call["notice_key"] == "dropped", call["failure"]
    assert "dropped" in call["notice"]
    assert call["final_state"] == "ended"
