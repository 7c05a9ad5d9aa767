"""The on-device brain answers through the LLM machinery, and survives STT noise."""

import pytest
from pipecat.frames.frames import (
    EndWorkerFrame,
    FunctionCallResultFrame,
    FunctionCallsStartedFrame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMServiceMetadataFrame,
    LLMTextFrame,
)
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.tests.utils import run_test

from conversation.messages import READ_CHARS
from flows.call_tools import call_tools
from flows.ondevice_dialogue import restaurant_dialogue
from flows.restaurant import Restaurant
from services.ondevice_llm import OnDeviceLLMService, normalise, read_turn, window_score

RESTAURANT = Restaurant(name="Chez Test", hours="from six to eleven", address="1 Test Road")


async def answer(*messages: dict) -> tuple[str, list]:
    llm = OnDeviceLLMService(dialogue=restaurant_dialogue(RESTAURANT))
    context = LLMContext(messages=list(messages), tools=call_tools())
    down, _ = await run_test(llm, frames_to_send=[LLMContextFrame(context)])
    text = "".join(f.text for f in down if isinstance(f, LLMTextFrame))
    return text, list(down)


def user(text: str) -> dict:
    return {"role": "user", "content": text}


async def test_answer_is_framed_like_any_llm_response():
    _, frames = await answer(user("hello"))
    kinds = [type(f) for f in frames if not isinstance(f, LLMServiceMetadataFrame)]
    assert kinds == [LLMFullResponseStartFrame, LLMTextFrame, LLMFullResponseEndFrame]


async def test_greets_first_when_the_caller_has_not_spoken():
    text, _ = await answer({"role": "developer", "content": "Greet the caller briefly."})
    assert text.startswith("Hello, thank you for calling Chez Test")


@pytest.mark.parametrize(
    "heard",
    [
        "What time do you open?",
        "what time d'you guys open tonight",
        "Um, what are your opening ours?",  # STT dropped the h
        "Hi, how late are you open?",
    ],
)
async def test_opening_hours_survive_stt_noise(heard):
    text, _ = await answer(user(heard))
    assert text == "We are open from six to eleven."


@pytest.mark.parametrize("heard", ["Where are you located?", "Where's the restaurant?"])
async def test_address(heard):
    text, _ = await answer(user(heard))
    assert text == "You will find us at 1 Test Road."


async def test_repeat_says_the_previous_answer_again():
    text, _ = await answer(
        user("where are you"),
        {"role": "assistant", "content": "You will find us at 1 Test Road."},
        user("Sorry, could you repeat that?"),
    )
    assert text == "Of course. You will find us at 1 Test Road."


async def test_repeat_says_all_of_an_answer_given_in_two_messages():
    text, _ = await answer(
        user("Yes, book it."),
        {"role": "assistant", "content": "Your booking reference is 1 2 3."},
        {"role": "assistant", "content": "I have sent the details by text message."},
        user("Could you repeat that please?"),
    )
    assert text == (
        "Of course. Your booking reference is 1 2 3. I have sent the details by text message."
    )


async def test_anything_else_gets_the_honest_offline_reply():
    text, _ = await answer(user("Can you recommend a good wine with fish?"))
    assert text.startswith("Sorry, while I'm offline I can only help with")


async def test_a_word_one_letter_from_a_greeting_is_not_a_greeting():
    text, _ = await answer(user("They told me"))
    assert "offline" in text


async def test_goodbye_says_goodbye_then_calls_end_call_which_ends_the_worker():
    text, frames = await answer(user("That's all, thank you. Bye!"))
    assert text == "Thank you for calling Chez Test. Goodbye!"
    started = next(f for f in frames if isinstance(f, FunctionCallsStartedFrame))
    assert [call.function_name for call in started.function_calls] == ["end_call"]
    assert any(isinstance(f, FunctionCallResultFrame) for f in frames)
    assert any(isinstance(f, EndWorkerFrame) for f in frames)


async def test_content_given_as_parts_is_read():
    text, _ = await answer({"role": "user", "content": [{"type": "text", "text": "address?"}]})
    assert text == "You will find us at 1 Test Road."


def test_normalise_drops_case_apostrophes_and_punctuation():
    assert normalise("What's  YOUR address?!") == "whats your address"


def test_window_score_finds_a_phrase_inside_a_longer_sentence():
    assert (
        window_score("well hello where are you located then".split(), "where are you located")
        == 100
    )


def test_the_previous_answer_is_what_the_bot_said_before_when_it_has_not_answered_since():
    context = LLMContext(
        messages=[
            {"role": "assistant", "content": "How can I help?"},
            user("Book a table."),
            {"role": "tool", "tool_call_id": "call-1", "content": "{}"},
        ]
    )
    assert read_turn(context).last_bot_text == "How can I help?"


def test_a_caller_turn_is_read_only_up_to_the_read_limit():
    # The engine parses on the event loop: a crafted 20 kB turn held it for seconds.
    context = LLMContext(messages=[user("When do you open? " * 2000)])
    assert read_turn(context).user_text == ("When do you open? " * 2000)[:READ_CHARS]
