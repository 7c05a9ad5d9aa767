"""Tool arguments only a model sends, through the booking tools' own Pipecat handlers and the
function-call gate (flows/booking_tools.py, function_calls/gate.py), on a real SQLite store.

Expected for every malformed argument: the clean `invalid_argument` result naming it, nothing
written, no exception out of the handler. The on-device brain never sends these; a cloud model
can.
"""

import contextlib
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench.robustness_cases.common import SEEDED, Case, Got

NOW = datetime(2030, 1, 2, 10, 0)
GOOD = {
    "name": "Ada Lovelace",
    "phone": "07911 123456",
    "date": "2030-01-03",
    "time": "19:30",
    "party_size": 4,
}


@dataclass
class ToolBench:
    """The booking tools over a fresh store, and how to call one as Pipecat would."""

    tools: Any
    store: Any
    calls: int = 0

    async def call(self, name: str, arguments: Any, messages: list | None = None) -> dict:
        """`name` through the gate's Pipecat handler, as the LLM service calls it."""
        from pipecat.processors.aggregators.llm_context import LLMContext

        from function_calls import Breakers

        self.calls += 1
        gate = self.tools.gate(f"robustness-{self.calls}", Breakers())
        results: list[dict] = []

        async def result_callback(result, properties=None):
            results.append(result)

        async def push_frame(*_args, **_kwargs):
            pass

        params = SimpleNamespace(
            function_name=name,
            tool_call_id=f"call-{self.calls}",
            arguments=arguments,
            llm=SimpleNamespace(push_frame=push_frame),
            context=LLMContext(messages or [{"role": "user", "content": "Yes, please."}]),
            result_callback=result_callback,
        )
        if name not in {spec for spec in self.tools.specs}:
            return await gate.call(name, arguments)
        await gate.handler(name)(params)
        return results[-1]


@contextlib.asynccontextmanager
async def tool_bench(data: Path | None = None):
    """The tools as the app builds them for a call (app/resources.py), on a new database in
    `data` (a temporary folder by default), the clock at NOW."""
    from app.resources import booking_tools
    from settings import Settings

    with tempfile.TemporaryDirectory(prefix="robust-tools-") as tmp:
        folder = data or Path(tmp)
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite:///{folder}/reservations.db",
            handoff_file=str(folder / "handoffs.jsonl"),  # where the app has one
        )
        tools = booking_tools(settings, clock=lambda: NOW)
        try:
            yield ToolBench(tools, tools.store)
        finally:
            tools.store.close()


def _refused(result: dict, argument: str) -> bool:
    return (
        result.get("ok") is False
        and result.get("error") == "invalid_argument"
        and result.get("argument") == argument
        and bool(result.get("message"))
    )


def _shown(result: dict) -> str:
    keys = ("ok", "error", "argument", "message")
    return str({k: result[k] for k in keys if k in result})[:200]


def refusal(name: str, tool: str, arguments: Any, argument: str) -> Case:
    """A malformed call that must be refused as `invalid_argument` naming `argument`."""

    async def run(bench: ToolBench) -> Got:
        before = len(await bench.store.bookings())
        result = await bench.call(tool, arguments)
        written = len(await bench.store.bookings()) - before
        ok = _refused(result, argument) and written == 0
        return Got(ok, f"{_shown(result)}; {written} written")

    return Case(
        name=name,
        group="tools",
        expected=f"invalid_argument on {argument}, nothing written",
        run=run,
    )


def book(**changes) -> dict:
    return {**GOOD, **changes}


CASES = [
    refusal("party_size true", "book_table", book(party_size=True), "party_size"),
    refusal("party_size 2.9", "book_table", book(party_size=2.9), "party_size"),
    refusal("party_size '2.9'", "book_table", book(party_size="2.9"), "party_size"),
    refusal("party_size 1e999", "book_table", book(party_size=1e999), "party_size"),
    refusal("party_size NaN", "book_table", book(party_size=float("nan")), "party_size"),
    refusal("party_size -3", "book_table", book(party_size=-3), "party_size"),
    refusal("party_size 10**100", "book_table", book(party_size=10**100), "party_size"),
    refusal("party_size as a list", "book_table", book(party_size=[4]), "party_size"),
    refusal("time 19:30Z", "book_table", book(time="19:30Z"), "time"),
    refusal("time with an offset", "book_table", book(time="19:30+01:00"), "time"),
    refusal("time 25:99", "book_table", book(time="25:99"), "time"),
    refusal("time as a number", "check_availability", book(time=1930), "time"),
    refusal("date 31 February", "book_table", book(date="2030-02-31"), "date"),
    refusal("date 5 May 2099", "book_table", book(date="2099-05-05"), "date"),
    refusal("date as a list", "book_table", book(date=["2030-01-03"]), "date"),
    refusal("name of zero-width characters", "book_table", book(name="\u200b\u200c\u2060"), "name"),
    refusal("name with an RTL override", "book_table", book(name="Ada \u202eecalevoL"), "name"),
    refusal("name as a list", "book_table", book(name=["Ada", "Lovelace"]), "name"),
    refusal("notes as an object", "book_table", book(notes={"allergy": "nuts"}), "notes"),
    refusal("phone true", "book_table", book(phone=True), "phone"),
    refusal("phone of letters", "book_table", book(phone="call me maybe"), "phone"),
    refusal("arguments as a list", "book_table", ["2030-01-03", "19:30", 4], "arguments"),
    refusal("arguments as a string", "book_table", "party of 4 at 7.30", "arguments"),
    refusal("arguments null", "check_availability", None, "date"),
    refusal("find_booking with nothing to find by", "find_booking", {}, "phone"),
]


async def _unknown_tool(bench: ToolBench) -> Got:
    result = await bench.call("drop_all_bookings", {"confirm": True})
    return Got(result.get("ok") is False and result.get("error") == "unknown_tool", _shown(result))


async def _extra_keys(bench: ToolBench) -> Got:
    """Keys the schema does not have are ignored, not obeyed (no reference chosen by a model)."""
    result = await bench.call("book_table", book(reference="000000", table_id=1, __class__="x"))
    (booking,) = [b for b in await bench.store.bookings() if b.name == "Ada Lovelace"]
    ok = result.get("ok") is True and booking.reference != "000000"
    return Got(ok, f"{_shown(result)}; reference {'chosen' if not ok else 'minted'} by the store")


async def _find_by_phone_alone(bench: ToolBench) -> Got:
    """A booking found by its phone number alone is not read out to an unverified caller."""
    from datetime import time, timedelta

    await bench.store.book(
        name=SEEDED.name,
        phone=SEEDED.phone,
        day=NOW.date() + timedelta(days=SEEDED.in_days),
        at=time(19, 15),
        party_size=SEEDED.party_size,
        notes="",
        idempotency_key="robust-tools-seed",
    )
    result = await bench.call("find_booking", {"phone": SEEDED.phone})
    disclosed = SEEDED.disclosed_in(str(result))
    return Got(not disclosed, _shown(result), disclosed=disclosed)


CASES += [
    Case("unknown tool name", "tools", "unknown_tool, nothing run", _unknown_tool),
    Case(
        "extra keys in the arguments",
        "tools",
        "booked with the store's own reference; extra keys ignored",
        _extra_keys,
    ),
    Case(
        "find_booking by phone alone",
        "tools",
        "no name, party or time of the booking in the result before verification",
        _find_by_phone_alone,
    ),
]
