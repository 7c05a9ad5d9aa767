"""The pipecat.flows booking flow, driven by a scripted LLM through booking, change and cancel."""

import asyncio
import json
from datetime import date, datetime, time

import pytest
from pipecat.frames.frames import LLMMessagesAppendFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.workers.runner import WorkerRunner

from conversation.state import ConversationState
from flows.booking_flow import BookingFlow, booking_flow_manager
from flows.booking_rules import BookingRules
from flows.booking_tools import BookingTools
from flows.restaurant import Restaurant
from function_calls import Breakers
from settings import Settings
from store import ReservationStore
from tests.fakes.conversation import Heard, ResultsTakenIn
from tests.fakes.scripted_llm import ScriptedLLM, Step

NOW = datetime(2030, 1, 2, 10, 0)
RESTAURANT = Restaurant(name="Chez Test", hours="from noon to ten", address="1 Test Road")
PHONE = "07911 123456"


@pytest.fixture
def tools(tmp_path):
    rules = BookingRules.from_settings(Settings(_env_file=None), clock=lambda: NOW)
    store = ReservationStore.open(f"sqlite:///{tmp_path}/r.db", (2, 4, 6), rules.seating)
    yield BookingTools(store, rules, "Chez Test")
    store.close()


def results(messages: list[dict]) -> list[dict]:
    return [
        json.loads(m["content"])
        for m in messages
        if m.get("role") == "tool" and str(m.get("content", "")).startswith("{")
    ]


def reference(messages: list[dict]) -> str:
    for result in reversed(results(messages)):
        if "booking" in result:
            return result["booking"]["reference"]
        if "bookings" in result:
            return result["bookings"][0]["reference"]
    raise AssertionError("no booking in the context")


def read_back(messages: list[dict]) -> Step:
    return Step(results(messages)[-1]["read_back"])


def confirm(messages: list[dict]) -> Step:
    ref = reference(messages)
    return Step(
        f"Done, reference {' '.join(ref)}.", calls=[("send_confirmation", {"reference": ref})]
    )


class FlowCall:
    """The flow on a real pipeline and worker, with the scripted LLM in Claude's place."""

    def __init__(self, tools: BookingTools, script, state: ConversationState | None = None):
        self.llm = ScriptedLLM(script)
        self.context = LLMContext()
        pair = LLMContextAggregatorPair(self.context)
        self.heard = Heard()
        assistant = pair.assistant()
        self.worker = PipelineWorker(
            Pipeline([pair.user(), self.llm, self.heard, assistant]),
            observers=[ResultsTakenIn(assistant, self.heard)],
        )
        self.flow = BookingFlow(tools, tools.gate("call-1", Breakers()), RESTAURANT, state)
        self.manager = booking_flow_manager(
            self.flow, llm=self.llm, context_aggregator=pair, worker=self.worker
        )
        self.nodes: list[str] = []

    async def run(self, *said: str, quiet: float = 0.05) -> bool:
        """Start the flow, say each line once the bot has answered the one before (not
        after a fixed pause, which a loaded machine outran), and return whether the call
        ended by itself."""
        started = asyncio.Event()

        @self.worker.event_handler("on_pipeline_started")
        async def on_started(worker, frame):
            started.set()

        runner = WorkerRunner(handle_sigint=False)
        await runner.add_workers(self.worker)
        running = asyncio.create_task(runner.run())
        await asyncio.wait_for(started.wait(), 5)
        answered = 0  # the flow's first node speaks first
        await self.manager.initialize(self.flow.start())
        for text in said:
            await self.heard.answered(answered, quiet, timeout=10)
            self.nodes.append(self.manager.current_node)
            answered = self.heard.responses
            await self.worker.queue_frames(
                [LLMMessagesAppendFrame([{"role": "user", "content": text}], run_llm=True)]
            )
        await self.heard.answered(answered, quiet, timeout=10)
        ended = running.done()
        if not ended:
            try:
                await asyncio.wait_for(asyncio.shield(running), 1.0)
                ended = True
            except TimeoutError:
                await self.worker.cancel()
        await running
        return ended


async def seed(tools, party_size=2):
    return await tools.store.book(
        name="Ada",
        phone="+447911123456",
        day=date(2030, 1, 3),
        at=time(19),
        party_size=party_size,
        notes="",
        idempotency_key="seed",
    )


async def test_a_booking_goes_from_greeting_to_confirmation_to_goodbye(tools):
    booking = {
        "name": "Anna Smith",
        "phone": PHONE,
        "date": "2030-01-03",
        "time": "19:30",
        "party_size": 4,
    }
    call = FlowCall(
        tools,
        [
            Step("Hello, Chez Test, how can I help?"),
            Step(calls=[("start_booking", {})]),
            Step(
                calls=[
                    ("check_availability", {"date": "2030-01-03", "time": "19:30", "party_size": 4})
                ]
            ),
            Step("A table is free. What name and phone number?"),
            Step("Four people on Thursday 3 January at 7:30 pm, for Anna Smith. Shall I book it?"),
            Step(calls=[("book_table", booking)]),
            confirm,
            Step("Anything else?"),
            Step(calls=[("end_call", {})]),
            Step("Goodbye!"),
        ],
    )
    ended = await call.run(
        "A table for four tomorrow at half past seven, please.",
        f"Anna Smith, {PHONE}.",
        "Yes, book it.",
        "No, that's all. Bye!",
    )
    assert call.nodes == ["start", "details", "details", "anything_else"]
    (made,) = await tools.store.bookings()
    assert (made.name, made.party_size, made.status) == ("Anna Smith", 4, "confirmed")
    (sms,) = await tools.store.outbox()
    assert sms.booking_reference == made.reference
    assert ended, "the goodbye node's end_conversation did not end the call"
    # The role message became the system instruction, with today's date for the LLM's dates.
    assert "Today is Wednesday 2 January 2030 (2030-01-02)" in call.llm._settings.system_instruction


async def test_a_change_is_found_read_back_confirmed_and_written(tools):
    await seed(tools)
    call = FlowCall(
        tools,
        [
            Step("Hello, how can I help?"),
            Step(calls=[("manage_booking", {})]),
            Step("What phone number is the booking under?"),
            Step(calls=[("find_booking", {"phone": PHONE, "name": "Ada"})]),
            Step("I found your booking for 2 on Thursday at 7 pm. What would you like to do?"),
            lambda m: Step(
                calls=[("change_booking", {"reference": reference(m), "party_size": 6})]
            ),
            read_back,
            lambda m: Step(
                calls=[("change_booking", {"reference": reference(m), "party_size": 6})]
            ),
            confirm,
            Step("Anything else?"),
        ],
    )
    await call.run(
        "I need to change my booking.", f"{PHONE}, under Ada.", "Make it six people.", "Yes please."
    )
    assert call.nodes == ["start", "find", "manage", "manage"]
    (changed,) = await tools.store.bookings()
    assert changed.party_size == 6
    assert "6 people" in (await tools.store.outbox())[0].body
    read = [r for r in results(call.context.get_messages()) if "read_back" in r]
    assert read[0]["read_back"].startswith("I will change the booking under the name Ada")


async def test_a_cancel_is_refused_until_the_caller_says_yes_then_written(tools):
    await seed(tools)
    call = FlowCall(
        tools,
        [
            Step("Hello, how can I help?"),
            Step(calls=[("manage_booking", {})]),
            Step(calls=[("find_booking", {"phone": PHONE, "name": "Ada"})]),
            lambda m: Step(
                calls=[("cancel_booking", {"reference": reference(m)})]
            ),  # no consent yet
            read_back,
            lambda m: Step(calls=[("cancel_booking", {"reference": reference(m)})]),
            confirm,
            Step("Anything else?"),
        ],
    )
    await call.run(
        f"Please cancel my booking under the name Ada, my number is {PHONE}.", "Yes, cancel it."
    )
    cancels = [
        r for r in results(call.context.get_messages()) if "read_back" in r or "booking" in r
    ]
    assert cancels[0]["status"] == "confirmation_required"
    assert cancels[1]["booking"]["status"] == "cancelled"
    assert [b.status for b in await tools.store.bookings()] == ["cancelled"]


async def test_a_person_can_be_asked_for_from_any_node(tools):
    call = FlowCall(
        tools,
        [
            Step("Hello, how can I help?"),
            Step(calls=[("start_booking", {})]),
            Step(calls=[("transfer_to_human", {"reason": "wants a person", "phone": PHONE})]),
            Step("Someone will be with you shortly."),
        ],
    )
    await call.run("I want to book.", "Actually, can I talk to a person?")
    assert call.manager.current_node == "anything_else"
    (note,) = await tools.store.outbox()
    assert note.channel == "staff"


def test_the_on_device_brain_gets_the_tools_and_a_generative_llm_gets_the_flow(tmp_path):
    from app.call_parts import booking_session

    database = f"sqlite:///{tmp_path}/r.db"
    offline = booking_session(Settings(_env_file=None, database_url=database), RESTAURANT)
    assert not offline.uses_flow
    assert [t.name for t in offline.context_tools()] == [
        "end_call",
        "check_availability",
        "book_table",
        "find_booking",
        "change_booking",
        "cancel_booking",
        "send_confirmation",
        "transfer_to_human",
    ]
    claude = booking_session(
        Settings(_env_file=None, database_url=database, anthropic_api_key="sk-test"), RESTAURANT
    )
    assert claude.uses_flow and claude.context_tools() == []


async def test_a_phone_alone_finds_nothing_and_the_flow_stays_to_ask_again(tools):
    await seed(tools)  # Ada's booking, made before this call
    call = FlowCall(
        tools,
        [
            Step("Hello, how can I help?"),
            Step(calls=[("manage_booking", {})]),
            Step(calls=[("find_booking", {"phone": PHONE})]),
            lambda m: Step(results(m)[-1]["message"]),
        ],
    )
    await call.run("I want to cancel my booking.", f"It's {PHONE}.")
    found = results(call.context.get_messages())[-1]
    assert found["error"] == "not_found"
    assert "Ada" not in json.dumps(found) and "19:00" not in json.dumps(found)
    assert call.manager.current_node == "find"
    assert "never say or guess any booking's name" in json.dumps(call.context.get_messages())
