"""Whisper's prompt follows the question the bot just asked (services/turn_prompts.py,
services/turn_prompted_whisper.py, flows/stt_prompts.py)."""

from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    VADUserStartedSpeakingFrame,
)
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import (
    AssistantTurnStoppedMessage,
    LLMAssistantAggregator,
)
from pipecat.tests.utils import run_test

from flows.booking_progress import QUESTIONS
from flows.ondevice_bookings import NUMBER_TAKEN
from flows.stt_prompts import CALLER_PROMPTS, NAME_PROMPT, PHONE_PROMPT, REQUEST_PROMPT
from services.stt import create_stt, follow_bot_questions
from services.turn_prompts import TurnPrompts

PROMPTS = TurnPrompts({"what number?": "07911 123456", "what name?": "Jones"}, default="hi")


def test_the_question_asked_picks_the_prompt():
    assert PROMPTS.after("Thanks. And what number?") == "07911 123456"


def test_the_question_nearest_the_end_wins():
    assert PROMPTS.after("What name? Sorry, I meant: what number?") == "07911 123456"


def test_no_question_known_gives_the_default():
    assert PROMPTS.after("We are open noon to ten.") == "hi"


def test_questions_match_without_case():
    assert PROMPTS.after("WHAT NAME?") == "Jones"


def test_the_restaurant_prompts_digits_after_the_phone_question():
    assert CALLER_PROMPTS.after(f"Thank you. {QUESTIONS['phone']}") == PHONE_PROMPT


def test_the_restaurant_prompts_a_name_after_the_name_question():
    assert CALLER_PROMPTS.after(QUESTIONS["name"]) == NAME_PROMPT


def test_the_restaurant_prompts_a_name_when_a_number_is_taken():
    assert CALLER_PROMPTS.after(NUMBER_TAKEN) == NAME_PROMPT


def test_the_restaurant_prompts_a_request_after_the_greeting():
    assert CALLER_PROMPTS.after("Hello, thank you for calling. How can I help?") == REQUEST_PROMPT


def test_whisper_starts_with_the_default_prompt(offline_settings):
    service = create_stt(offline_settings, prompts=PROMPTS)
    assert service.prompt == "hi"


def test_whisper_takes_no_prompt_when_turn_prompts_are_off(offline_settings):
    settings = offline_settings.model_copy(update={"whisper_turn_prompts": False})
    service = create_stt(settings, prompts=PROMPTS)
    assert not hasattr(service, "bot_said")


async def test_the_bot_turn_that_ends_sets_the_next_prompt(offline_settings):
    service = create_stt(offline_settings, prompts=PROMPTS)
    assistant = LLMAssistantAggregator(LLMContext())
    assert follow_bot_questions(service, assistant) == 1
    message = AssistantTurnStoppedMessage(
        content="Lovely. And what name?", interrupted=False, timestamp=""
    )
    await assistant._call_event_handler("on_assistant_turn_stopped", message)
    for _, task in list(assistant._event_tasks):
        await task
    assert service.prompt == "Jones"


async def test_a_sound_begun_over_the_bot_is_transcribed_without_a_prompt(offline_settings):
    service = create_stt(offline_settings, prompts=PROMPTS)
    frames = [BotStartedSpeakingFrame(), VADUserStartedSpeakingFrame()]
    await run_test(service, frames_to_send=frames, expected_down_frames=None)
    assert service.segment_prompt is None


async def test_a_sound_begun_after_the_bot_stopped_gets_the_prompt(offline_settings):
    service = create_stt(offline_settings, prompts=PROMPTS)
    frames = [BotStartedSpeakingFrame(), BotStoppedSpeakingFrame(), VADUserStartedSpeakingFrame()]
    await run_test(service, frames_to_send=frames, expected_down_frames=None)
    assert service.segment_prompt == "hi"
