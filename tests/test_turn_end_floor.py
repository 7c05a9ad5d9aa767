"""A turn never ends before a floor of silence (turns/turn_end_floor.py)."""

import time

from pipecat.audio.vad.vad_analyzer import VADState
from pipecat.frames.frames import (
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

from harness.voices import piper_speech, silence, trim_silence
from settings import Settings
from tests.turn_analyzers import AlwaysComplete, segment_words
from turns.heard_silence_vad import HeardSilenceVADAnalyzer
from turns.turn_end_floor import SilenceFloorUserTurnStopStrategy
from turns.user_turn_params import create_user_turn_params

VAD_STOP_SECS = 0.2


def stopped() -> VADUserStoppedSpeakingFrame:
    return VADUserStoppedSpeakingFrame(stop_secs=VAD_STOP_SECS, timestamp=time.time())


async def turns_ended(frames: list, floor_secs: float) -> int:
    """How many caller turns ended while `frames` were sent (not counting the call's end)."""
    stop = SilenceFloorUserTurnStopStrategy(
        turn_analyzer=AlwaysComplete(), min_silence_secs=floor_secs
    )
    params = LLMUserAggregatorParams(user_turn_strategies=UserTurnStrategies(stop=[stop]))
    user = LLMContextAggregatorPair(LLMContext(), user_params=params).user()
    metadata = STTMetadataFrame(service_name="whisper", ttfs_p99_latency=0.8)
    down, _ = await run_test(user, frames_to_send=[metadata, *frames])
    return sum(isinstance(frame, UserStoppedSpeakingFrame) for frame in down)


async def test_a_caller_who_goes_on_within_the_floor_keeps_the_turn():
    # "Just to check, [pause] are you open on bank holidays?": the first words are in
    # and Smart Turn says finished, but the caller goes on before the floor.
    ended = await turns_ended(
        [
            VADUserStartedSpeakingFrame(),
            segment_words("Just to check,"),
            stopped(),
            SleepFrame(0.05),
            VADUserStartedSpeakingFrame(),
            segment_words("are you open on bank holidays?"),
        ],
        floor_secs=60.0,
    )
    assert ended == 0


async def test_the_turn_ends_once_the_floor_has_passed():
    ended = await turns_ended(
        [
            VADUserStartedSpeakingFrame(),
            segment_words("What time do you open?"),
            stopped(),
            SleepFrame(0.5),
        ],
        floor_secs=0.25,
    )
    assert ended == 1


def test_the_bot_keeps_the_configured_floor():
    params = create_user_turn_params(Settings(_env_file=None, turn_min_silence_secs=0.7))
    (stop,) = params.user_turn_strategies.stop
    assert isinstance(stop, SilenceFloorUserTurnStopStrategy)
    assert stop._min_silence_secs == 0.7


class ListeningVAD:
    """A VAD as the floor asks it: begun to hear speech it has not reported (as Silero is
    for its `start_secs` after a caller goes on), or behind the audio, having heard only
    `heard_secs` of the silence."""

    def __init__(self, starting: bool = False, heard_secs: float | None = None):
        self.starting = starting
        self.heard_secs = heard_secs

    def speech_starting(self) -> bool:
        return self.starting

    def silence_heard_secs(self) -> float | None:
        return self.heard_secs


async def turn_end_after_going_on(vad: ListeningVAD) -> bool:
    """Whether the turn ended when the caller went on after the floor's wall-clock time,
    before the VAD reported it."""
    stop = SilenceFloorUserTurnStopStrategy(turn_analyzer=AlwaysComplete(), min_silence_secs=0.05)
    stop.listen_with(vad)
    params = LLMUserAggregatorParams(user_turn_strategies=UserTurnStrategies(stop=[stop]))
    user = LLMContextAggregatorPair(LLMContext(), user_params=params).user()
    frames = [
        STTMetadataFrame(service_name="whisper", ttfs_p99_latency=0.8),
        VADUserStartedSpeakingFrame(),
        segment_words("Before I forget,"),
        stopped(),
        SleepFrame(0.2),  # the floor's wall-clock time has passed
        VADUserStartedSpeakingFrame(),  # and the VAD reports the caller going on
        segment_words("what is your address?"),
    ]
    down, _ = await run_test(user, frames_to_send=frames)
    return any(isinstance(frame, UserStoppedSpeakingFrame) for frame in down)


async def test_speech_the_vad_has_begun_to_hear_holds_the_turn_at_the_floor():
    assert not await turn_end_after_going_on(ListeningVAD(starting=True, heard_secs=1.0))


async def test_a_vad_behind_the_audio_holds_the_turn_until_it_has_heard_the_floor():
    assert not await turn_end_after_going_on(ListeningVAD(heard_secs=0.01))


async def test_a_vad_that_heard_the_floor_lets_the_turn_end():
    assert await turn_end_after_going_on(ListeningVAD(heard_secs=0.06))


def test_the_floor_reads_the_state_silero_keeps():
    vad = HeardSilenceVADAnalyzer()
    vad.set_sample_rate(16000)  # as the pipeline's start does
    assert vad._vad_state == VADState.QUIET  # Pipecat 1.14's private state, read at the floor
    assert not vad.speech_starting()


async def test_the_vad_counts_the_silence_it_heard_after_speech():
    vad = HeardSilenceVADAnalyzer()
    vad.set_sample_rate(16000)
    speech = trim_silence(piper_speech("Before I forget,", Settings().piper_voice))
    for audio in (speech, silence(0.5)):
        for start in range(0, len(audio), 640):  # 20 ms frames, as the transport sends
            await vad.analyze_audio(audio[start : start + 640])
    assert 0.35 <= vad.silence_heard_secs() <= 0.5
