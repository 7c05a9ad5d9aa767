"""The page mid-call on a 320 px wide screen, then a call that drops under it.

The screenshot is taken in the shared two-line call (tests/browser_support/calls.py,
headless Chromium to `bot.py`, only `lo`, a WAV as microphone) once the first reply
has been heard. A second, short call has its bot's process killed once the page is in
the call, and the page must say the call dropped.
"""

import struct

import pytest

from services.ondevice_llm import normalise
from settings import Settings
from tests.browser_support.calls import VIEWPORT, dropped_call
from tests.browser_support.namespace import browser_skip_reason

SKIP = browser_skip_reason()
pytestmark = [
    pytest.mark.xdist_group("browser_call"),  # its tests share one call: one worker makes it
    pytest.mark.browser,
    pytest.mark.skipif(SKIP is not None, reason=SKIP or ""),
]

WIDTH, HEIGHT = VIEWPORT
IN_CALL_STATES = {"Listening", "Thinking…", "Speaking"}


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(_env_file=None)


@pytest.fixture(scope="module")
def dropped(tmp_path_factory, settings) -> dict:
    return dropped_call(tmp_path_factory.mktemp("browser-drop"), settings.piper_voice)


def png_size(path: str) -> tuple[int, int]:
    with open(path, "rb") as png:
        header = png.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_a_mid_call_screenshot_shows_the_transcript_and_the_state(browser_call, settings):
    call = browser_call
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


def test_a_dropped_call_is_reported(dropped):
    assert dropped["notice_key"] == "dropped", dropped["failure"]
    assert "dropped" in dropped["notice"]
    assert dropped["final_state"] == "ended"
