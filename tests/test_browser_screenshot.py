"""A call that drops under the page: headless Chromium to `bot.py` (only `lo`), whose
process is killed once the page is in the call; the page must say the call dropped.

The page mid-call on a 320 px wide screen is checked in test_browser_call.py, on the
screenshot taken in its call.
"""

import pytest

from tests.browser_support.calls import dropped_call
from tests.browser_support.namespace import browser_skip_reason

SKIP = browser_skip_reason()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(SKIP is not None, reason=SKIP or ""),
]


@pytest.fixture(scope="module")
def dropped(tmp_path_factory) -> dict:
    return dropped_call(tmp_path_factory.mktemp("browser-drop"))


def test_a_dropped_call_is_reported(dropped):
    assert dropped["notice_key"] == "dropped", dropped["failure"]
    assert "dropped" in dropped["notice"]
    assert dropped["final_state"] == "ended"
