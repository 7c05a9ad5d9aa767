"""The robustness suite: hostile and broken input against the bot, each case with its expected
answer (issue 13).

`python -m bench.robustness` starts the bot as `make run` does (`python bot.py`, offline, no
keys, a temporary database with one seeded booking) and plays the cases in
bench/robustness_cases/, group by group:

- settings: the process started with one bad setting must stop with one line naming it;
- tools: malformed arguments through the booking tools' Pipecat handlers and the gate;
- store: a real SQLite file made read-only, locked, deleted, replaced, full or corrupt;
- http: bad offers, wrong methods and routes, huge bodies and headers, slow senders, CORS,
  /start abuse, health endpoints, over HTTP to the running bot;
- datachannel: a real aiortc peer sending hostile RTVI messages; one call too many;
- caller: caller turns as text through the eval transport (`/ws`): hostile text, details in
  one breath, another caller's booking asked for by phone or name, injections, impossible dates.

After each server case (http, datachannel, caller) the bot must still answer (/healthz, or the
page where there is none); a dead bot is restarted so the rest still run. At the end the bot's
whole log is searched for the names and phones the caller-data cases said. Writes
bench/results/robustness.json. `--groups http,tools` plays some groups only.
"""

import argparse
import asyncio
import json
import re
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.machine import describe_machine
from bench.robustness_cases import (
    caller,
    datachannel,
    http_cases,
    http_raw,
    settings_cases,
    store_faults,
    tools,
)
from bench.robustness_cases.common import (
    SEEDED,
    BotProcess,
    Case,
    Got,
    bot_env,
    seed,
)

RESULTS = Path(__file__).parent / "results" / "robustness.json"
GROUPS = {
    "settings": settings_cases.CASES,
    "tools": tools.CASES,
    "store": store_faults.CASES,
    "http": http_cases.CASES + http_raw.CASES,
    "datachannel": datachannel.CASES,
    "caller": caller.CASES,
}
SERVER_GROUPS = ("http", "datachannel", "caller")


@dataclass
class Played:
    case: Case
    got: Got
    secs: float
    hang: bool = False
    alive_after: bool | None = None

    def row(self) -> dict:
        row = {
            "name": self.case.name,
            "group": self.case.group,
            "expected": self.case.expected,
            "got": self.got.got,
            "ok": self.got.ok,
            "secs": round(self.secs, 2),
        }
        if self.hang:
            row["hang"] = True
        if self.got.crashed:
            row["crash"] = True
        if self.got.disclosed:
            row["disclosed"] = self.got.disclosed
        if self.alive_after is not None:
            row["alive_after"] = self.alive_after
        return row


@dataclass
class Suite:
    played: list[Played] = field(default_factory=list)
    bot: BotProcess | None = None
    leaks: list[dict] = field(default_factory=list)

    async def play(self, case: Case, context) -> Played:
        began = time.monotonic()
        hang = False
        try:
            got = await asyncio.wait_for(case.run(context), case.budget)
        except (TimeoutError, httpx.TimeoutException):
            got, hang = Got(False, f"no answer within {case.budget:.0f} s"), True
        except (httpx.TransportError, ConnectionError) as error:
            got = Got(False, f"connection failed: {type(error).__name__}: {error}"[:200])
        except Exception as error:  # an exception out of the product is a crash
            got = Got(False, f"{type(error).__name__}: {error}"[:200], crashed=True)
        played = Played(case, got, time.monotonic() - began, hang or got.hang)
        if case.server and self.bot is not None:
            if not self.bot.alive():
                played.got.crashed = True
                played.got.got += f" [the bot exited: {self.bot.proc.returncode}]"
            played.alive_after = await self.bot.answers()
            if not played.alive_after:
                self.bot.stop()
                await self.bot.start()
        mark = "ok " if got.ok else "FAIL"
        print(f"  {mark} {case.group:11} {case.name}: {got.got[:110]}", flush=True)
        self.played.append(played)
        return played

    async def play_group(self, group: str, context) -> None:
        print(f"{group}: {len(GROUPS[group])} cases", flush=True)
        parallel = 2 if group == "settings" else 1  # process starts; the machine has 2 cores
        gate = asyncio.Semaphore(parallel)

        async def one(case: Case):
            async with gate:
                await self.play(case, context)

        await asyncio.gather(*(one(case) for case in GROUPS[group]))

    def privacy(self, log: str) -> int:
        """How many of the names and phones the caller-data cases said appear in the bot's log
        (each counted once, however many cases said it or lines carry it)."""
        lowered = log.lower()
        joined = re.sub(r"(?<=\d)[ .\-](?=\d)", "", log)  # 07912 345-678 -> 07912345678
        said: dict[str, list[str]] = {}
        for played in self.played:
            for datum in played.case.caller_data:
                said.setdefault(datum, []).append(played.case.name)
        for datum, cases in said.items():
            plain = "".join(ch for ch in datum if ch.isdigit())
            if len(plain) >= 7:
                lines = joined.count(plain[-10:])  # the number without its 0 or +44
                kind = "phone"
            else:
                lines = lowered.count(datum.lower())
                kind = "name"
            if lines:
                self.leaks.append({"kind": kind, "occurrences": lines, "said_in": cases})
        return len(self.leaks)

    def summary(self, groups: list[str], log_file: Path | None) -> dict:
        by_group = {}
        for group in groups:
            rows = [p for p in self.played if p.case.group == group]
            by_group[group] = {"cases": len(rows), "ok": sum(p.got.ok for p in rows)}
        server = [p for p in self.played if p.case.server]
        return {
            "cases": len(self.played),
            "ok": sum(p.got.ok for p in self.played),
            "by_group": by_group,
            "crashes": sum(p.got.crashed for p in self.played),
            "hangs": sum(p.hang for p in self.played),
            "server_errors_for_client_mistakes": sum(
                p.case.client_mistake and (p.got.status or 0) >= 500 and p.got.status != 503
                for p in self.played
            ),
            "alive_after_each": all(p.alive_after for p in server) if server else None,
            "personal_data_in_logs": len(self.leaks),
            "personal_data_found": self.leaks,
            "unauthorised_disclosures": sum(bool(p.got.disclosed) for p in self.played),
            "bot_log_bytes": log_file.stat().st_size if log_file and log_file.exists() else 0,
            "machine": describe_machine(),
            "results": [p.row() for p in self.played],
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def main(groups: list[str], port: int, keep_log: Path | None) -> dict:
    suite = Suite()
    for group in ("settings", "store"):
        if group in groups:
            await suite.play_group(group, None)
    if "tools" in groups:
        async with tools.tool_bench() as bench:
            await suite.play_group("tools", bench)
    log_file = None
    if any(group in groups for group in SERVER_GROUPS):
        with tempfile.TemporaryDirectory(prefix="robust-bot-") as data:
            env = bot_env(Path(data))
            await seed(env["DATABASE_URL"], SEEDED)
            log_file = keep_log or Path(data) / "bot.log"
            suite.bot = BotProcess(port, env, log_file)
            await suite.bot.start()
            try:
                for group in SERVER_GROUPS:
                    if group in groups:
                        await suite.play_group(group, suite.bot)
            finally:
                suite.bot.stop()
                suite.privacy(suite.bot.log_text())
            summary = suite.summary(groups, log_file)
    else:
        summary = suite.summary(groups, None)
    summary["bot_restarts"] = max(0, suite.bot.starts - 1) if suite.bot else 0
    return summary


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", default=",".join(GROUPS), help="comma-separated groups")
    parser.add_argument("--port", type=int, default=0, help="the bot's port (default: a free one)")
    parser.add_argument("--only", default="", help="play only cases whose name contains this")
    parser.add_argument("--log", type=Path, help="keep the bot's whole log here")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    groups = [g for g in args.groups.split(",") if g]
    unknown = set(groups) - set(GROUPS)
    if unknown:
        parser.error(f"unknown group(s): {', '.join(sorted(unknown))}; known: {', '.join(GROUPS)}")
    if args.only:
        for group in GROUPS:
            GROUPS[group] = [case for case in GROUPS[group] if args.only in case.name]
    summary = asyncio.run(main(groups, args.port or free_port(), args.log))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    keys = ("cases", "ok", "crashes", "hangs", "server_errors_for_client_mistakes")
    keys += ("alive_after_each", "personal_data_in_logs", "unauthorised_disclosures")
    print(json.dumps({k: summary[k] for k in keys}))
    for group, counts in summary["by_group"].items():
        print(f"  {group:12} {counts['ok']:3}/{counts['cases']} as expected")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    cli()
