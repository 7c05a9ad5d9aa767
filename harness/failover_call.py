"""One scripted booking call against the provider fakes, with one fault put anywhere in it.

The LLM chain (Claude -> OpenAI-compatible server) and the TTS chain (Cartesia
-> Piper) are the product's own (`create_llm`, `create_tts`), between real
context aggregators, booking through the real function-call gate into a store
of the call's own. The fakes answer at healthy timings (`provider_fakes.faults.HEALTHY`)
from a script that follows the conversation, so whichever LLM answers a turn
says the same. `bench/failover.py` runs many; a test runs a few.
"""

import asyncio
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pipecat.frames.frames import EndFrame, LLMMessagesAppendFrame, TTSTextFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.workers.runner import WorkerRunner

from flows.booking_rules import BookingRules
from flows.booking_tools import BookingTools
from function_calls import Breakers
from provider_fakes import anthropic_server, cartesia_server
from provider_fakes.anthropic_server import FakeAnthropic, Text, ToolUse
from provider_fakes.cartesia_server import FakeCartesia
from provider_fakes.faults import HEALTHY, Fault, Faults, Timing
from provider_fakes.openai_server import FakeOpenAI
from services.failover import Switch
from services.llm import create_llm
from services.ondevice_llm import Dialogue, DialogueTurn, Reply
from services.tts import create_tts
from settings import Settings
from store import ReservationStore

NOW = datetime(2030, 1, 2, 10, 0)
BOOKING = {
    "name": "Anna Smith",
    "phone": "07911 123456",
    "date": "2030-01-03",
    "time": "19:30",
    "party_size": 4,
    "notes": "",
}
CALLER = [
    "Hi, I'd like a table for four tomorrow at half past seven.",
    "Anna Smith, 07911 123456.",
    "What time do you open?",
    "Thanks, bye.",
]
ANSWERS = [
    ["Certainly, a table for four tomorrow at half past seven. ", "What name should I use?"],
    ["You're booked for four tomorrow at half past seven. ", "We look forward to it."],
    ["We open at noon every day. ", "The kitchen closes at ten."],
    ["Thank you for calling. ", "Goodbye!"],
]
EVERY_WORD = " ".join("".join(answer) for answer in ANSWERS).split()
"""What the bot says in a call, each word once."""
LOCAL_SERVER = Timing(first_token_secs=0.3)
"""A self-hosted OpenAI-compatible server's first token (a small model on a GPU)."""
TURN_SECS = 10.0
"""A turn with no answer this long after the caller spoke is unanswered."""

Stage = Literal["llm", "tts"]
LLM_REQUESTS = 5
"""Requests to the LLM in a call: four turns and the answer after the booking."""
TTS_REPLIES = len(ANSWERS)


def _text(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    texts = [b.get("text", "") for b in content if b.get("type") == "text"]
    return " ".join(texts) if texts else None


def scripted_reply(body: dict[str, Any]) -> Text | ToolUse:
    """The answer to a request of either fake: by how many caller turns it holds, and
    whether it ends with a tool's result."""
    messages = body["messages"]
    # Consecutive caller messages may arrive merged into one: count the lines said.
    heard = " ".join(_text(m["content"]) or "" for m in messages if m["role"] == "user")
    if heard.strip() == "Say OK.":
        return Text(["OK"])
    said = [line for line in CALLER if line in heard]
    last = messages[-1]
    after_tool = last["role"] == "tool" or (
        isinstance(last["content"], list)
        and any(b.get("type") == "tool_result" for b in last["content"])
    )
    turn = min(len(said), len(ANSWERS)) - 1
    if turn == 1 and not after_tool:
        return ToolUse("book_table", BOOKING, tool_use_id="toolu_book")
    return Text(ANSWERS[turn])


def _scripted_turn(turn: DialogueTurn) -> Reply:
    """The on-device engine at the end of the chain says what the fakes say."""
    if turn.user_text is None:
        return Reply("")
    said = [index for index, line in enumerate(CALLER) if line in turn.user_text]
    index = said[-1] if said else 0
    if index == 1:
        return Reply("", calls=(("book_table", BOOKING),))
    return Reply("".join(ANSWERS[index]))


def _booked(turn: DialogueTurn) -> Reply:
    return Reply("".join(ANSWERS[1]))


SCRIPTED_DIALOGUE = Dialogue(
    intents=(), opening=_scripted_turn, fallback=_scripted_turn, on_tool_results=_booked
)


@dataclass
class CallResult:
    stage: Stage
    kind: str
    moment: int
    turns: int = 0
    unanswered: int = 0
    spoken_twice: int = 0
    bookings: int = 0
    switches: list[Switch] = field(default_factory=list)
    seconds: float = 0.0
    words: list[str] = field(default_factory=list)
    """What the bot said, word by word."""


class _Words(FrameProcessor):
    """Keeps the words the bot spoke (TTSTextFrames), in order."""

    def __init__(self):
        super().__init__()
        self.words: list[str] = []

    async def process_frame(self, frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, TTSTextFrame) and direction == FrameDirection.DOWNSTREAM:
            self.words += frame.text.split()
        await self.push_frame(frame, direction)


def _settings(claude: str, local: str, cartesia: str, data: str, probe_secs: float) -> Settings:
    return Settings(
        _env_file=None,
        anthropic_api_key=anthropic_server.API_KEY,
        anthropic_base_url=claude,
        openai_base_url=local,
        cartesia_api_key=cartesia_server.API_KEY,
        cartesia_url=cartesia,
        database_url=f"sqlite:///{data}/reservations.db",
        failover_probe_secs=probe_secs,
    )


async def run_call(stage: Stage, fault: Fault, moment: int, probe_secs: float = 1.0) -> CallResult:
    """One call of four turns with `fault` on LLM request, or TTS reply, number `moment`."""
    result = CallResult(stage=stage, kind=fault.kind, moment=moment)
    llm_faults = Faults({moment: fault} if stage == "llm" else None)
    tts_faults = Faults({moment: fault} if stage == "tts" else None)
    started = asyncio.get_running_loop().time()
    with tempfile.TemporaryDirectory() as data:
        async with (
            FakeAnthropic(scripted_reply, faults=llm_faults, timing=HEALTHY) as claude,
            FakeOpenAI(scripted_reply, timing=LOCAL_SERVER) as local,
            FakeCartesia(faults=tts_faults, timing=HEALTHY) as cartesia,
        ):
            settings = _settings(claude.base_url, local.base_url, cartesia.url, data, probe_secs)
            rules = BookingRules.from_settings(settings, clock=lambda: NOW)
            store = ReservationStore.open(settings.database_url, (2, 4, 6), rules.seating)
            try:
                tools = BookingTools(store, rules, "Chez Test")
                gate = tools.gate("call-bench", Breakers())
                llm = create_llm(
                    settings,
                    system_instruction="You answer the phone for a test restaurant.",
                    dialogue=SCRIPTED_DIALOGUE,
                )
                tts = create_tts(settings)
                await _talk(llm, tts, tools.schemas(gate), result)
                result.bookings = len(await store.bookings())
            finally:
                store.close()
            result.switches = [*llm.switches, *tts.switches]
    result.seconds = asyncio.get_running_loop().time() - started
    return result


async def _talk(llm, tts, tools, result: CallResult):
    context = LLMContext(tools=list(tools))
    user, assistant = LLMContextAggregatorPair(context)
    spoken = _Words()
    worker = PipelineWorker(
        Pipeline([user, llm, tts, spoken, assistant]),
        enable_rtvi=False,
        cancel_on_idle_timeout=False,
    )
    runner = WorkerRunner(handle_sigint=False)
    await runner.add_workers(worker)
    running = asyncio.create_task(runner.run())
    try:
        expected = 0
        for said, answer in zip(CALLER, ANSWERS, strict=True):
            result.turns += 1
            before = len(spoken.words)
            expected += len("".join(answer).split())
            await worker.queue_frame(
                LLMMessagesAppendFrame(messages=[{"role": "user", "content": said}], run_llm=True)
            )
            if not await _until(lambda e=expected: len(spoken.words) >= e, TURN_SECS):
                if len(spoken.words) == before:
                    result.unanswered += 1
                expected = len(spoken.words)
        result.words = list(spoken.words)
        result.spoken_twice = int(len(spoken.words) > len(EVERY_WORD))
        await worker.queue_frame(EndFrame())
        await asyncio.wait_for(running, TURN_SECS)
    finally:
        if not running.done():
            await worker.cancel()
            await asyncio.wait_for(running, TURN_SECS)


async def _until(condition, secs: float) -> bool:
    """Poll `condition` until it holds (True) or `secs` pass (False)."""
    deadline = asyncio.get_running_loop().time() + secs
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True
