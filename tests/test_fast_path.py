"""The fast path in front of the LLM: what it answers, what it passes on, what the LLM then
sees, and the switch. No audio: the router, the processor with `run_test`, and one
text pipeline with the real context aggregators and a scripted LLM."""

import asyncio

import pytest
from pipecat.frames.frames import (
    EndWorkerFrame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMMessagesAppendFrame,
    LLMTextFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.tests.utils import run_test
from pipecat.workers.runner import WorkerRunner
from pydantic import ValidationError

from app.fast_path_part import fast_path
from flows.fast_path import RestaurantFastPath
from flows.restaurant import Restaurant
from processors.fast_path import FastPathRouter
from settings import Settings
from tests.fakes.scripted_llm import ScriptedLLM, Step

RESTAURANT = Restaurant("Luigi's Trattoria", "every day from noon to ten p.m.", "12 Harbour Street")
FAST = RestaurantFastPath(RESTAURANT)

ANSWERED = [
    ("Hello there.", "greeting", "How can I help?"),
    ("What time do you close on Saturday?", "hours", "noon to ten"),
    ("Whereabouts are you?", "address", "12 Harbour Street"),
    ("What's on the menu?", "menu", "wood-fired oven"),
    ("Do you have vegan options?", "dietary", "vegetarian, vegan or gluten-free"),
    ("Sorry, can you say that again?", "repeat", "Of course. We are open"),
    ("That's all, thanks. Bye.", "goodbye", "Goodbye!"),
]
NEAR_MISSES = [
    "Can I book for Sunday, and what are your hours?",
    "What are your hours, and where are you?",
    "Hi, I'd like a table for four tonight.",
    "What time is my booking?",
    "Are you open on Christmas Day?",
    "How late is the kitchen open?",
    "Is there parking near you?",
    "Can you text me the address?",
    "Do you have a kids menu?",
    "How much is the pasta?",
    "Is the carbonara gluten free?",
    "I'm allergic to nuts, what can I eat?",
    "Can you repeat my phone number?",
    "Goodbye? No, wait, one more question.",
    "Thanks.",
    "Yes, bye.",
    "Hello, it's Maria, about my reservation.",
    "See you on Friday at eight.",
    "Can I speak to the manager?",
]


def hearing(text: str) -> LLMContext:
    return LLMContext(
        messages=[
            {"role": "assistant", "content": "We are open every day from noon to ten p.m."},
            {"role": "user", "content": text},
        ]
    )


@pytest.mark.parametrize(("text", "intent", "said"), ANSWERED)
def test_the_fast_path_answers_each_fast_intent(text, intent, said):
    reply = FAST(text, "We are open every day from noon to ten p.m.")
    assert reply is not None and reply.intent == intent
    assert said in reply.text
    assert reply.ends_call == (intent == "goodbye")


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_the_fast_path_passes_near_misses_to_the_llm(text):
    assert FAST(text, "We are open every day from noon to ten p.m.") is None


async def test_the_processor_speaks_a_fast_reply_as_the_llm_would():
    down, _ = await run_test(
        FastPathRouter(FAST),
        frames_to_send=[LLMContextFrame(hearing("What are your opening hours?"))],
        expected_down_frames=[LLMFullResponseStartFrame, LLMTextFrame, LLMFullResponseEndFrame],
    )
    assert down[1].text == "We are open every day from noon to ten p.m."


async def test_the_processor_passes_other_turns_on_untouched():
    frame = LLMContextFrame(hearing("Can I book for Sunday, and what are your hours?"))
    down, _ = await run_test(
        FastPathRouter(FAST), frames_to_send=[frame], expected_down_frames=[LLMContextFrame]
    )
    assert down[0] is frame


async def test_repeat_says_the_bots_last_words_again_not_a_tool_call():
    context = LLMContext(
        messages=[
            {"role": "assistant", "content": "Your table for two is booked for Friday."},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "t1", "type": "function"}],
            },
            {"role": "user", "content": "Sorry, can you repeat that?"},
        ]
    )
    down, _ = await run_test(
        FastPathRouter(FAST),
        frames_to_send=[LLMContextFrame(context)],
        expected_down_frames=[LLMFullResponseStartFrame, LLMTextFrame, LLMFullResponseEndFrame],
    )
    assert down[1].text == "Of course. Your table for two is booked for Friday."


async def test_a_fast_goodbye_ends_the_call_after_it_is_said():
    down, _ = await run_test(
        FastPathRouter(FAST),
        frames_to_send=[LLMContextFrame(hearing("Thanks, bye."))],
        expected_down_frames=[
            LLMFullResponseStartFrame,
            LLMTextFrame,
            LLMFullResponseEndFrame,
            EndWorkerFrame,
        ],
    )


async def test_the_llm_sees_the_fast_turn_and_its_reply_when_it_takes_over():
    context = LLMContext()
    user, assistant = LLMContextAggregatorPair(context)
    llm = ScriptedLLM([Step("Certainly, for how many people?")])
    worker = PipelineWorker(
        Pipeline([user, FastPathRouter(FAST), llm, assistant]),
        enable_rtvi=False,
        cancel_on_idle_timeout=False,
    )
    runner = WorkerRunner(handle_sigint=False)
    await runner.add_workers(worker)
    running = asyncio.create_task(runner.run())
    try:
        for line, answers in [
            ("What are your opening hours?", 2),
            ("I'd like to book a table on Sunday.", 4),
        ]:
            append = LLMMessagesAppendFrame([{"role": "user", "content": line}], run_llm=True)
            await worker.queue_frames([append])
            async with asyncio.timeout(5):
                while len(context.get_messages()) < answers:
                    await asyncio.sleep(0.01)
    finally:
        await worker.cancel()
        await asyncio.wait_for(running, 5)
    assert len(llm.seen) == 1  # the LLM was asked once: for the booking
    assert llm.seen[0] == [
        {"role": "user", "content": "What are your opening hours?"},
        {"role": "assistant", "content": "We are open every day from noon to ten p.m."},
        {"role": "user", "content": "I'd like to book a table on Sunday."},
    ]


def test_switched_off_every_turn_goes_to_the_llm():
    claude = {"_env_file": None, "anthropic_api_key": "sk-test"}
    assert isinstance(fast_path(Settings(**claude)), FastPathRouter)
    assert fast_path(Settings(**claude, fast_path=False)) is None
    assert fast_path(Settings(_env_file=None)) is None  # the on-device brain answers anyway


def test_the_switch_reads_on_and_off_and_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("FAST_PATH", "off")
    assert Settings(_env_file=None).fast_path is False
    monkeypatch.setenv("FAST_PATH", "sometimes")
    with pytest.raises(ValidationError, match="fast_path"):
        Settings(_env_file=None)


async def test_with_claude_configured_the_bot_answers_hours_without_asking_claude(tmp_path):
    from conversation.extraction import INSTRUCTION as STATE_INSTRUCTION
    from harness.typed_call import TypedCall
    from provider_fakes import anthropic_server
    from provider_fakes.anthropic_server import FakeAnthropic, Text

    async with FakeAnthropic(lambda body: Text(["Hello, how can I help?"])) as claude:
        settings = Settings(
            _env_file=None,
            anthropic_api_key=anthropic_server.API_KEY,
            anthropic_base_url=claude.base_url,
            database_url=f"sqlite:///{tmp_path}/reservations.db",
            conversations_database_url=f"sqlite:///{tmp_path}/conversations.db",
        )

        # Claude also reads each turn's state (conversation/extraction.py): not an answer.
        def answers_asked() -> int:
            return sum(
                not str(request.body.get("system", "")).startswith(STATE_INSTRUCTION[:40])
                for request in claude.requests
            )

        async with TypedCall(settings) as call:
            await call.greet()
            asked = answers_asked()
            assert asked == 1  # the greeting is Claude's
            assert "noon" in await call.say("What are your opening hours?")
            assert answers_asked() == asked
            inner = next(p for p in call.worker.pipeline.processors if isinstance(p, Pipeline))
            assert any(isinstance(p, FastPathRouter) for p in inner.processors)


def test_a_goodbye_after_a_booking_question_is_left_to_the_llm():
    assert FAST("Okay, see you soon, bye.", "And what phone number can we reach you on?") is None


def test_a_goodbye_after_anything_else_is_answered_fast():
    reply = FAST("No thanks, bye.", "Is there anything else I can help you with?")
    assert reply is not None and reply.ends_call
