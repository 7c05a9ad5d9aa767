"""The function-call gate, driven by a scripted test LLM through the real function-call machinery."""

import asyncio
import json
import time as clock
from datetime import date, datetime, time

import pytest
from pipecat.frames.frames import (
    InterruptionFrame,
    LLMTextFrame,
    TTSSpeakFrame,
)
from pipecat.tests.utils import SleepFrame

from flows.booking_rules import BookingRules
from flows.booking_tools import BookingTools
from function_calls import Breakers, is_affirmative
from settings import Settings
from store import ReservationStore, StoreUnavailable
from store.reservations import StoreError
from tests.fakes.conversation import converse as run_conversation
from tests.fakes.conversation import turns, user
from tests.fakes.scripted_llm import ScriptedLLM, Step
from tests.postgres_server import BOTH_DATABASES  # the tests whose store work differs by database

NOW = datetime(2030, 1, 2, 10, 0)
DAY = "2030-01-03"
BOOKING = {"name": "Ada", "phone": "07911 123456", "date": DAY, "time": "19:30", "party_size": 4}


class ControlledStore(ReservationStore):
    """The real store, with delays and failures injected where a test asks."""

    delays: dict[str, float]
    holds: dict[str, asyncio.Event]
    failures: dict[str, list[Exception]]
    spans: dict[str, list[tuple[float, float]]]

    async def _controlled(self, name, work):
        started = clock.monotonic()
        self.attempts[name] = self.attempts.get(name, 0) + 1
        await asyncio.sleep(self.delays.get(name, 0))
        if name in self.holds:
            await self.holds[name].wait()
        if self.failures.get(name):
            raise self.failures[name].pop(0)
        result = await work()
        self.spans.setdefault(name, []).append((started, clock.monotonic()))
        return result

    async def check_availability(self, *args, **kwargs):
        return await self._controlled(
            "check", lambda: super(ControlledStore, self).check_availability(*args, **kwargs)
        )

    async def book(self, **kwargs):
        return await self._controlled("book", lambda: super(ControlledStore, self).book(**kwargs))

    async def find(self, **kwargs):
        return await self._controlled("find", lambda: super(ControlledStore, self).find(**kwargs))


@pytest.fixture
def store(database_url):
    settings = Settings(_env_file=None)
    rules = BookingRules.from_settings(settings, clock=lambda: NOW)
    opened = ControlledStore.open(database_url, (2, 4, 6), rules.seating)
    opened.delays, opened.holds, opened.failures, opened.spans = {}, {}, {}, {}
    opened.attempts = {}
    yield opened
    opened.close()


@pytest.fixture
def tools(store):
    rules = BookingRules.from_settings(Settings(_env_file=None), clock=lambda: NOW)
    # The caller rings from the seeded bookings' number: verified (flows/caller_verification.py),
    # so these tests are about consent alone.
    return BookingTools(store, rules, "Chez Test", timeout_secs=0.3, caller_phone="+447911123456")


def make_gate(tools, breakers=None, session="session-1", **options):
    options = {"backoff_initial_secs": 0.01, "backoff_max_secs": 0.02, **options}
    return tools.gate(session, breakers or Breakers(), **options)


async def converse(gate, tools, script, frames, done_timeout: float = 30):
    """The scripted LLM in a conversation; returns the LLM (what it saw), what it said, the context.
    The call ends when the script has run out: `done_timeout` only bounds a script that never
    does (it was 3 s, and a retried booking under a loaded machine outlasted it)."""
    llm = ScriptedLLM(script)
    talk = await run_conversation(
        llm, tools.schemas(gate), frames, done=llm.finished, done_timeout=done_timeout
    )
    said = [f for f in talk.heard if isinstance(f, (LLMTextFrame, TTSSpeakFrame))]
    return llm, said, talk.context


def tool_results(messages: list[dict]) -> list[dict]:
    """Every settled tool result in the context, parsed."""
    results = []
    for message in messages:
        content = message.get("content")
        if message.get("role") == "tool" and isinstance(content, str) and content.startswith("{"):
            results.append(json.loads(content))
        elif message.get("role") == "developer" and '"async_tool"' in str(content):
            payload = json.loads(content)
            if payload.get("status") == "finished" and payload.get("result", "").startswith("{"):
                results.append(json.loads(payload["result"]))
    return results


def say_the_last_result(messages: list[dict]) -> Step:
    last = tool_results(messages)[-1]
    return Step(last.get("read_back") or last.get("message") or "Done.")


async def booked(store, day=date(2030, 1, 3), party_size=2):
    return await store.book(
        name="Ada",
        phone="+447911123456",
        day=day,
        at=time(19),
        party_size=party_size,
        notes="",
        idempotency_key=f"seed-{party_size}",
    )


async def test_cancel_without_the_callers_consent_is_refused_and_nothing_is_written(tools, store):
    made = await booked(store)
    cancel = ("cancel_booking", {"reference": made.reference})
    llm, down, _ = await converse(
        make_gate(tools),
        tools,
        [Step(calls=[cancel]), say_the_last_result],
        [user("Cancel my booking please."), SleepFrame(0.5)],
    )
    (result,) = tool_results(llm.seen[-1])
    assert result["status"] == "confirmation_required"
    assert result["read_back"] == (
        "I will cancel the booking under the name Ada for 2 people on Thursday 3 January at 7 pm. "
        "Shall I go ahead?"
    )
    assert (await store.booking(made.reference)).status == "confirmed"
    spoken = "".join(f.text for f in down if isinstance(f, LLMTextFrame))
    assert spoken == result["read_back"]


@BOTH_DATABASES
async def test_cancel_runs_once_the_caller_says_yes_to_its_read_back(tools, store):
    made = await booked(store)
    cancel = ("cancel_booking", {"reference": made.reference})
    llm, _, _ = await converse(
        make_gate(tools),
        tools,
        [Step(calls=[cancel]), say_the_last_result, Step(calls=[cancel]), say_the_last_result],
        turns("Cancel it.", "Yes please, go ahead."),
    )
    assert tool_results(llm.seen[-1])[-1]["booking"]["status"] == "cancelled"
    assert (await store.booking(made.reference)).status == "cancelled"


async def test_a_yes_to_one_read_back_does_not_consent_to_another_call(tools, store):
    first = await booked(store, party_size=2)
    second = await booked(store, party_size=6)
    llm, _, _ = await converse(
        make_gate(tools),
        tools,
        [
            Step(calls=[("cancel_booking", {"reference": first.reference})]),
            say_the_last_result,
            Step(calls=[("cancel_booking", {"reference": second.reference})]),
            say_the_last_result,
        ],
        turns("Cancel my booking.", "Yes."),
    )
    assert tool_results(llm.seen[-1])[-1]["status"] == "confirmation_required"
    assert {b.status for b in await store.bookings()} == {"confirmed"}


@pytest.mark.parametrize(
    "second_turn", ["No, don't.", "What time do you open?", "Yes. Actually, wait."]
)
async def test_anything_but_a_yes_in_the_last_turn_is_no_consent(tools, store, second_turn):
    made = await booked(store)
    cancel = ("cancel_booking", {"reference": made.reference})
    await converse(
        make_gate(tools),
        tools,
        [Step(calls=[cancel]), say_the_last_result, Step(calls=[cancel]), say_the_last_result],
        turns("Cancel it.", second_turn),
    )
    assert (await store.booking(made.reference)).status == "confirmed"


async def test_a_yes_from_an_earlier_turn_is_stale(tools, store):
    made = await booked(store)
    cancel = ("cancel_booking", {"reference": made.reference})
    await converse(
        make_gate(tools),
        tools,
        [Step(calls=[cancel]), say_the_last_result, Step("We open at noon."), Step(calls=[cancel])],
        turns("Cancel it.", "What time do you open?", "Hmm, okay."),
    )
    assert (await store.booking(made.reference)).status == "confirmed"


async def test_a_turn_taken_while_a_read_back_is_looked_up_is_not_the_answer_to_it(tools, store):
    """The read-back belongs to the turn the call answered, however long the lookup takes."""
    made = await booked(store)
    cancel = {"reference": made.reference}
    gate = make_gate(tools)
    conversation = [{"role": "user", "content": "Cancel it."}]
    store.holds["find"] = asyncio.Event()
    asked = asyncio.create_task(gate.call("cancel_booking", cancel, messages=conversation))
    while not store.attempts.get("find"):
        await asyncio.sleep(0.01)
    conversation.append({"role": "user", "content": "What time do you open?"})
    store.holds.pop("find").set()
    assert (await asked)["status"] == "confirmation_required"
    conversation.append({"role": "user", "content": "Hmm, okay."})
    again = await gate.call("cancel_booking", cancel, messages=conversation)
    assert again["status"] == "confirmation_required"
    assert (await store.booking(made.reference)).status == "confirmed"


@BOTH_DATABASES
async def test_a_booking_call_repeated_in_and_across_responses_books_once(tools, store):
    book = ("book_table", BOOKING)
    llm, _, _ = await converse(
        make_gate(tools),
        tools,
        [Step(calls=[book, book]), Step(calls=[book]), Step("Booked.")],
        [user("Book it."), SleepFrame(0.8)],
    )
    results = tool_results(llm.seen[-1])
    assert len(results) == 3
    assert len({r["booking"]["reference"] for r in results}) == 1
    assert len(await store.bookings()) == 1


@BOTH_DATABASES
async def test_a_call_replayed_after_a_reconnect_answers_with_its_first_result(tools, store):
    first = await make_gate(tools).call("book_table", BOOKING)
    replayed = await make_gate(tools).call("book_table", {**BOOKING, "time": "7:30 pm"})
    assert replayed == first
    assert len(await store.bookings()) == 1


@BOTH_DATABASES
async def test_the_same_details_in_another_session_are_not_a_replay(tools, store):
    first = await make_gate(tools, session="a").call("book_table", BOOKING)
    other = await make_gate(tools, session="b").call("book_table", BOOKING)
    assert first["ok"]
    # Not answered from the first session's record: it is a new request, which
    # would replace the caller's booking that day, so it needs their consent.
    assert other["status"] == "confirmation_required"
    assert len(await store.bookings()) == 1


async def test_a_call_that_times_out_gets_a_spoken_answer(tools, store):
    store.delays["check"] = 2.0
    check = ("check_availability", {"date": DAY, "time": "19:30", "party_size": 2})
    llm, down, _ = await converse(
        make_gate(tools),
        tools,
        [Step(calls=[check]), say_the_last_result],
        [user("Is there a table tomorrow?"), SleepFrame(1.5)],
    )
    (result,) = tool_results(llm.seen[-1])
    assert result["error"] == "failed"
    assert "could not get through" in result["message"]
    assert store.attempts["check"] == 3  # a timeout is transient: retried, then given up


@BOTH_DATABASES
async def test_a_transient_failure_is_retried_and_then_books(tools, store):
    store.failures["book"] = [StoreUnavailable("database is locked")] * 2
    llm, _, _ = await converse(
        make_gate(tools),
        tools,
        [Step(calls=[("book_table", BOOKING)]), Step("Booked.")],
        [user("Book it."), SleepFrame(0.6)],
    )
    assert tool_results(llm.seen[-1])[0]["ok"]
    assert store.attempts["book"] == 3
    assert len(await store.bookings()) == 1


async def test_a_permanent_failure_is_not_retried(tools, store):
    store.failures["book"] = [StoreError("disk image is malformed")]
    result = await make_gate(tools).call("book_table", BOOKING)
    assert (result["error"], store.attempts["book"]) == ("failed", 1)


async def test_an_open_circuit_answers_at_once_and_offers_a_human(tools, store):
    store.failures["check"] = [StoreUnavailable("down")] * 100
    gate = make_gate(tools, breakers=Breakers(failure_threshold=2))
    check = {"date": DAY, "time": "19:30", "party_size": 2}
    for _ in range(2):
        assert (await gate.call("check_availability", check))["error"] == "failed"
    attempts = store.attempts["check"]
    result = await gate.call("check_availability", check)
    # At once: the store is not even tried (the attempts count below), so no wait.
    assert result["error"] == "unavailable"
    assert "member of staff" in result["message"]
    assert await store.bookings() == []
    assert store.attempts["check"] == attempts


async def test_the_breaker_is_per_backend(tools, store):
    store.failures["check"] = [StoreUnavailable("down")] * 100
    gate = make_gate(tools, breakers=Breakers(failure_threshold=1))
    await gate.call("check_availability", {"date": DAY, "time": "19:30", "party_size": 2})
    handoff = await gate.call("transfer_to_human", {"reason": "system down"})
    assert handoff["ok"]


async def test_barge_in_during_book_table_keeps_the_booking_and_reports_it(store):
    rules = BookingRules.from_settings(Settings(_env_file=None), clock=lambda: NOW)
    tools = BookingTools(store, rules, "Chez Test", timeout_secs=2.0)
    store.delays["book"] = 0.6

    def report(messages):
        results = [r for r in tool_results(messages) if "booking" in r]
        if results:
            return Step(f"You're booked, reference {results[-1]['booking']['reference']}.")
        return Step("Still working on it.")

    llm, down, _ = await converse(
        make_gate(tools),
        tools,
        [Step(calls=[("book_table", BOOKING)]), report, report],
        [
            user("Book it."),
            SleepFrame(0.2),
            InterruptionFrame(),
            user("Hello? Are you there?"),
            SleepFrame(1.2),
        ],
    )
    (booking,) = await store.bookings()
    spoken = "".join(f.text for f in down if isinstance(f, LLMTextFrame))
    assert "Still working on it." in spoken
    assert f"You're booked, reference {booking.reference}." in spoken


async def test_barge_in_cancels_a_read_only_call(tools, store):
    store.delays["check"] = 0.25
    check = ("check_availability", {"date": DAY, "time": "19:30", "party_size": 2})
    _, _, context = await converse(
        make_gate(tools),
        tools,
        [Step(calls=[check]), Step("Sure.")],
        [user("Any table?"), SleepFrame(0.1), InterruptionFrame(), SleepFrame(0.4)],
        done_timeout=3,  # the interrupted call's answer ("Sure.") is never asked for
    )
    assert "check" not in store.spans
    tool_messages = [m for m in context.get_messages() if m.get("role") == "tool"]
    assert [m["content"] for m in tool_messages] == ["CANCELLED"]


async def test_a_slow_call_gets_one_filler_before_its_answer(tools, store):
    store.delays["check"] = 0.25
    check = ("check_availability", {"date": DAY, "time": "19:30", "party_size": 2})
    _, down, _ = await converse(
        make_gate(tools, filler_after_secs=0.1),
        tools,
        [Step(calls=[check, check]), Step("Yes, we have a table.")],
        [user("Any table tomorrow?"), SleepFrame(0.6)],
    )
    spoken = [
        f.text if isinstance(f, TTSSpeakFrame) else f"llm:{f.text}"
        for f in down
        if isinstance(f, (TTSSpeakFrame, LLMTextFrame))
    ]
    assert spoken == ["One moment while I check.", "llm:Yes, we have a table."]


async def test_a_fast_call_gets_no_filler(tools, store):
    check = ("check_availability", {"date": DAY, "time": "19:30", "party_size": 2})
    # The store answers in milliseconds; 2 s before a filler leaves room for a loaded
    # machine (0.3 s did not always).
    _, down, _ = await converse(
        make_gate(tools, filler_after_secs=2.0),
        tools,
        [Step(calls=[check]), Step("Yes.")],
        [user("Any table tomorrow?"), SleepFrame(0.5)],
    )
    assert not any(isinstance(f, TTSSpeakFrame) for f in down)


async def test_calls_of_one_response_run_concurrently(tools, store):
    store.delays["check"] = 0.2
    calls = [
        ("check_availability", {"date": DAY, "time": "19:30", "party_size": 2}),
        ("check_availability", {"date": DAY, "time": "20:00", "party_size": 4}),
    ]
    llm, _, _ = await converse(
        make_gate(tools),
        tools,
        [Step(calls=calls), Step("Both free.")],
        [user("?"), SleepFrame(0.8)],
    )
    (a_start, a_end), (b_start, b_end) = store.spans["check"]
    assert max(a_start, b_start) < min(a_end, b_end)  # the two ran at the same time
    assert len(tool_results(llm.seen[-1])) == 2


@pytest.mark.parametrize(
    ("said", "consents"),
    [
        ("Yes", True),
        ("yeah, go ahead", True),
        ("That's right.", True),
        ("That's it.", True),
        ("No, that's it.", False),
        ("Sure, please do.", True),
        ("Lovely.", True),
        ("Great, book it.", True),
        ("Great, but not on Friday.", False),
        ("Yes, but can we make it 8?", False),  # a yes taken back without a no
        ("Perfect, although could we do half 7?", False),
        ("That's right apart from the time.", False),
        ("where are you exactly?", False),  # a question, whatever yes-word it holds
        ("is it ok to cancel this late, is there a fee?", False),
        ("perfect timing, my husband just walked in, let me ask him", False),
        ("Yes, that's right?", True),  # a yes said rising
        ("OK?", True),
        ("Can you book it please?", True),  # a question that asks to go on
        ("Yes please, can you text me the details?", True),
        ("U.S. Please...", True),  # Whisper's spelling of a "Yes, please." in some accents
        ("The U.S. Please...", False),
        ("No", False),
        ("Yes. Actually, no.", False),
        ("so", False),
        ("What time do you open?", False),
        ("", False),
    ],
)
def test_what_counts_as_a_yes(said, consents):
    assert is_affirmative(said) is consents


async def test_a_database_that_fails_before_the_write_is_an_answer_not_an_exception(tools, store):
    async def broken(key):
        raise StoreUnavailable("disk I/O error")

    store.get_result = broken
    result = await make_gate(tools).call("book_table", BOOKING)
    assert (result["ok"], result["error"]) == (False, "failed")
    assert "member of staff" in result["message"]
    assert await store.bookings() == []


async def test_a_yes_late_in_a_call_consents_though_the_context_keeps_only_recent_turns(
    tools, store
):
    made = await booked(store)
    turn = 7
    gate = make_gate(tools, caller_turns=lambda: turn)
    recent = [{"role": "user", "content": f"Turn {n}."} for n in range(4, 7)]
    cancel = {"reference": made.reference}
    held = await gate.call(
        "cancel_booking", cancel, messages=[*recent, {"role": "user", "content": "Cancel it."}]
    )
    turn = 8  # the compiled context still holds four caller turns
    said_yes = [*recent[1:], {"role": "user", "content": "Cancel it."}]
    said_yes.append({"role": "assistant", "content": held["read_back"]})
    said_yes.append({"role": "user", "content": "Yes."})
    result = await gate.call("cancel_booking", cancel, messages=said_yes)
    assert result["booking"]["status"] == "cancelled"
