"""The bot under test in one eval run: `bot.py` as it ships, on a database of its own.

The suite manifest (evals/manifest.yaml) spawns this once per scenario run,
so every scenario starts from an empty reservation store whatever ran
before it. The entry's `runner_body: {data: ...}` (which Pipecat's suite
passes as `--runner-body`) sets up what a scenario needs:

- `seed`: bookings made before the bot starts, e.g.
  `{in_days: 2, time: "19:00", party_size: 2, name: Anna Smith, phone: "+447911123456"}`;
  `count` books that many (a party of 2, `count: 8`, takes every table);
- `fault: reservations_locked`: once the bot listens, another connection
  holds the database's write lock until the bot exits, so every store call
  fails with "database is locked": the outage the gate turns into an offer
  of a human. Nothing in the bot is patched; it meets a real locked SQLite file;
- `env`: settings for this bot, as environment variables (`{FLOW: agents}`),
  only among SETTABLE: a scenario chooses how the bot is built, not its keys.

Then it runs `bot.py` in this process with the rest of the command line.
"""

import argparse
import asyncio
import os
import runpy
import signal
import socket
import sqlite3
import sys
import tempfile
import threading
import time
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FAULTS = ("reservations_locked",)
SETTABLE = ("FLOW", "FAST_PATH")


def read_body(argv: list[str]) -> tuple[dict, int]:
    """The runner body (the scenario's set-up) and the port the bot will listen on."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--runner-body")
    parser.add_argument("--port", type=int, default=7860)
    args, _ = parser.parse_known_args(argv)
    body = yaml.safe_load(Path(args.runner_body).read_text()) if args.runner_body else None
    body = body or {}
    if not isinstance(body, dict):
        raise SystemExit(f"eval bot: the runner body must be a mapping, not {body!r}")
    fault = body.get("fault")
    if fault is not None and fault not in FAULTS:
        raise SystemExit(f"eval bot: unknown fault {fault!r}; known: {', '.join(FAULTS)}")
    unknown = set(body.get("env") or {}) - set(SETTABLE)
    if unknown:
        raise SystemExit(f"eval bot: env may set only {', '.join(SETTABLE)}, not {sorted(unknown)}")
    return body, args.port


async def seed(bookings: list[dict]) -> None:
    """Book what the scenario expects to find, through the store the bot uses."""
    from flows.booking_rules import BookingRules
    from settings import Settings
    from store import ReservationStore

    settings = Settings()
    rules = BookingRules.from_settings(settings)
    store = ReservationStore.open(settings.database_url, settings.restaurant_tables, rules.seating)
    try:
        number = 0
        for spec in bookings:
            for _ in range(int(spec.get("count", 1))):
                number += 1
                await store.book(
                    name=spec.get("name", f"Seeded guest {number}"),
                    phone=spec.get("phone", f"+4479110{number:05d}"),
                    day=rules.today() + timedelta(days=int(spec["in_days"])),
                    at=clock_time.fromisoformat(spec["time"]),
                    party_size=int(spec.get("party_size", 2)),
                    notes="",
                    idempotency_key=f"eval-seed-{number}",
                )
    finally:
        store.close()


def lock_when_listening(database: Path, port: int) -> None:
    """Once the bot listens on `port` (its start-up writes are done), hold the write lock."""

    def hold():
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
        connection.execute("BEGIN IMMEDIATE")
        print(f"eval bot: {database.name} is locked from now on", flush=True)
        threading.Event().wait()  # held until the process exits

    threading.Thread(target=hold, name="reservations-lock", daemon=True).start()


def main() -> None:
    body, port = read_body(sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="voice-agent-eval-") as data:
        reservations = Path(data) / "reservations.db"
        os.environ["DATABASE_URL"] = f"sqlite:///{reservations}"
        os.environ["CONVERSATIONS_DATABASE_URL"] = f"sqlite:///{Path(data) / 'conversations.db'}"
        os.environ.update({name: str(value) for name, value in (body.get("env") or {}).items()})
        sys.path[0] = str(ROOT)  # the bot's folder, as `python bot.py` has it
        if body.get("seed"):
            asyncio.run(seed(body["seed"]))
        if body.get("fault") == "reservations_locked":
            lock_when_listening(reservations, port)
        # Uvicorn re-raises the SIGTERM that stopped it; exit cleanly so the database goes too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        sys.argv = [str(ROOT / "bot.py"), *sys.argv[1:]]
        runpy.run_path(str(ROOT / "bot.py"), run_name="__main__")


if __name__ == "__main__":
    main()
