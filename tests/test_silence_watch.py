"""A silent caller is asked again, then told goodbye and hung up on (issue 13).

The re-prompt and the goodbye are driven through the idle event itself, with no clock; one
test runs Pipecat's own idle timer, with timeouts of tens of milliseconds and sleeps ten
times longer, to show the wiring.
"""

import pytest
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    EndWorkerFrame,
    TTSSpeakFrame,
)
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import (
    LLMContextAggregatorPair,
    LLMUserAggregatorParams,
)
from pipecat.tests.utils import SleepFrame, run_test

from settings import Settings
from turns.silence_watch import GOODBYE, REPROMPT, SilenceWatch


class FakeAggregator:
    """Records what the watch queues into the aggregator and pushes on from it."""

    def __init__(self):
        self.queued, self.pushed = [], []

    async def queue_frame(self, frame):
        self.queued.append(frame)

    async def push_frame(self, frame, *_):
        self.pushed.append(frame)


def spoken(frames):
    return [f.text for f in frames if isinstance(f, TTSSpeakFrame)]


async def test_the_first_silence_is_answered_with_a_reprompt():
    watch, aggregator = SilenceWatch(8, 30), FakeAggregator()
    await watch.on_idle(aggregator)
    assert spoken(aggregator.pushed) == [REPROMPT]
    assert [f.timeout for f in aggregator.queued] == [22]  # the rest of the 30 s
    assert not any(isinstance(f, EndWorkerFrame) for f in aggregator.pushed)


async def test_the_second_silence_says_goodbye_then_ends_the_call():
    watch, aggregator = SilenceWatch(8, 30), FakeAggregator()
    await watch.on_idle(aggregator)
    await watch.on_idle(aggregator)
    assert spoken(aggregator.pushed) == [REPROMPT, GOODBYE]
    assert isinstance(aggregator.pushed[-1], EndWorkerFrame)  # behind the goodbye


async def test_a_caller_who_speaks_after_the_reprompt_starts_it_over():
    watch, aggregator = SilenceWatch(8, 30), FakeAggregator()
    await watch.on_idle(aggregator)
    await watch.on_caller_spoke(aggregator, "strategy")
    await watch.on_idle(aggregator)
    assert spoken(aggregator.pushed) == [REPROMPT, REPROMPT]
    assert [f.timeout for f in aggregator.queued] == [22, 8, 22]


def test_the_silences_are_settings_in_order():
    assert (
        Settings(_env_file=None).silence_reprompt_secs,
        Settings(_env_file=None).silence_hangup_secs,
    ) == (8.0, 30.0)
    with pytest.raises(
        ValueError, match="SILENCE_HANGUP_SECS: 5 is not after SILENCE_REPROMPT_SECS"
    ):
        Settings(_env_file=None, silence_reprompt_secs=8, silence_hangup_secs=5)


async def test_pipecats_idle_timer_drives_the_reprompt_and_the_goodbye():
    params = LLMUserAggregatorParams(user_idle_timeout=0.05)
    user = LLMContextAggregatorPair(LLMContext(), user_params=params).user()
    SilenceWatch(0.05, 0.1).attach(user)
    down, _ = await run_test(
        user,
        frames_to_send=[
            BotStartedSpeakingFrame(),
            BotStoppedSpeakingFrame(),  # the silence is timed from here
            SleepFrame(0.5),
            BotStartedSpeakingFrame(),  # the re-prompt
            BotStoppedSpeakingFrame(),
            SleepFrame(0.5),
        ],
    )
    assert spoken(down) == [REPROMPT, GOODBYE]
    assert any(isinstance(f, EndWorkerFrame) for f in down)
