"""`python bot.py` serves the caller's page at `/` on its own server, and SIGTERM ends it with 0."""

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def get(url: str, method: str = "GET"):
    """(status, headers, body) without following redirects."""
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, method=method, data=b"{}" if method == "POST" else None)
    request.add_header("Content-Type", "application/json")
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def serve(*args: str, env: dict | None = None):
    """Start bot.py; return (process, base URL) once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "bot.py", "--port", str(port), *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    base = f"http://localhost:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/status", timeout=1)
            return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("bot.py did not start")


@pytest.fixture(scope="module")
def bot_url():
    process, base = serve()
    yield base
    process.terminate()
    process.wait(15)


def test_the_root_is_the_callers_page(bot_url):
    status, headers, body = get(f"{bot_url}/")
    assert status == 200
    assert b'<button id="call"' in body
    assert "default-src 'self'" in headers["Content-Security-Policy"]


def test_the_page_bundle_is_served(bot_url):
    status, headers, body = get(f"{bot_url}/assets/app.js")
    assert status == 200 and len(body) > 10_000
    assert "javascript" in headers["Content-Type"]


def test_the_runners_cdn_client_is_not_served(bot_url):
    status, _, _ = get(f"{bot_url}/client/")
    assert status == 404


def test_the_offer_route_refuses_an_empty_offer_with_400(bot_url):
    status, _, body = get(f"{bot_url}/api/offer", method="POST")
    assert status == 400
    assert b'"invalid_offer"' in body


def test_sigterm_with_no_call_in_progress_exits_0():
    process, base = serve()
    assert get(f"{base}/readyz")[0] == 200
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0
