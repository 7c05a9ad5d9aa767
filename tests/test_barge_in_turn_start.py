"""BargeInUserTurnStartStrategy: over the bot, words interrupt and backchannels do not."""

import pytest
from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    InterruptionFrame,
    MetricsFrame,
    STTMetadataFrame,
    TranscriptionFrame,
    UserBackchannelFrame,
    UserStartedSpeakingFrame,
    VADParamsUpdateFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.metrics.metrics import ProcessingMetricsData
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import (
    LLMContextAggregatorPair,
    LLMUserAggregatorParams,
)
from pipecat.tests.utils import SleepFrame, run_test
from pipecat.turns.user_stop import SpeechTimeoutUserTurnStopStrategy
from pipecat.turns.user_turn_strategies import UserTurnStrategies

from processors.interruption_frames import ResumeBotSpeechFrame
from services.segment_transcribed_frame import SegmentTranscribedFrame
from settings import Settings
from tests.turn_analyzers import AlwaysComplete
from turns.barge_in_turn_start import Backchannels, BargeInUserTurnStartStrategy
from turns.segment_turn_stop import SegmentTurnAnalyzerUserTurnStopStrategy

BACKCHANNELS = Settings(_env_file=None).backchannel_words
QUIET = VADParams(stop_secs=0.4)
OVER_BOT = VADParams(stop_secs=0.2)


def transcript(text: str) -> TranscriptionFrame:
    return TranscriptionFrame(text, "caller", "2026-01-01T00:00:00")


async def run_caller(frames, **strategy_args):
    context = LLMContext()
    strategy = BargeInUserTurnStartStrategy(backchannels=BACKCHANNELS, **strategy_args)
    params = LLMUserAggregatorParams(
        user_turn_strategies=UserTurnStrategies(
            start=[strategy], stop=[SpeechTimeoutUserTurnStopStrategy(user_speech_timeout=0.1)]
        )
    )
    user = LLMContextAggregatorPair(context, user_params=params).user()
    down, _ = await run_test(user, frames_to_send=[*frames, SleepFrame(0.4)])
    return [type(f) for f in down], down, context


def over_the_bot(text: str) -> list:
    return [
        BotStartedSpeakingFrame(),
        VADUserStartedSpeakingFrame(),
        SleepFrame(0.05),
        VADUserStoppedSpeakingFrame(),
        transcript(text),
    ]


async def test_a_backchannel_over_the_bot_keeps_it_talking_and_stays_out_of_the_context():
    kinds, down, context = await run_caller(over_the_bot("Yeah, okay."))
    assert InterruptionFrame not in kinds
    assert UserStartedSpeakingFrame not in kinds
    assert ResumeBotSpeechFrame in kinds
    assert next(f for f in down if isinstance(f, UserBackchannelFrame)).text == "Yeah, okay."
    assert not any(m.get("role") == "user" for m in context.get_messages())


async def test_words_over_the_bot_interrupt_it_and_reach_the_context():
    kinds, _, context = await run_caller(over_the_bot("Wait, what time do you close?"))
    assert kinds.index(UserStartedSpeakingFrame) < kinds.index(InterruptionFrame)
    assert ResumeBotSpeechFrame not in kinds
    assert context.get_messages()[-1] == {
        "role": "user",
        "content": "Wait, what time do you close?",
    }


async def test_speech_while_the_bot_is_silent_interrupts_at_once():
    kinds, _, _ = await run_caller([VADUserStartedSpeakingFrame()])
    assert kinds.index(UserStartedSpeakingFrame) < kinds.index(InterruptionFrame)


async def test_a_sound_the_stt_finds_no_words_in_lets_the_bot_play_on():
    stt_done = MetricsFrame(
        data=[ProcessingMetricsData(processor="WhisperSTTService#0", value=0.4)]
    )
    kinds, _, _ = await run_caller(
        [
            BotStartedSpeakingFrame(),
            VADUserStartedSpeakingFrame(),
            SleepFrame(0.05),
            VADUserStoppedSpeakingFrame(),
            SleepFrame(0.05),
            stt_done,
        ]
    )
    assert ResumeBotSpeechFrame in kinds
    assert InterruptionFrame not in kinds


async def test_the_vad_stops_sooner_while_the_bot_speaks():
    _, down, _ = await run_caller(
        [BotStartedSpeakingFrame(), SleepFrame(0.05), BotStoppedSpeakingFrame()],
        vad_params=QUIET,
        vad_params_over_bot=OVER_BOT,
    )
    updates = [f.params.stop_secs for f in down if isinstance(f, VADParamsUpdateFrame)]
    assert updates == [0.2, 0.4]


async def test_vad_parameters_wait_for_the_caller_to_be_quiet():
    _, down, _ = await run_caller(
        [
            VADUserStartedSpeakingFrame(),
            BotStartedSpeakingFrame(),
            SleepFrame(0.05),
            VADUserStoppedSpeakingFrame(),
        ],
        vad_params=QUIET,
        vad_params_over_bot=OVER_BOT,
    )
    kinds = [type(f) for f in down]
    assert kinds.index(VADParamsUpdateFrame) > kinds.index(VADUserStoppedSpeakingFrame)


@pytest.mark.parametrize(
    "text, content",
    [
        ("Mm-hmm.", []),
        ("M-H-M.", []),
        ("Uh-huh, right, right.", []),
        ("I see. Got it, thank you.", []),
        ("(coughing)", []),
        ("[BLANK_AUDIO]", []),
        ("Okay, but when do you close?", ["but", "when", "do", "you", "close"]),
        ("No, Sunday.", ["no", "sunday"]),
        ("Stop.", ["stop"]),
    ],
)
def test_backchannel_phrases_are_told_from_words(text, content):
    assert Backchannels(BACKCHANNELS).content_words(text) == content


@pytest.mark.parametrize("first_words_after_the_rest_ended", [False, True])
async def test_a_barge_in_still_being_spoken_when_its_first_words_arrive_stays_one_turn(
    first_words_after_the_rest_ended,
):
    # "Wait, [pause] what time do you close?" over the bot: "Wait." is
    # transcribed while the caller says the rest, or even after.
    context = LLMContext()
    params = LLMUserAggregatorParams(
        user_turn_strategies=UserTurnStrategies(
            start=[BargeInUserTurnStartStrategy(backchannels=BACKCHANNELS)],
            stop=[SegmentTurnAnalyzerUserTurnStopStrategy(turn_analyzer=AlwaysComplete())],
        )
    )
    user = LLMContextAggregatorPair(context, user_params=params).user()
    first, rest = transcript("Wait."), transcript("What time do you close?")
    first.finalized = rest.finalized = True  # as a segmented STT marks them
    # A segmented STT says when each segment is transcribed, after its words.
    first_done = [first, SegmentTranscribedFrame()]
    middle = [*first_done, SleepFrame(0.05), VADUserStoppedSpeakingFrame()]
    if first_words_after_the_rest_ended:
        middle = [VADUserStoppedSpeakingFrame(), SleepFrame(0.05), *first_done]
    await run_test(
        user,
        frames_to_send=[
            STTMetadataFrame(service_name="whisper", ttfs_p99_latency=0.8),
            BotStartedSpeakingFrame(),
            VADUserStartedSpeakingFrame(),
            SleepFrame(0.05),
            VADUserStoppedSpeakingFrame(),
            SleepFrame(0.05),
            VADUserStartedSpeakingFrame(),
            *middle,
            SleepFrame(0.05),
            rest,
            SegmentTranscribedFrame(),
            SleepFrame(0.2),
        ],
    )
    users = [m["content"] for m in context.get_messages() if m.get("role") == "user"]
    assert users == ["Wait. What time do you close?"]
