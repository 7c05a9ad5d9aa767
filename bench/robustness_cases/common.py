"""What every robustness case shares: the case and its outcome, the seeded booking, and the bot
process started as `make run` starts it (`python bot.py`, offline, no keys, a temporary database).
"""

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from datetime import time as clock_time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
HANG_SECS = 10.0
"""A case with no answer in this long is a hang (the issue's definition)."""

KEYS = (
    "DEEPGRAM_API_KEY",
    "ANTHROPIC_API_KEY",
    "CARTESIA_API_KEY",
    "OPENAI_BASE_URL",
    "DAILY_API_KEY",
    "DAILY_ROOM_URL",
    "PIPECAT_ICE_SERVERS",
    "STT_PROVIDER",
    "LLM_PROVIDER",
    "TTS_PROVIDER",
    "DATABASE_URL",
    "CONVERSATIONS_DATABASE_URL",
)
"""Taken out of the bot's environment: no keys, no network, nothing of the caller's shell."""

MAX_SESSIONS = 2
"""The cap the suite starts the bot with, so 'one call too many' costs two calls, not ten."""


@dataclass(frozen=True)
class Seeded:
    """A booking made before the bot starts: what an unverified caller must never hear."""

    name: str = "Margaret Okonkwo"
    phone: str = "+447912345678"
    spoken_phone: str = "07912 345678"
    party_size: int = 5
    at: clock_time = clock_time(19, 15)
    in_days: int = 3

    def secrets(self) -> list[str]:
        """What saying the booking back would put in a reply (lower case)."""
        return ["margaret", "okonkwo", "5 people", "five people", "7:15", "19:15", "seven fifteen"]

    def disclosed_in(self, reply: str) -> list[str]:
        said = reply.lower()
        return [secret for secret in self.secrets() if secret in said]


SEEDED = Seeded()


@dataclass
class Got:
    """What a case saw. `ok` is whether it matched the expected answer."""

    ok: bool
    got: str
    status: int | None = None
    disclosed: list[str] = field(default_factory=list)
    crashed: bool = False
    hang: bool = False


@dataclass
class Case:
    """One hostile or broken input and the answer it must get.

    Args:
        name: Short and unique.
        group: http, datachannel, caller, tools, store or settings.
        expected: The answer the issue demands, in words.
        run: Plays the case; gets the group's context (the running bot, a store...).
        server: Played against the running bot: the bot must still answer afterwards.
        client_mistake: A 5xx answer counts as a server error for a client's mistake.
        caller_data: Names and phones the case says; none may appear in the bot's log.
        budget: Seconds the whole case may take (several requests, a process start).
    """

    name: str
    group: str
    expected: str
    run: Callable[..., Awaitable[Got]]
    server: bool = False
    client_mistake: bool = True
    caller_data: tuple[str, ...] = ()
    budget: float = HANG_SECS


def bot_env(data: Path, **overrides: str) -> dict[str, str]:
    """The environment `make run` gives the bot, minus keys, on databases in `data`."""
    env = {k: v for k, v in os.environ.items() if k not in KEYS}
    env.update(
        DATABASE_URL=f"sqlite:///{data / 'reservations.db'}",
        CONVERSATIONS_DATABASE_URL=f"sqlite:///{data / 'conversations.db'}",
        HF_HUB_OFFLINE="1",
        PYTHONUNBUFFERED="1",
        MAX_SESSIONS=str(MAX_SESSIONS),
    )
    env.update(overrides)
    return env


async def seed(database_url: str, booking: Seeded = SEEDED) -> None:
    """Book `booking` through the store the bot uses, before it starts."""
    from flows.booking_rules import BookingRules
    from settings import Settings
    from store import ReservationStore

    settings = Settings(_env_file=None, database_url=database_url)
    rules = BookingRules.from_settings(settings)
    store = ReservationStore.open(database_url, settings.restaurant_tables, rules.seating)
    try:
        await store.book(
            name=booking.name,
            phone=booking.phone,
            day=rules.today() + timedelta(days=booking.in_days),
            at=booking.at,
            party_size=booking.party_size,
            notes="",
            idempotency_key="robustness-seed",
        )
    finally:
        store.close()


def seeded_day(booking: Seeded = SEEDED) -> date:
    return date.today() + timedelta(days=booking.in_days)


class BotProcess:
    """`python bot.py --port PORT` with its output captured whole (for the privacy check)."""

    def __init__(self, port: int, env: dict[str, str], log: Path):
        self.port = port
        self.env = env
        self.log = log
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    async def start(self, ready_secs: float = 60.0) -> None:
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"\n===== bot start {self.starts} =====\n".encode())
        self._out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "bot.py", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + ready_secs
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                if not self.alive():
                    raise RuntimeError(f"the bot exited at start-up; see {self.log}")
                try:
                    await client.get(self.url + "/")
                    return
                except httpx.HTTPError:
                    await asyncio.sleep(0.25)
        raise RuntimeError(f"the bot did not listen within {ready_secs:.0f} s")

    async def answers(self) -> bool:
        """/healthz answers, or (where there is none) the page does."""
        if not self.alive():
            return False
        async with httpx.AsyncClient(timeout=HANG_SECS) as client:
            for path in ("/healthz", "/"):
                try:
                    response = await client.get(self.url + path)
                except httpx.HTTPError:
                    continue
                if response.status_code == 200:
                    return True
        return False

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._out.close()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def run_process(env: dict[str, str], args: list[str], timeout: float) -> tuple[int | None, str]:
    """`python bot.py ARGS` until it exits, listens, or `timeout` passes: the exit code (None:
    it was still running, and was stopped) and everything it printed."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            [sys.executable, "bot.py", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            out.seek(0)
            if b"Uvicorn running on" in out.read():
                break
            time.sleep(0.2)
        code = proc.poll()
        if code is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        out.seek(0)
        return code, out.read().decode(errors="replace")
