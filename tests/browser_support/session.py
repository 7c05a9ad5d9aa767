"""One browser call, run inside an isolated network namespace; writes what it saw as JSON.

    python -m tests.browser_support.session SCENARIO.json

It starts the server (the real `bot.py`, or only the page for the error
cases), opens the page in headless Chromium with the scenario's WAV as the
microphone, works the page with the keyboard, and records the page's state,
transcript, latencies, console and requests, and the bot's log. The tests
assert on the JSON; this module asserts nothing.
"""

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import wave
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from playwright.sync_api import Page, sync_playwright

from tests.browser_support.namespace import CHROMIUM

ROOT = Path(__file__).resolve().parents[2]

# The browser tests are about the offline stack, whatever keys the machine has.
OFFLINE = {"STT_PROVIDER": "whisper", "LLM_PROVIDER": "ondevice", "TTS_PROVIDER": "piper"}

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    "--allow-loopback-in-peer-connection",
]

# Records each state the page shows, with performance.now(), from page load.
RECORD_STATES = """
window.__states = [];
document.addEventListener("DOMContentLoaded", () => {
  const state = document.getElementById("state");
  const record = () => window.__states.push([state.dataset.state, performance.now()]);
  record();
  new MutationObserver(record).observe(state, { attributes: true, attributeFilter: ["data-state"] });
});
"""

TRANSCRIPT = """
() => [...document.querySelectorAll("#transcript > li")].map((entry) => ({
  speaker: entry.dataset.speaker,
  text: entry.querySelector(".final").textContent,
  interim: entry.querySelector(".interim").textContent,
  heard: entry.dataset.heard === "true",
  latency_ms: entry.querySelector(".latency") ? Number(entry.querySelector(".latency").dataset.ms) : null,
  latency_text: entry.querySelector(".latency")?.textContent ?? null,
}))
"""

# True once the caller's n-th line has a reply with its latency shown, and
# the bot has finished speaking it.
TURN_ANSWERED = """
(n) => {
  const entries = [...document.querySelectorAll("#transcript > li")];
  const lines = entries.filter((entry) => entry.dataset.speaker === "user" && entry.querySelector(".final").textContent);
  if (lines.length < n) return false;
  const reply = entries[entries.indexOf(lines[n - 1]) + 1];
  return Boolean(reply?.querySelector(".latency")) && document.getElementById("state").dataset.state === "listening";
}
"""

IN_CALL = """
() => ["listening", "thinking", "speaking"].includes(document.getElementById("state").dataset.state)
"""

# A microphone the session speaks into when the call is ready for the next line, instead
# of a WAV that plays on a fixed timeline from the moment the page opens the microphone
# (whose silences had to guess how long connecting, the greeting and each reply take).
# getUserMedia hands the page a live track of an AudioContext; `window.__say(base64 PCM)`
# plays one line into it and resolves once it has played. Everything after getUserMedia
# (the track on the WebRTC connection, the page's level meter) is the page's own code.
SCRIPTED_MICROPHONE = """
(() => {
  const context = new AudioContext({ sampleRate: 16000 });
  const microphone = context.createMediaStreamDestination();
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    if (!constraints || !constraints.audio) return real(constraints);
    await context.resume();
    return new MediaStream([microphone.stream.getAudioTracks()[0].clone()]);
  };
  window.__say = (base64) => new Promise((resolve) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const samples = new Int16Array(bytes.buffer);
    const buffer = context.createBuffer(1, samples.length, 16000);
    const channel = buffer.getChannelData(0);
    for (let i = 0; i < samples.length; i++) channel[i] = samples[i] / 32768;
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(microphone);
    source.onended = () => resolve(true);
    source.start();
  });
})();
"""

# True once the call can take line n: the bot has finished speaking what came before it
# (its greeting for the first line, its reply to line n - 1 after that).
READY_FOR_LINE = """
(n) => {
  if (document.getElementById("state").dataset.state !== "listening") return false;
  const entries = [...document.querySelectorAll("#transcript > li")];
  const spoken = (entry) => entry.querySelector(".final").textContent;
  const users = entries.filter((entry) => entry.dataset.speaker === "user" && spoken(entry));
  if (users.length !== n - 1) return false;
  const after = n === 1 ? entries : entries.slice(entries.indexOf(users[n - 2]) + 1);
  return after.some((entry) => entry.dataset.speaker === "bot" && spoken(entry));
}
"""


@dataclass
class Scenario:
    out_dir: str
    # call: the real bot; mic_denied / unreachable: only the page, no bot behind it;
    # busy: the bot's server with its one line (MAX_SESSIONS=1) taken, no pipeline.
    mode: Literal["call", "mic_denied", "unreachable", "busy"] = "call"
    wav: str | None = None
    """A WAV the fake microphone plays from the moment the page opens it (the benchmark)."""
    said: list[str] = field(default_factory=list)
    """Or WAVs of the caller's lines, each said once the call is ready for it."""
    lines: int = 0
    viewport: tuple[int, int] = (1280, 800)
    screenshot_after_line: int | None = None
    # hang_up: the caller hangs up; drop: the bot's process is killed mid-call.
    end: Literal["hang_up", "drop"] = "hang_up"
    port: int = 7861
    line_timeout_secs: float = 30.0


@dataclass
class Outcome:
    console: list[dict] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    states: list = field(default_factory=list)
    transcript: list[dict] = field(default_factory=list)
    connect_secs: float | None = None
    answered_lines: int = 0
    notice: str = ""
    notice_key: str = ""
    final_state: str = ""
    focused_after_end: str = ""
    screenshot: str | None = None
    layout: dict = field(default_factory=dict)
    disconnect_logged: bool = False
    session_finished_logged: bool = False
    bot_log: str | None = None
    failure: str | None = None


def _wait_for_http(url: str, process: subprocess.Popen | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextmanager
def _bot(scenario: Scenario, log_path: Path):
    with log_path.open("w") as log:
        bot = subprocess.Popen(
            [sys.executable, "bot.py", "--port", str(scenario.port)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **OFFLINE},
        )
        try:
            _wait_for_http(f"http://localhost:{scenario.port}/", bot, timeout=90)
            yield bot
        finally:
            if bot.poll() is None:
                bot.send_signal(signal.SIGINT)
                try:
                    bot.wait(15)
                except subprocess.TimeoutExpired:
                    bot.kill()
                    bot.wait()


def _busy_server():
    """The bot's own server whose only line is taken: every offer gets 503."""
    from settings import Settings
    from web.server import CallServer, create_app

    async def no_bot(runner_args):
        raise AssertionError("a busy server started a call")

    calls = CallServer(no_bot, Settings(_env_file=None, max_sessions=1))
    calls.gate.try_take()
    return create_app(calls)


@contextmanager
def _page_only(scenario: Scenario):
    """The page's server with nothing behind it (no /api/offer, no bot), or a busy one."""
    import uvicorn
    from fastapi import FastAPI

    from web.page import mount_page

    if scenario.mode == "busy":
        app = _busy_server()
    else:
        app = FastAPI()
        mount_page(app)
    server = uvicorn.Server(
        uvicorn.Config(app, host="localhost", port=scenario.port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        _wait_for_http(f"http://localhost:{scenario.port}/", None, timeout=20)
        yield None
    finally:
        server.should_exit = True
        thread.join(10)


def _wait_for_log(path: Path, text: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in path.read_text():
            return True
        time.sleep(0.2)
    return False


def _wait(page: Page, predicate: str, timeout: float, arg=None) -> None:
    """Poll `predicate` (a JS function) until it is true.

    Playwright's wait_for_function compiles its predicate with eval, which the
    page's Content Security Policy forbids; evaluate() calls a function without.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(predicate, arg):
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true within {timeout:.0f} s: {predicate.strip()[:200]}")
        time.sleep(0.1)


def _state(page: Page) -> str:
    return page.get_attribute("#state", "data-state") or ""


def _layout(page: Page, width: int, height: int) -> dict:
    """Where the state and the transcript sit in the viewport, and any sideways scroll."""

    def box(selector: str) -> dict:
        element = page.locator(selector)
        bounds = element.bounding_box()
        return {
            "visible": element.is_visible(),
            "in_viewport": bounds is not None
            and bounds["x"] >= 0
            and bounds["y"] >= 0
            and bounds["x"] + bounds["width"] <= width
            and bounds["y"] + bounds["height"] <= height,
            "text": element.inner_text(),
        }

    return {
        "viewport": [width, height],
        "scroll_width": page.evaluate("document.documentElement.scrollWidth"),
        "state": box("#state"),
        "button": box("#call"),
        "last_entry": box("#transcript > li:last-child"),
        "first_entry": box("#transcript > li:first-child"),
        "body_font_px": page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"),
    }


def _pcm_base64(path: str) -> str:
    with wave.open(path, "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        return base64.b64encode(wav.readframes(wav.getnframes())).decode()


def _call(page: Page, scenario: Scenario, outcome: Outcome, bot, log_path: Path) -> None:
    started = time.monotonic()
    _wait(page, IN_CALL, timeout=30)
    outcome.connect_secs = round(time.monotonic() - started, 3)
    said = [_pcm_base64(path) for path in scenario.said]
    for line in range(1, scenario.lines + 1):
        if said:
            # The greeting, then each reply, as long as they take: 60 s is a hang.
            _wait(page, READY_FOR_LINE, timeout=60, arg=line)
            page.evaluate("(pcm) => window.__say(pcm)", said[line - 1])
        _wait(page, TURN_ANSWERED, timeout=scenario.line_timeout_secs, arg=line)
        outcome.answered_lines = line
        if line == scenario.screenshot_after_line:
            path = Path(scenario.out_dir) / "mid-call.png"
            page.screenshot(path=str(path))
            outcome.screenshot = str(path)
            outcome.layout = _layout(page, *scenario.viewport)
    # Let the last reply's final words arrive before the call ends.
    time.sleep(0.5)
    if scenario.end == "hang_up":
        page.keyboard.press("Enter")  # the button still has the focus
        _wait(page, "() => document.getElementById('state').dataset.state === 'ended'", 10)
        outcome.disconnect_logged = _wait_for_log(log_path, "Caller disconnected", 20)
        outcome.session_finished_logged = _wait_for_log(log_path, "Session finished", 20)
    else:
        bot.kill()
        _wait(page, "() => document.getElementById('notice').dataset.message === 'dropped'", 60)


def run(scenario: Scenario) -> Outcome:
    out = Path(scenario.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    outcome = Outcome()
    flags = list(CHROMIUM_FLAGS)
    if scenario.mode == "mic_denied":
        flags.append("--deny-permission-prompts")
    else:
        flags.append("--use-fake-ui-for-media-stream")
    if scenario.wav:
        flags.append(f"--use-file-for-fake-audio-capture={scenario.wav}%noloop")
    scripted = scenario.mode == "call" and not scenario.wav

    log_path = out / "bot.log"
    server = _bot(scenario, log_path) if scenario.mode == "call" else _page_only(scenario)
    with server as bot, sync_playwright() as playwright:
        if scenario.mode == "call":
            outcome.bot_log = str(log_path)
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=flags,
            # Playwright mutes audio by default; the page must hear the bot.
            ignore_default_args=["--mute-audio"],
        )
        width, height = scenario.viewport
        page = browser.new_page(viewport={"width": width, "height": height})
        page.on("console", lambda m: outcome.console.append({"type": m.type, "text": m.text}))
        page.on("pageerror", lambda error: outcome.page_errors.append(str(error)))
        page.on("request", lambda request: outcome.requests.append(request.url))
        page.add_init_script(RECORD_STATES)
        if scripted:
            page.add_init_script(SCRIPTED_MICROPHONE)
        try:
            page.goto(f"http://localhost:{scenario.port}/")
            page.keyboard.press("Tab")  # the call button is the first stop
            page.keyboard.press("Enter")
            if scenario.mode == "call":
                _call(page, scenario, outcome, bot, log_path)
            else:
                _wait(page, "() => !document.getElementById('notice').hidden", 30)
        except Exception as error:  # the JSON says how far it got, the tests say what failed
            outcome.failure = f"{type(error).__name__}: {error}"
        outcome.states = page.evaluate("window.__states")
        outcome.transcript = page.evaluate(TRANSCRIPT)
        outcome.notice = page.inner_text("#notice")
        outcome.notice_key = page.get_attribute("#notice", "data-message") or ""
        outcome.final_state = _state(page)
        outcome.focused_after_end = page.evaluate("document.activeElement?.id ?? ''")
        browser.close()
    return outcome


def main() -> None:
    scenario = Scenario(**json.loads(Path(sys.argv[1]).read_text()))
    outcome = run(scenario)
    result = Path(scenario.out_dir) / "outcome.json"
    result.write_text(json.dumps(asdict(outcome), indent=2))


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
