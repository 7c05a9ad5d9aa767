"""A real call from headless Chromium to `bot.py`, offline, on loopback only.

Bot and browser run in a network namespace whose only interface is `lo`. The
page is opened and worked with the keyboard; into its microphone go the caller's
lines, each once the bot has answered the one before. One call
(tests/browser_support/calls.py) on a 320 px wide screen, with a screenshot once
the first reply is heard, then one assertion per behaviour on what it showed.
"""

import re
import struct

import pytest
from rapidfuzz import fuzz

from services.ondevice_llm import normalise
from settings import Settings
from tests.browser_support.calls import LINES, PORT, VIEWPORT, two_line_call
from tests.browser_support.namespace import browser_skip_reason

SKIP = browser_skip_reason()
pytestmark = [pytest.mark.browser, pytest.mark.skipif(SKIP is not None, reason=SKIP or "")]
WIDTH, HEIGHT = VIEWPORT
IN_CALL_STATES = {"Listening", "Thinking…", "Speaking"}


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(_env_file=None)


@pytest.fixture(scope="module")
def call(tmp_path_factory, settings) -> dict:
    return two_line_call(tmp_path_factory.mktemp("browser-call"), settings.piper_voice)


def turns(call: dict) -> list[tuple[dict, dict | None]]:
    """Each caller line with the bot entry that answered it."""
    entries = call["transcript"]
    return [
        (entry, entries[i + 1] if i + 1 < len(entries) else None)
        for i, entry in enumerate(entries)
        if entry["speaker"] == "user"
    ]


def test_the_call_connects(call):
    assert call["connect_secs"] is not None, call["failure"]
    seen = [state for state, _ in call["states"]]
    assert seen[:3] == ["idle", "microphone", "connecting"]
    assert "listening" in seen[3:]


def test_each_caller_line_appears_in_the_transcript(call):
    heard = [normalise(line["text"]) for line, _ in turns(call)]
    assert len(heard) == len(LINES), call["failure"]
    for text, line in zip(heard, LINES, strict=True):
        # Whisper may write "where's" for "where is": compare, don't match exactly.
        assert fuzz.ratio(text, normalise(line)) >= 85, (text, line)


def test_each_reply_is_heard_in_the_page(call):
    replies = [reply for _, reply in turns(call)]
    assert len(replies) == len(LINES), call["failure"]
    assert all(reply and reply["speaker"] == "bot" and reply["heard"] for reply in replies)


def test_each_reply_appears_in_the_transcript(call, settings):
    replies = [normalise(reply["text"]) for _, reply in turns(call) if reply]
    expected = [normalise(settings.restaurant_hours), normalise(settings.restaurant_address)]
    assert len(replies) == len(expected), call["failure"]
    for reply, fact in zip(replies, expected, strict=True):
        assert fact in reply


def test_the_latency_of_each_turn_is_shown_as_a_number(call):
    replies = [reply for _, reply in turns(call) if reply]
    assert len(replies) == len(LINES), call["failure"]
    for reply in replies:
        # A measured time, shown as the page says it; how long is the benchmarks' business
        # (tests.browser_support.latency), not a bound a busy machine could miss.
        assert reply["latency_ms"] > 0
        assert re.fullmatch(r"replied in \d+\.\d\d s", reply["latency_text"])


def test_hanging_up_ends_the_bot_session_cleanly(call):
    assert call["final_state"] == "ended", call["failure"]
    assert call["disconnect_logged"], "the bot did not log the caller's disconnect"
    assert call["session_finished_logged"], "the bot's pipeline did not finish"


def test_the_bot_logs_no_error_during_the_call(call):
    log = open(call["bot_log"]).read()
    assert "| ERROR" not in log


def test_the_page_logs_no_console_error(call):
    errors = [m["text"] for m in call["console"] if m["type"] == "error"]
    assert errors + call["page_errors"] == []


def test_the_page_loads_nothing_from_outside_the_bot(call):
    origin = f"http://localhost:{PORT}/"
    assert call["requests"], call["failure"]
    assert [url for url in call["requests"] if not url.startswith(origin)] == []


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
