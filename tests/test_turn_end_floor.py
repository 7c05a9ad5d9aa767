"""A turn never ends before a floor of silence (turns/turn_end_floor.py)."""

import time

from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADState
from pipecat.frames.frames import (
    STTMetadataFrame,
    TranscriptionFrame,
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

from settings import Settings
from tests.turn_analyzers import AlwaysComplete
from turns.turn_end_floor import SilenceFloorUserTurnStopStrategy
from turns.user_turn_params import create_user_turn_params

VAD_STOP_SECS = 0.2


def said(text: str) -> TranscriptionFrame:
    frame = TranscriptionFrame(text, "caller", "2026-01-01T00:00:00")
    frame.finalized = True  # as a segmented STT marks it
    return frame


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
            said("Just to check,"),
            stopped(),
            SleepFrame(0.05),
            VADUserStartedSpeakingFrame(),
            said("are you open on bank holidays?"),
        ],
        floor_secs=60.0,
    )
    assert ended == 0


async def test_the_turn_ends_once_the_floor_has_passed():
    ended = await turns_ended(
        [VADUserStartedSpeakingFrame(), said("What time do you open?"), stopped(), SleepFrame(0.5)],
        floor_secs=0.25,
    )
    assert ended == 1


def test_the_bot_keeps_the_configured_floor():
    params = create_user_turn_params(Settings(_env_file=None, turn_min_silence_secs=0.7))
    (stop,) = params.user_turn_strategies.stop
    assert isinstance(stop, SilenceFloorUserTurnStopStrategy)
    assert stop._min_silence_secs == 0.7


class StartingVAD:
    """A VAD that has begun to hear speech and not reported it yet, as Silero is for its
    `start_secs` after a caller goes on."""

    _vad_state = VADState.STARTING


async def test_speech_the_vad_has_begun_to_hear_holds_the_turn_at_the_floor():
    stop = SilenceFloorUserTurnStopStrategy(turn_analyzer=AlwaysComplete(), min_silence_secs=0.05)
    stop.hear_speech_starting(StartingVAD())
    params = LLMUserAggregatorParams(user_turn_strategies=UserTurnStrategies(stop=[stop]))
    user = LLMContextAggregatorPair(LLMContext(), user_params=params).user()
    frames = [
        STTMetadataFrame(service_name="whisper", ttfs_p99_latency=0.8),
        VADUserStartedSpeakingFrame(),
        said("Before I forget,"),
        stopped(),
        SleepFrame(0.2),  # the floor has passed; the VAD is still starting
        VADUserStartedSpeakingFrame(),  # and reports the caller going on
        said("what is your address?"),
    ]
    down, _ = await run_test(user, frames_to_send=frames)
    assert not any(isinstance(frame, UserStoppedSpeakingFrame) for frame in down)


def test_the_floor_reads_the_state_silero_keeps():
    vad = SileroVADAnalyzer()
    vad.set_sample_rate(16000)  # as the pipeline's start does
    assert vad._vad_state == VADState.QUIET  # Pipecat 1.14's private state, read at the floor
