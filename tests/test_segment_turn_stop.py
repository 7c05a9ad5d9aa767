"""The turn stop for a segmented STT waits for the STT to say each segment is transcribed.

A caller's pause at a comma makes two segments; Whisper transcribes the second one
after the caller's last word, and on a loaded machine that took longer than the fixed
2 s the strategy used to wait (the comma test of tests/test_turn_taking.py failed once
so). Now Whisper says when a segment is done (`SegmentTranscribedFrame`), with words
or without, and the turn waits for that, however long it takes.
"""

from pipecat.frames.frames import (
    ErrorFrame,
    STTMetadataFrame,
    UserStoppedSpeakingFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import (
    LLMContextAggregatorPair,
    LLMUserAggregatorParams,
)
from pipecat.tests.utils import SleepFrame, run_test
from pipecat.turns.user_turn_strategies import UserTurnStrategies

from services.segment_transcribed_frame import SegmentTranscribedFrame
from services.stt import create_stt
from settings import Settings
from tests.turn_analyzers import AlwaysComplete, segment_words
from turns.segment_turn_stop import SegmentTurnAnalyzerUserTurnStopStrategy

OLD_FIXED_WAIT_SECS = 2.0


async def caller_turns(frames) -> tuple[list[str], int]:
    """The caller turns the user aggregator made of `frames`, and how many turn ends."""
    context = LLMContext()
    params = LLMUserAggregatorParams(
        user_turn_strategies=UserTurnStrategies(
            stop=[SegmentTurnAnalyzerUserTurnStopStrategy(turn_analyzer=AlwaysComplete())]
        )
    )
    user = LLMContextAggregatorPair(context, user_params=params).user()
    down, _ = await run_test(
        user,
        frames_to_send=[STTMetadataFrame(service_name="whisper", ttfs_p99_latency=0.8), *frames],
    )
    turns = [m["content"] for m in context.get_messages() if m.get("role") == "user"]
    return turns, sum(isinstance(f, UserStoppedSpeakingFrame) for f in down)


def segment() -> list:
    return [VADUserStartedSpeakingFrame(), SleepFrame(0.05), VADUserStoppedSpeakingFrame()]


async def test_a_segment_transcribed_slower_than_the_old_fixed_wait_stays_in_the_turn():
    turns, ends = await caller_turns(
        [
            *segment(),
            segment_words("Could you tell me,"),
            SegmentTranscribedFrame(),
            *segment(),
            SleepFrame(OLD_FIXED_WAIT_SECS + 0.5),  # Whisper on a loaded machine
            segment_words("what time you close on Friday?"),
            SegmentTranscribedFrame(),
            SleepFrame(0.3),
        ]
    )
    assert turns == ["Could you tell me, what time you close on Friday?"]
    assert ends == 1


async def test_a_last_segment_with_no_words_ends_the_turn_when_it_is_transcribed():
    turns, ends = await caller_turns(
        [
            *segment(),
            segment_words("What time do you open?"),
            SegmentTranscribedFrame(),
            *segment(),  # a cough: Whisper finds no words in it
            SleepFrame(0.2),
            SegmentTranscribedFrame(),
            SleepFrame(0.3),
        ]
    )
    assert turns == ["What time do you open?"]
    assert ends == 1


async def test_a_segment_not_yet_transcribed_holds_the_turn_end():
    _, ends = await caller_turns(
        [*segment(), segment_words("Could you tell me,"), SegmentTranscribedFrame(), *segment()]
        + [SleepFrame(0.5)]
    )
    assert ends == 0


def whisper(monkeypatch, transcribe):
    service = create_stt(Settings(_env_file=None))
    monkeypatch.setattr(service._model, "transcribe", transcribe)
    return service


async def test_whisper_says_a_segment_is_transcribed_after_its_words(monkeypatch):
    service = whisper(monkeypatch, lambda audio, **kwargs: ([], None))
    frames = [frame async for frame in service.run_stt(bytes(3200))]
    assert [type(f) for f in frames] == [SegmentTranscribedFrame]


async def test_whisper_says_a_segment_is_transcribed_when_transcribing_it_failed(monkeypatch):
    def transcribe(audio, **kwargs):
        raise RuntimeError("the model broke")

    service = whisper(monkeypatch, transcribe)
    frames = [frame async for frame in service.run_stt(bytes(3200))]
    assert [type(f) for f in frames] == [ErrorFrame, SegmentTranscribedFrame]
