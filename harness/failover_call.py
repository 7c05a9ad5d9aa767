"""One scripted booking call against the provider fakes, with one fault put anywhere in it.

The LLM chain (Claude -> OpenAI-compatible server) and the TTS chain (Cartesia
-> Piper) are the product's own (`create_llm`, `create_tts`), between real
context aggregators, booking through the real function-call gate into a store
of the call's own. The fakes answer at healthy timings (`provider_fakes.faults.HEALTHY`)
from a script that follows the conversation, so whichever LLM answers a turn
says the same. For a fault at the STT stage the caller speaks (Piper's voice,
harness/voices.py) into the product's STT chain (Deepgram's fake -> Whisper),
and the transcript of each turn goes on to the LLM; otherwise the caller's lines
go to the LLM as text. `bench/failover.py` runs many.
"""

import asyncio
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pipecat.frames.frames import (
    EndFrame,
    InputAudioRawFrame,
    InterimTranscriptionFrame,
    LLMMessagesAppendFrame,
    TranscriptionFrame,
    TTSAudioRawFrame,
    TTSTextFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.workers.runner import WorkerRunner

from flows.acknowledgements import CHECKING, tool_acknowledgement
from flows.booking_rules import BookingRules
from flows.booking_tools import BookingTools
from function_calls import Breakers
from harness.voices import piper_speech
from processors.tool_call_acknowledger import ToolCallAcknowledger
from provider_fakes import anthropic_server, cartesia_server, deepgram_server
from provider_fakes.anthropic_server import FakeAnthropic, Text, ToolUse
from provider_fakes.cartesia_server import FakeCartesia
from provider_fakes.deepgram_server import FakeDeepgram
from provider_fakes.faults import HEALTHY, Fault, Faults, Timing
from provider_fakes.openai_server import FakeOpenAI
from services.failover_replay import Switch
from services.llm import create_llm
from services.ondevice_llm import Dialogue, DialogueTurn, Reply
from services.stt import create_stt
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
SENTENCES = [sentence.split() for answer in ANSWERS for sentence in answer] + [CHECKING.split()]
"""What the bot says in a call, each sentence once, word by word (the acknowledgement of the
booking's tool call too: one booking turn)."""
LOCAL_SERVER = Timing(first_token_secs=0.3)
"""A self-hosted OpenAI-compatible server's first token (a small model on a GPU)."""
TURN_SECS = 10.0
"""A turn with no answer this long after the caller spoke is unanswered."""

Stage = Literal["stt", "llm", "tts"]
LLM_REQUESTS = 5
"""Requests to the LLM in a call: four turns and the answer after the booking."""
TTS_REPLIES = len(ANSWERS)
STT_TURNS = len(CALLER)
MOMENTS: dict[str, int] = {"stt": STT_TURNS, "llm": LLM_REQUESTS, "tts": TTS_REPLIES}
"""How many places a fault can go at each stage."""
KEYWORDS = ("table", "smith", "open", "bye")
"""A word of each caller line that any transcript of it keeps (Whisper's included)."""
FRAME_BYTES = 16000 * 2 // 50
"""20 ms of 16 kHz mono PCM."""


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
    said = _lines_in(heard)
    last = messages[-1]
    after_tool = last["role"] == "tool" or (
        isinstance(last["content"], list)
        and any(b.get("type") == "tool_result" for b in last["content"])
    )
    turn = max(said, default=0)
    if turn == 1 and not after_tool:
        return ToolUse("book_table", BOOKING, tool_use_id="toolu_book")
    return Text(ANSWERS[turn])


def _lines_in(heard: str) -> list[int]:
    """Which caller lines `heard` holds, by their keyword (a transcript may spell the rest
    its own way)."""
    heard = heard.lower()
    return [index for index, word in enumerate(KEYWORDS) if word in heard]


def _scripted_turn(turn: DialogueTurn) -> Reply:
    """The on-device engine at the end of the chain says what the fakes say."""
    if turn.user_text is None:
        return Reply("")
    index = max(_lines_in(turn.user_text), default=0)
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
    turn_ends: list[float] = field(default_factory=list)
    """`time.monotonic()` when each caller turn ended (the VAD's stop, or the text sent)."""
    audio_at: list[float] = field(default_factory=list)
    """`time.monotonic()` of each audio chunk the bot's output received."""
    heard: list[str] = field(default_factory=list)
    """STT stage: the transcript of each turn."""

    def failover_ms(self) -> list[tuple[float, float]]:
        """Per failover during a turn: (from when the failed service should have answered to
        the first audio of the fallback's answer, from the failed attempt's start to the
        fallback's first result), in ms. The start is the attempt that failed (LLM: the
        request; TTS: the reply's start), the last result before a drop or a stall in the
        middle of an answer, and for the STT the turn's end (its Finalize)."""
        spans = []
        for switch in self.switches:
            if switch.kind != "failover" or switch.answered_secs is None:
                continue
            attempt = switch.at - switch.duration_secs
            answered = attempt + switch.answered_secs
            if switch.quiet_secs is not None:  # a drop or a stall mid-answer: its last result
                attempt = switch.at - switch.quiet_secs
            if switch.stage == "stt":
                attempt = max((t for t in self.turn_ends if t <= answered), default=attempt)
            heard = next((t for t in self.audio_at if t >= answered), None)
            if heard is not None:
                spans.append(((heard - attempt) * 1000, switch.answered_secs * 1000))
        return spans


class _Words(FrameProcessor):
    """Keeps the words the bot spoke (TTSTextFrames), in order, and when its audio came."""

    def __init__(self, audio_at: list[float]):
        super().__init__()
        self.words: list[str] = []
        self._audio_at = audio_at

    async def process_frame(self, frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, TTSTextFrame) and direction == FrameDirection.DOWNSTREAM:
            self.words += frame.text.split()
        elif isinstance(frame, TTSAudioRawFrame):
            self._audio_at.append(time.monotonic())
        await self.push_frame(frame, direction)


class _TurnEnd(FrameProcessor):
    """Stands in for the user aggregator's turn end after the STT: the caller's audio and
    VAD frames stop here, and the turn's final transcript, once it comes after the VAD's
    stop, goes to the context as the caller's message."""

    def __init__(self, heard: list[str]):
        super().__init__()
        self._stopped = False
        self.heard = heard

    async def process_frame(self, frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, InterimTranscriptionFrame):
            pass  # the aggregator's own turn start would answer the caller again
        elif isinstance(frame, (InputAudioRawFrame, VADUserStartedSpeakingFrame)):
            self._stopped = False
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            self._stopped = True
        elif isinstance(frame, TranscriptionFrame) and self._stopped:
            self._stopped = False
            self.heard.append(frame.text)
            message = {"role": "user", "content": frame.text}
            await self.push_frame(LLMMessagesAppendFrame(messages=[message], run_llm=True))
        else:
            await self.push_frame(frame, direction)


@cache
def caller_audio(line: str, voice: Path) -> list[bytes]:
    """`line` in Piper's voice (another pace than the bot's), in 20 ms chunks."""
    audio = piper_speech(line, voice)
    return [audio[i : i + FRAME_BYTES] for i in range(0, len(audio), FRAME_BYTES)]


def _settings(urls: dict[str, str], data: str, probe_secs: float) -> Settings:
    return Settings(
        _env_file=None,
        anthropic_api_key=anthropic_server.API_KEY,
        anthropic_base_url=urls["claude"],
        openai_base_url=urls["local"],
        cartesia_api_key=cartesia_server.API_KEY,
        cartesia_url=urls["cartesia"],
        database_url=f"sqlite:///{data}/reservations.db",
        failover_probe_secs=probe_secs,
        **(
            {"deepgram_api_key": deepgram_server.API_KEY, "deepgram_base_url": urls["deepgram"]}
            if "deepgram" in urls
            else {}
        ),
    )


async def run_call(stage: Stage, fault: Fault, moment: int, probe_secs: float = 1.0) -> CallResult:
    """One call of four turns with `fault` on STT turn, LLM request or TTS reply `moment`."""
    result = CallResult(stage=stage, kind=fault.kind, moment=moment)
    llm_faults = Faults({moment: fault} if stage == "llm" else None)
    tts_faults = Faults({moment: fault} if stage == "tts" else None)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as data:
        async with (
            FakeAnthropic(scripted_reply, faults=llm_faults, timing=HEALTHY) as claude,
            FakeOpenAI(scripted_reply, timing=LOCAL_SERVER) as local,
            FakeCartesia(faults=tts_faults, timing=HEALTHY) as cartesia,
            FakeDeepgram(timing=HEALTHY) as deepgram,
        ):
            urls = {"claude": claude.base_url, "local": local.base_url, "cartesia": cartesia.url}
            if stage == "stt":
                urls["deepgram"] = deepgram.base_url
            settings = _settings(urls, data, probe_secs)
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
                chains = [llm, tts]
                if stage == "stt":
                    stt = create_stt(settings)
                    chains.append(stt)
                    speak = _Speaker(stt, deepgram, fault, moment, settings.piper_voice)
                else:
                    speak = None
                await _talk(chains, tools.schemas(gate), result, speak)
                result.bookings = len(await store.bookings())
            finally:
                store.close()
            result.switches = [s for chain in chains for s in chain.switches]
    result.seconds = time.monotonic() - started
    return result


@dataclass
class _Speaker:
    """The caller's voice: each line into the STT chain, the fault on Deepgram's turn `moment`."""

    stt: FrameProcessor
    deepgram: FakeDeepgram
    fault: Fault
    moment: int
    voice: Path

    async def say(self, worker: PipelineWorker, turn: int, line: str, ends: list[float]):
        self.deepgram.say(line, self.fault if turn == self.moment else None)
        frames = [
            InputAudioRawFrame(chunk, sample_rate=16000, num_channels=1)
            for chunk in caller_audio(line, self.voice)
        ]
        await worker.queue_frames([VADUserStartedSpeakingFrame(), *frames])
        ends.append(time.monotonic())
        await worker.queue_frame(VADUserStoppedSpeakingFrame())


async def _talk(chains: list, tools, result: CallResult, speaker: _Speaker | None):
    llm, tts = chains[0], chains[1]
    context = LLMContext(tools=list(tools))
    user, assistant = LLMContextAggregatorPair(context)
    spoken = _Words(result.audio_at)
    turn_end = _TurnEnd(result.heard)
    front = [speaker.stt, turn_end] if speaker else []
    # The product's acknowledgement of a tool call, while a generative LLM answers.
    acknowledger = ToolCallAcknowledger(
        tool_acknowledgement, enabled=lambda: llm.active_name != "ondevice"
    )
    worker = PipelineWorker(
        Pipeline([*front, user, llm, acknowledger, tts, spoken, assistant]),
        enable_rtvi=False,
        cancel_on_idle_timeout=False,
    )
    runner = WorkerRunner(handle_sigint=False)
    await runner.add_workers(worker)
    running = asyncio.create_task(runner.run())
    try:
        for turn, (said, answer) in enumerate(zip(CALLER, ANSWERS, strict=True)):
            result.turns += 1
            before = len(spoken.words)
            last = answer[-1].split()
            if speaker is not None:
                await speaker.say(worker, turn, said, result.turn_ends)
            else:
                result.turn_ends.append(time.monotonic())
                message = {"role": "user", "content": said}
                await worker.queue_frame(LLMMessagesAppendFrame(messages=[message], run_llm=True))
            # Answered: the answer's last sentence was spoken (it comes after the rest).
            if not await _until(lambda w=last: times_said(spoken.words, w) > 0, TURN_SECS):
                if len(spoken.words) == before:
                    result.unanswered += 1
        result.words = list(spoken.words)
        result.spoken_twice = sum(max(0, times_said(result.words, s) - 1) for s in SENTENCES)
        await worker.queue_frame(EndFrame())
        await asyncio.wait_for(running, TURN_SECS)
    finally:
        if not running.done():
            await worker.cancel()
            await asyncio.wait_for(running, TURN_SECS)


def times_said(words: list[str], sentence: list[str]) -> int:
    """How often `sentence` (its words) comes in `words`."""
    n = len(sentence)
    return sum(words[i : i + n] == sentence for i in range(len(words) - n + 1))


async def _until(condition, secs: float) -> bool:
    """Poll `condition` until it holds (True) or `secs` pass (False)."""
    deadline = asyncio.get_running_loop().time() + secs
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True
