"""A reply made while the turn-end floor runs is heard only once the turn is confirmed
(turns/turn_end_floor.py, processors/speculative_reply_hold.py, services/ondevice_llm.py).

The pipeline here is the bot's own from the user aggregator on (a processor that notes
the confirmed caller turns as the state extractor reads them, the filter before the LLM,
the on-device engine, a TTS that speaks each text as one audio frame, the hold). Turn ends are driven by the VAD
stops' timestamps, not by sleeping: a stop stamped now leaves the 60 s floor running (the
reply is made and held), a stop stamped 100 s ago has passed it.
"""

import time

from pipecat.frames.frames import (
    Frame,
    LLMContextFrame,
    LLMTextFrame,
    STTMetadataFrame,
    TranscriptionFrame,
    TTSAudioRawFrame,
    TTSTextFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import (
    LLMContextAggregatorPair,
    LLMUserAggregatorParams,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.services.llm_service import FunctionCallParams, LLMService
from pipecat.tests.utils import SleepFrame, run_test
from pipecat.turns.user_turn_strategies import UserTurnStrategies
from pipecat.utils.text.base_text_aggregator import TextType

from processors.speculated_turn import SpeculatedTurnFilter
from processors.speculative_reply_hold import (
    PassingSpeculationGate,
    SpeculativeReplyHold,
    hold_after_tts,
)
from services.ondevice_llm import Dialogue, DialogueTurn, OnDeviceLLMService, Reply
from tests.turn_analyzers import AlwaysComplete
from turns.turn_end_floor import SilenceFloorUserTurnStopStrategy

FLOOR_SECS = 60.0
VAD_STOP_SECS = 0.2


class SpeakingTTS(FrameProcessor):
    """Speaks each LLM text as one audio frame and its words, as a TTS service does."""

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMTextFrame):
            await self.push_frame(TTSAudioRawFrame(b"\0\0" * 160, 16000, 1))
            await self.push_frame(TTSTextFrame(frame.text, TextType.SENTENCE))
        else:
            await self.push_frame(frame, direction)


class TurnReader(FrameProcessor):
    """Notes each confirmed caller turn, as the state extractor and the call records read
    them: from the context frames that are not speculative."""

    def __init__(self):
        super().__init__()
        self.turns: list[str] = []

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMContextFrame) and not frame.speculation:
            self.turns.append(frame.context.get_messages()[-1]["content"])
        await self.push_frame(frame, direction)


class Memory:
    """A dialogue's memory: the caller turns it answered."""

    def __init__(self):
        self.answered: list[str] = []

    def save(self) -> object:
        return list(self.answered)

    def restore(self, saved: object):
        self.answered = saved


def echo_dialogue(memory: Memory, calls: tuple = ()) -> Dialogue:
    def echo(turn: DialogueTurn) -> Reply:
        memory.answered.append(turn.user_text)
        return Reply(f"You said: {turn.user_text}", calls=calls)

    return Dialogue(intents=[], opening=lambda _: Reply("Hello."), fallback=echo, memory=memory)


def said(text: str) -> TranscriptionFrame:
    frame = TranscriptionFrame(text, "caller", "2026-01-01T00:00:00")
    frame.finalized = True  # as a segmented STT marks it
    return frame


def stopped(ago_secs: float = 0.0) -> VADUserStoppedSpeakingFrame:
    return VADUserStoppedSpeakingFrame(stop_secs=VAD_STOP_SECS, timestamp=time.time() - ago_secs)


def a_caller_who_goes_on() -> list[Frame]:
    """ "Just to check, [the floor runs] are you open on bank holidays?" """
    return [
        VADUserStartedSpeakingFrame(),
        said("Just to check,"),
        stopped(),  # the floor runs: the reply to "Just to check," is made
        SleepFrame(0.2),
        VADUserStartedSpeakingFrame(),  # the caller goes on
        said("are you open on bank holidays?"),
        stopped(ago_secs=100),
        SleepFrame(0.2),
    ]


def a_caller_who_stops() -> list[Frame]:
    return [
        VADUserStartedSpeakingFrame(),
        said("What time do you open?"),
        stopped(),  # the floor runs: the reply is made and held
        SleepFrame(0.2),
        stopped(ago_secs=100),  # as the floor passes (the VAD reports the stop again)
        SleepFrame(0.2),
    ]


class Call:
    """The bot's pipeline from the user aggregator to the hold."""

    def __init__(self, llm: LLMService):
        self.context = LLMContext()
        self.llm = llm
        stop = SilenceFloorUserTurnStopStrategy(
            turn_analyzer=AlwaysComplete(), min_silence_secs=FLOOR_SECS, speculate=True
        )
        params = LLMUserAggregatorParams(user_turn_strategies=UserTurnStrategies(stop=[stop]))
        self.user = LLMContextAggregatorPair(self.context, user_params=params).user()
        self.reader = TurnReader()
        self.hold = SpeculativeReplyHold()
        hold_after_tts(llm)

    async def run(self, frames: list[Frame]) -> list[Frame]:
        pipeline = Pipeline(
            [self.user, self.reader, SpeculatedTurnFilter(), self.llm, SpeakingTTS(), self.hold]
        )
        metadata = STTMetadataFrame(service_name="whisper", ttfs_p99_latency=0.8)
        down, _ = await run_test(pipeline, frames_to_send=[metadata, *frames])
        return list(down)

    def caller_turns(self) -> list[str]:
        return [m["content"] for m in self.context.get_messages() if m.get("role") == "user"]


def heard(down: list[Frame]) -> list[str]:
    return [f.text for f in down if isinstance(f, TTSTextFrame)]


async def test_a_speculative_reply_is_never_heard_when_the_caller_goes_on():
    call = Call(OnDeviceLLMService(dialogue=echo_dialogue(Memory())))
    down = await call.run(a_caller_who_goes_on())
    assert heard(down) == ["You said: Just to check, are you open on bank holidays?"]
    assert sum(isinstance(f, TTSAudioRawFrame) for f in down) == 1
    assert (call.hold.used, call.hold.discarded) == (0, 1)


async def test_a_confirmed_speculative_reply_is_heard_once():
    call = Call(OnDeviceLLMService(dialogue=echo_dialogue(Memory())))
    down = await call.run(a_caller_who_stops())
    assert heard(down) == ["You said: What time do you open?"]
    assert (call.hold.used, call.hold.discarded) == (1, 0)


async def test_the_context_holds_only_confirmed_turns():
    call = Call(OnDeviceLLMService(dialogue=echo_dialogue(Memory())))
    await call.run(a_caller_who_goes_on())
    assert call.caller_turns() == ["Just to check, are you open on bank holidays?"]


async def test_the_processors_before_the_llm_read_a_confirmed_turn_once():
    call = Call(OnDeviceLLMService(dialogue=echo_dialogue(Memory())))
    await call.run(a_caller_who_stops())
    assert call.reader.turns == ["What time do you open?"]


async def test_a_withdrawn_reply_leaves_the_dialogue_as_it_was():
    memory = Memory()
    call = Call(OnDeviceLLMService(dialogue=echo_dialogue(memory)))
    await call.run(a_caller_who_goes_on())
    assert memory.answered == ["Just to check, are you open on bank holidays?"]


def looking_up(ran: list[str]) -> OnDeviceLLMService:
    """An engine whose every reply calls `lookup`, which notes the turn it answers."""
    llm = OnDeviceLLMService(dialogue=echo_dialogue(Memory(), calls=(("lookup", {}),)))

    async def lookup(params: FunctionCallParams):
        ran.append(params.context.get_messages()[-1]["content"])
        await params.result_callback({"found": True})

    llm.register_function("lookup", lookup)
    return llm


async def test_no_tool_runs_speculatively():
    ran: list[str] = []
    await Call(looking_up(ran)).run(a_caller_who_goes_on())
    assert ran == ["Just to check, are you open on bank holidays?"]


async def test_a_reply_that_wants_a_tool_is_made_again_once_the_turn_ends():
    ran: list[str] = []
    call = Call(looking_up(ran))
    down = await call.run(a_caller_who_stops())
    assert ran == ["What time do you open?"]
    assert heard(down)[0] == "You said: What time do you open?"


def test_the_llm_gate_pipecat_keeps_is_where_the_hold_takes_it_over():
    llm = OnDeviceLLMService(dialogue=echo_dialogue(Memory()))
    hold_after_tts(llm)
    assert isinstance(llm._speculation_gate, PassingSpeculationGate)
