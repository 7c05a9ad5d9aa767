"""Settings: `python bot.py` started with one bad setting must stop, with one line naming it.

Pipecat logs while its modules are imported (its version banner; with the WebRTC transport an
SCTP DEBUG line), before our settings are read: records logged from a module's top level
(`:<module>:` in loguru's format) are not ours and are not counted. Everything else the process
prints must be one line.
"""

import asyncio
import itertools
import tempfile
from pathlib import Path

from bench.robustness_cases.common import Case, Got, bot_env, run_process

START_SECS = 30.0
"""A process start (imports included) on a busy 2-core machine; a bot that is still running
then did not refuse its setting."""

IMPORT_TIME = ":<module>:"
PORTS = itertools.count(18560)
"""A port each, so two bots that wrongly start do not meet."""


def _one_line(setting: str, env: dict[str, str]) -> Got:
    code, out = run_process(env, ["--port", str(next(PORTS))], START_SECS)
    lines = [line for line in out.splitlines() if line.strip() and IMPORT_TIME not in line]
    shown = " | ".join(lines[:3])[:300]
    if code is None:
        return Got(False, f"started and listened: {shown}")
    crashed = "Traceback (most recent call last)" in out
    ok = code != 0 and len(lines) == 1 and setting in lines[0] and not crashed
    return Got(ok, f"exit {code}, {len(lines)} line(s): {shown}", crashed=crashed)


def _setting_case(name: str, setting: str, expected: str, **env: str) -> Case:
    async def run(_context) -> Got:
        with tempfile.TemporaryDirectory(prefix="robust-settings-") as data:
            values = {k: v.replace("{data}", data) for k, v in env.items()}
            if "{file}" in str(env):
                (Path(data) / "a-file").write_text("not a folder")
            values = {k: v.replace("{file}", f"{data}/a-file") for k, v in values.items()}
            return await asyncio.to_thread(_one_line, setting, bot_env(Path(data), **values))

    return Case(
        name=name,
        group="settings",
        expected=f"stops (non-zero exit) with one line naming {setting}: {expected}",
        run=run,
        budget=START_SECS + 5,
    )


CASES = [
    _setting_case(
        "seating opens after last seating",
        "SEATING_OPENS",
        "no table could ever be booked",
        SEATING_OPENS="22:00",
    ),
    _setting_case(
        "seating opens after the late last seating",
        "SEATING_OPENS",
        "not before LAST_SEATING_LATE",
        SEATING_OPENS="21:00",
        LAST_SEATING="22:00",
        LAST_SEATING_LATE="20:00",
    ),
    _setting_case(
        "database folder under a file",
        "DATABASE_URL",
        "the folder cannot be created",
        DATABASE_URL="sqlite:///{file}/sub/reservations.db",
    ),
    _setting_case(
        "conversations folder under a file",
        "CONVERSATIONS_DATABASE_URL",
        "the folder cannot be created",
        CONVERSATIONS_DATABASE_URL="sqlite:///{file}/sub/conversations.db",
    ),
    _setting_case(
        "postgresql+asyncpg without the driver",
        "DATABASE_URL",
        "the driver asyncpg is not installed",
        DATABASE_URL="postgresql+asyncpg://bot:secret@127.0.0.1:1/bookings",
    ),
    _setting_case(
        "mysql without a driver",
        "CONVERSATIONS_DATABASE_URL",
        "the driver is not installed",
        CONVERSATIONS_DATABASE_URL="mysql://bot:secret@127.0.0.1:1/calls",
    ),
    _setting_case(
        "in-memory sqlite://",
        "DATABASE_URL",
        "refused: one empty database per thread",
        DATABASE_URL="sqlite://",
    ),
    _setting_case(
        "in-memory sqlite:///:memory:",
        "DATABASE_URL",
        "refused: one empty database per thread",
        DATABASE_URL="sqlite:///:memory:",
    ),
    _setting_case(
        "unknown database dialect",
        "DATABASE_URL",
        "no database SQLAlchemy knows",
        DATABASE_URL="nosuchdb://host/db",
    ),
    _setting_case(
        "ICE servers not JSON nor a URL list",
        "PIPECAT_ICE_SERVERS",
        "cannot be read",
        PIPECAT_ICE_SERVERS='[{"urls": ',
    ),
    _setting_case(
        "ICE server URL without a scheme",
        "PIPECAT_ICE_SERVERS",
        "not a STUN or TURN URL",
        PIPECAT_ICE_SERVERS="stun.example.com:3478",
    ),
    _setting_case(
        "TURN server without credentials",
        "PIPECAT_ICE_SERVERS",
        "needs a username and a credential",
        PIPECAT_ICE_SERVERS='[{"urls": "turn:turn.example.com:3478"}]',
    ),
    _setting_case("MAX_SESSIONS zero", "MAX_SESSIONS", "at least one call", MAX_SESSIONS="0"),
    _setting_case(
        "MAX_SESSIONS not a number", "MAX_SESSIONS", "a whole number", MAX_SESSIONS="lots"
    ),
    _setting_case(
        "party size larger than any table",
        "MAX_PARTY_SIZE",
        "larger than the largest table",
        MAX_PARTY_SIZE="12",
    ),
    _setting_case(
        "unknown time zone",
        "RESTAURANT_TIMEZONE",
        "not a time zone",
        RESTAURANT_TIMEZONE="Mars/Olympus_Mons",
    ),
    _setting_case(
        "anthropic chosen without a key",
        "LLM_PROVIDER",
        "needs ANTHROPIC_API_KEY",
        LLM_PROVIDER="anthropic",
    ),
    _setting_case("negative VAD stop", "VAD_STOP_SECS", "out of range", VAD_STOP_SECS="-1"),
    _setting_case(
        "unknown pipeline part",
        "PIPELINE_PARTS",
        "no such part",
        PIPELINE_PARTS="default,no_such_part",
    ),
]
