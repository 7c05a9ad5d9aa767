"""The state extractor: slots from the caller's words (on-device parser or a checked model
reading), corrections, no invented slots, and readings kept off the reply's path."""

import asyncio
import json
import time
from datetime import datetime

import pytest
from pipecat.frames.frames import (
    BotStoppedSpeakingFrame,
    FunctionCallResultFrame,
    LLMContextAssistantTurnFrame,
    LLMContextFrame,
)
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.services.llm_service import LLMService
from pipecat.tests.utils import SleepFrame, run_test

from conversation.call import Call
from conversation.extraction import ModelExtraction, ParserExtraction
from conversation.messages import READ_CHARS
from conversation.redaction import Redactor
from flows.booking_rules import BookingRules
from flows.restaurant import Restaurant
from flows.restaurant_slot_reader import RestaurantSlotReader
from processors.state_extractor import StateExtractor
from services.ondevice_llm import fixed_llm_settings
from settings import Settings
from tests.fakes.pipeline import PipelineRun

NOW = datetime(2026, 11, 18, 10, 0)  # a Wednesday
FRIDAY = "2026-11-20"


@pytest.fixture
def reader() -> RestaurantSlotReader:
    settings = Settings(_env_file=None)
    rules = BookingRules.from_settings(settings, clock=lambda: NOW)
    return RestaurantSlotReader(Restaurant.from_settings(settings), rules)


@pytest.fixture
def call() -> Call:
    return Call(redactor=Redactor("GB"))


class Dialogue:
    """Contexts as the user aggregator sends them: each one the last plus a new turn."""

    def __init__(self):
        self.messages: list[dict] = []

    def bot(self, text: str) -> LLMContextAssistantTurnFrame:
        self.messages.append({"role": "assistant", "content": text})
        return LLMContextAssistantTurnFrame(text=text, timestamp="")

    def caller(self, text: str) -> LLMContextFrame:
        self.messages.append({"role": "user", "content": text})
        return LLMContextFrame(context=LLMContext(messages=list(self.messages)))


async def extract(extractor: StateExtractor, *lines: str):
    """Run caller lines through the extractor; a line starting with "BOT:" is the bot's."""
    dialogue, frames = Dialogue(), []
    for line in lines:
        if line.startswith("BOT:"):
            frames.append(dialogue.bot(line.removeprefix("BOT:").strip()))
        else:
            frames += [dialogue.caller(line), SleepFrame(0.05)]
    await run_test(extractor, frames_to_send=frames)


def parser_extractor(call, reader, **kwargs) -> StateExtractor:
    return StateExtractor(call, ParserExtraction(reader), **kwargs)


def slot_values(call: Call) -> dict[str, str]:
    return {name: slot.value for name, slot in call.state.slots.items()}


@pytest.mark.parametrize(
    "said",
    [
        "I'd like a table for four on Friday at seven thirty.",
        "Can I book for 4 people this Friday, around half seven?",
        "Table for four, Friday, 7:30 pm please.",
        "There'll be four people, on Friday the 20th at 19:30.",
    ],
)
async def test_day_time_and_party_size_are_read_from_several_phrasings(call, reader, said):
    await extract(parser_extractor(call, reader), said)
    assert slot_values(call) == {"day": FRIDAY, "at": "19:30", "party_size": "4"}
    assert call.state.intent == "book"
    assert {slot.source_turn for slot in call.state.slots.values()} == {1}


async def test_a_bare_answer_fills_the_slot_the_bot_asked_for(call, reader):
    await extract(
        parser_extractor(call, reader),
        "I'd like to book a table.",
        "BOT: Of course. For how many people?",
        "Four, please.",
        "BOT: What name should I put the booking under?",
        "Anna Kowalski.",
    )
    assert slot_values(call) == {"party_size": "4", "name": "Anna Kowalski"}
    assert call.state.slots["name"].source_turn == 3
    assert call.state.slots["party_size"].confidence < 0.9  # bare: less sure than "4 people"


async def test_a_detail_read_from_words_that_sound_like_it_is_not_trusted(call, reader):
    await extract(parser_extractor(call, reader), "A table for free on Friday at 8pm.")
    assert slot_values(call)["party_size"] == "3"
    assert call.state.trusted(["day", "at", "party_size"]) == {"day": FRIDAY, "at": "20:00"}


@pytest.mark.parametrize(
    ("question", "slot"),
    [
        ("I heard 0 7 1 2 3 — could you say the whole number again, digit by digit?", "phone"),
        ("Was that 3 people?", "party_size"),
        ("Was that 8:50 pm?", "at"),
        ("Was that Sunday 13 January?", "day"),
    ],
)
def test_the_offline_brains_new_questions_name_the_slot_they_ask_for(reader, question, slot):
    assert reader.asked_slot(question) == slot


async def test_a_correction_replaces_the_slot(call, reader):
    await extract(
        parser_extractor(call, reader),
        "A table for four on Friday at seven, please.",
        "BOT: Good news, we have a table. What name should I put the booking under?",
        "Actually, make it six.",
    )
    party = call.state.slots["party_size"]
    assert (party.value, party.source_turn) == ("6", 2)
    assert slot_values(call)["at"] == "19:00"  # the other slots stay


@pytest.mark.parametrize(
    "said",
    [
        "What time do you close on Sunday?",
        "Hello, is that Luigi's?",
        "I'd like to book a table, please.",
        "Where are you? Is it far from the station, the one on Friday Street?",
    ],
)
async def test_no_slot_is_invented(call, reader, said):
    await extract(parser_extractor(call, reader), said)
    assert call.state.slots == {}


async def test_the_turn_count_and_intent_follow_the_call(call, reader):
    await extract(
        parser_extractor(call, reader),
        "When are you open?",
        "BOT: We are open every day from noon.",
        "Great, I'd like to book a table.",
        "BOT: For how many people?",
        "Could you say that again?",
    )
    assert call.state.turn == 3
    assert call.state.intent == "book"  # "say that again" leaves the goal as it was
    assert "opening hours" in call.state.summary and "book a table" in call.state.summary
    assert call.state.open_questions == ["For how many people?"]


async def test_a_tool_result_goes_into_the_summary(call, reader):
    result = FunctionCallResultFrame(
        function_name="book_table",
        tool_call_id="call-1",
        arguments={},
        result={"ok": True, "booking": {"reference": "482913"}},
    )
    await run_test(parser_extractor(call, reader), frames_to_send=[result])
    assert "Booked, reference 482913." in call.state.summary


async def test_the_reading_waits_until_the_bot_has_answered(call, reader):
    extractor = parser_extractor(call, reader, max_delay_secs=30)
    dialogue = Dialogue()
    async with PipelineRun([extractor]) as run:
        await run.send(dialogue.caller("A table for two tomorrow at eight."))
        await run.wait_until(lambda: call.state.turn == 1, "the turn to be counted")
        await asyncio.sleep(0.3)
        assert call.state.slots == {}, "read before the bot answered"
        answered = time.monotonic()
        await run.send(BotStoppedSpeakingFrame())
        await run.wait_until(lambda: call.state.slots, "the turn to be read")
    reading_started = extractor.work_spans[-1][0]
    assert reading_started >= answered


async def test_a_turn_the_bot_never_answers_is_read_after_the_longest_wait(call, reader):
    extractor = parser_extractor(call, reader, max_delay_secs=0.2)
    async with PipelineRun([extractor]) as run:
        await run.send(Dialogue().caller("A table for two tomorrow at eight."))
        await run.wait_until(lambda: call.state.slots, "the turn to be read")
    assert slot_values(call)["party_size"] == "2"


async def test_a_turn_is_read_once_the_caller_speaks_again_unanswered(call, reader):
    extractor = parser_extractor(call, reader, max_delay_secs=30)
    dialogue = Dialogue()
    async with PipelineRun([extractor]) as run:
        await run.send(dialogue.caller("A table for two tomorrow at eight."))
        await run.wait_until(lambda: call.state.turn == 1, "the turn to be counted")
        await run.send(dialogue.caller("Under the name Anna Smith."))
        await run.wait_until(lambda: call.state.slots, "the first turn to be read")
        assert slot_values(call)["party_size"] == "2"
        assert "name" not in call.state.slots  # the second waits for the bot's answer


async def test_a_personal_question_marks_the_answer_for_redaction_until_it_is_read(call, reader):
    extractor = parser_extractor(call, reader, max_delay_secs=30)
    dialogue = Dialogue()
    async with PipelineRun([extractor]) as run:
        await run.send(dialogue.bot("What name should I put the booking under?"))
        await run.wait_until(lambda: call.redactor.answering == "name", "the question")
        await run.send(dialogue.caller("Zofia Nowak."))
        await run.wait_until(lambda: call.state.turn == 1, "the answer to be counted")
        await run.send(BotStoppedSpeakingFrame())
        await run.wait_until(lambda: call.state.slots, "the answer to be read")
    assert call.redactor.answering is None
    assert call.redactor.redact("Thank you, Zofia.") == "Thank you, [NAME]."


class StateModel(LLMService):
    """A small fast model that answers `run_inference` with a scripted reply."""

    def __init__(self, reply: str | Exception):
        super().__init__(settings=fixed_llm_settings("state-model"))
        self._reply = reply
        self.requests: list[dict] = []

    async def run_inference(
        self, context, max_tokens=None, system_instruction=None, response_schema=None
    ):
        self.requests.append(
            {
                "messages": context.get_messages(),
                "system_instruction": system_instruction,
                "response_schema": response_schema,
            }
        )
        if isinstance(self._reply, Exception):
            raise self._reply
        return self._reply


def model_reply(**fields) -> str:
    reading = {"intent": "book", "slots": [], "summary": "", "open_questions": []}
    return json.dumps({**reading, **fields})


async def test_the_model_reads_the_turn_with_a_response_schema(call, reader):
    model = StateModel(
        model_reply(
            slots=[
                {"name": "party_size", "value": "6", "evidence": "make it six", "confidence": 0.9}
            ],
            summary="The caller is booking a table and changed it to six people.",
        )
    )
    await extract(StateExtractor(call, ModelExtraction(model, reader)), "Actually, make it six.")
    assert slot_values(call) == {"party_size": "6"}
    assert call.state.summary == "The caller is booking a table and changed it to six people."
    (request,) = model.requests
    schema = request["response_schema"]
    assert schema["required"] == ["intent", "slots", "summary", "open_questions"]
    assert schema["properties"]["slots"]["items"]["properties"]["name"]["enum"] == list(
        reader.slot_descriptions
    )
    assert json.loads(request["messages"][0]["content"])["caller_said"] == "Actually, make it six."


async def test_a_slot_the_model_invents_is_dropped(call, reader):
    model = StateModel(
        model_reply(
            slots=[
                {"name": "name", "value": "Maria", "evidence": "my name is Maria", "confidence": 1},
                {"name": "phone", "value": "+447911123456", "evidence": "", "confidence": 1},
                {"name": "at", "value": "20:00", "evidence": "for two", "confidence": 0.9},
                {"name": "party_size", "value": "2", "evidence": "for two", "confidence": 0.9},
            ]
        )
    )
    await extract(StateExtractor(call, ModelExtraction(model, reader)), "A table for two, please.")
    assert slot_values(call) == {"party_size": "2"}


@pytest.mark.parametrize("reply", ["not json at all", TimeoutError(), ConnectionError("down")])
async def test_when_the_model_fails_the_parser_reads_the_turn(call, reader, reply):
    model = StateModel(reply)
    await extract(
        StateExtractor(call, ModelExtraction(model, reader)), "A table for two tomorrow at 8."
    )
    assert slot_values(call) == {"day": "2026-11-19", "at": "20:00", "party_size": "2"}


def test_a_cloud_llm_gets_a_small_model_reader_and_offline_gets_the_parser(reader):
    from app.call_parts import state_extraction

    offline = Settings(_env_file=None)
    claude = Settings(_env_file=None, llm_provider="anthropic", anthropic_api_key="sk-ant-fake")
    local = Settings(_env_file=None, openai_base_url="http://127.0.0.1:1/v1", state_model="small")
    assert isinstance(state_extraction(offline, reader), ParserExtraction)
    for settings, model in ((claude, "claude-haiku-4-5"), (local, "small")):
        extraction = state_extraction(settings, reader)
        assert isinstance(extraction, ModelExtraction)
        assert extraction.llm.settings.model == model


async def test_claude_reads_the_turn_through_run_inference_with_the_schema(reader, call):
    """The real AnthropicLLMService, against a local server speaking the Messages API."""
    from aiohttp import web

    from app.call_parts import state_extraction

    bodies: list[dict] = []
    reading = model_reply(
        slots=[
            {
                "name": "name",
                "value": "Anna Kowalski",
                "evidence": "Anna Kowalski",
                "confidence": 0.9,
            }
        ],
        summary="The caller gave their name.",
    )

    async def messages(request: web.Request) -> web.Response:
        bodies.append(await request.json())
        return web.json_response(
            {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": "claude-haiku-4-5",
                "content": [{"type": "text", "text": reading}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": 10, "output_tokens": 10},
            }
        )

    app = web.Application()
    app.router.add_post("/v1/messages", messages)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        settings = Settings(
            _env_file=None,
            llm_provider="anthropic",
            anthropic_api_key="sk-ant-fake",
            anthropic_base_url=f"http://{host}:{port}",
        )
        extractor = StateExtractor(call, state_extraction(settings, reader))
        await extract(extractor, "BOT: What name should I put the booking under?", "Anna Kowalski.")
    finally:
        await runner.cleanup()
    assert slot_values(call) == {"name": "Anna Kowalski"}
    (body,) = bodies
    assert body["model"] == "claude-haiku-4-5"
    assert body["output_config"]["format"]["type"] == "json_schema"
    assert "Never guess a slot" in str(body["system"])


async def test_after_the_model_fails_the_parser_reads_alone_until_the_model_is_tried_again(reader):
    from conversation.state import ConversationState

    now = [0.0]
    model = StateModel(ConnectionError("down"))
    extraction = ModelExtraction(model, reader, retry_after_secs=30, clock=lambda: now[0])
    state = ConversationState()
    await extraction.read(state, "A table for two.", None, "")
    now[0] = 10.0
    reading = await extraction.read(state, "Tomorrow at 8.", None, "")
    assert len(model.requests) == 1  # the second turn went to the parser alone
    assert reading.slots
    now[0] = 31.0
    await extraction.read(state, "For two, please.", None, "")
    assert len(model.requests) == 2  # then the model is tried again


async def test_a_caller_turn_is_read_only_up_to_the_read_limit(call, reader):
    # Details past READ_CHARS are not read: a crafted turn cannot hold the event loop.
    said = "I'd like a table for four. " + "x" * READ_CHARS + " My number is 07911 123456."
    await extract(parser_extractor(call, reader), said)
    assert slot_values(call) == {"party_size": "4"}
