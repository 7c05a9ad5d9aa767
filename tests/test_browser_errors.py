"""What the page tells a caller when the call cannot start (headless Chromium, only `lo`).

Only the page is served, no bot: these need no models and take seconds.
"""

import pytest

from tests.browser_support.namespace import browser_skip_reason
from tests.browser_support.run import run_browser_call
from tests.browser_support.session import Scenario

SKIP = browser_skip_reason()
pytestmark = [pytest.mark.browser, pytest.mark.skipif(SKIP is not None, reason=SKIP or "")]


def test_a_denied_microphone_is_explained(tmp_path):
    outcome = run_browser_call(
        Scenario(out_dir=str(tmp_path), mode="mic_denied", port=7863), timeout_secs=60
    )
    assert outcome["notice_key"] == "micDenied", outcome["failure"]
    assert "microphone is blocked" in outcome["notice"]
    assert outcome["final_state"] == "idle"
    assert outcome["focused_after_end"] == "call", "the call button lost the keyboard focus"


def test_an_unreachable_bot_is_explained(tmp_path):
    outcome = run_browser_call(
        Scenario(out_dir=str(tmp_path), mode="unreachable", port=7864), timeout_secs=60
    )
    assert outcome["notice_key"] == "unreachable", outcome["failure"]
    assert "could not be reached" in outcome["notice"]
    assert outcome["final_state"] == "idle"
    assert outcome["focused_after_end"] == "call", "the call button lost the keyboard focus"


def test_all_lines_busy_is_explained(tmp_path):
    outcome = run_browser_call(
        Scenario(out_dir=str(tmp_path), mode="busy", port=7865), timeout_secs=90
    )
    assert outcome["notice_key"] == "busy", outcome["failure"]
    assert "All lines are busy" in outcome["notice"]
    assert outcome["final_state"] == "idle"
    assert outcome["focused_after_end"] == "call", "the call button lost the keyboard focus"
