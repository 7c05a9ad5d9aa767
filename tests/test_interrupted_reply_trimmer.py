"""InterruptedReplyTrimmer: the context holds what the caller heard of a cut reply, marked."""

from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    Frame,
    InterruptionFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    TTSTextFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.tests.utils import SleepFrame, run_test
from pipecat.utils.text.base_text_aggregator import TextType

from processors.interrupted_reply_trimmer import INTERRUPTED_NOTE, InterruptedReplyTrimmer
from processors.interruption_frames import HeardSpeechFrame

QUESTION = {"role": "user", "content": "What's on the menu?"}
FIRST = "Our menu starts with bruschetta and cured meats."
HEARD = f"{FIRST} Then comes fresh"


def sentence(text: str) -> TTSTextFrame:
    return TTSTextFrame(text, TextType.SENTENCE, context_id="reply")


BARGE_IN = {"role": "user", "content": "Wait, what time do you close?"}


class BargeInWrittenFirst(FrameProcessor):
    """Writes the caller's barge-in turn as the interruption sets off (the user aggregator
    did so before the interruption reached the end of the pipeline, on a loaded machine)."""

    def __init__(self, context: LLMContext):
        super().__init__()
        self._context = context

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, HeardSpeechFrame):
            self._context.add_message(dict(BARGE_IN))
        await self.push_frame(frame, direction)


async def run_reply(context: LLMContext, frames, *, barge_in_first: bool = False) -> None:
    """Frames as they leave the output transport, through the assistant aggregator."""
    assistant = LLMContextAggregatorPair(context).assistant()
    before = [BargeInWrittenFirst(context)] if barge_in_first else []
    processors = [*before, assistant, InterruptedReplyTrimmer(context)]
    await run_test(Pipeline(processors), frames_to_send=frames)


async def test_a_cut_reply_holds_only_what_was_heard_and_is_marked_interrupted():
    context = LLMContext(messages=[QUESTION])
    await run_reply(
        context,
        [
            LLMFullResponseStartFrame(),
            sentence(FIRST),
            SleepFrame(0.1),
            HeardSpeechFrame(text=HEARD),
            InterruptionFrame(),
        ],
    )
    assert context.get_messages() == [
        QUESTION,
        {"role": "assistant", "content": HEARD},
        {"role": "developer", "content": INTERRUPTED_NOTE},
    ]


async def test_a_reply_cut_in_its_first_sentence_is_written_with_what_was_heard():
    context = LLMContext(messages=[QUESTION])
    await run_reply(
        context,
        [
            LLMFullResponseStartFrame(),
            SleepFrame(0.1),
            HeardSpeechFrame(text="Our menu starts"),
            InterruptionFrame(),
        ],
    )
    assert context.get_messages()[1:] == [
        {"role": "assistant", "content": "Our menu starts"},
        {"role": "developer", "content": INTERRUPTED_NOTE},
    ]


async def test_the_previous_reply_is_never_rewritten():
    earlier = {"role": "assistant", "content": "Welcome to Luigi's."}
    context = LLMContext(messages=[earlier])
    await run_reply(
        context,
        [
            LLMFullResponseStartFrame(),
            SleepFrame(0.1),
            HeardSpeechFrame(text="Our menu"),
            InterruptionFrame(),
        ],
    )
    assert context.get_messages()[0] == earlier
    assert context.get_messages()[1] == {"role": "assistant", "content": "Our menu"}


async def test_an_interruption_with_nothing_heard_leaves_the_context_as_written():
    context = LLMContext(messages=[QUESTION])
    await run_reply(
        context,
        [
            LLMFullResponseStartFrame(),
            sentence(FIRST),
            LLMFullResponseEndFrame(),
            SleepFrame(0.1),
            InterruptionFrame(),
        ],
    )
    assert context.get_messages() == [QUESTION, {"role": "assistant", "content": FIRST}]


async def test_a_barge_in_written_before_the_interruption_arrives_stays_after_the_cut_reply():
    context = LLMContext(messages=[QUESTION])
    await run_reply(
        context,
        [
            BotStartedSpeakingFrame(),
            LLMFullResponseStartFrame(),
            sentence(FIRST),
            SleepFrame(0.1),
            HeardSpeechFrame(text=HEARD),
            InterruptionFrame(),
        ],
        barge_in_first=True,
    )
    assert context.get_messages() == [
        QUESTION,
        {"role": "assistant", "content": HEARD},
        {"role": "developer", "content": INTERRUPTED_NOTE},
        BARGE_IN,
    ]


async def test_a_barge_in_written_first_into_a_first_sentence_stays_after_the_cut_reply():
    context = LLMContext(messages=[QUESTION])
    await run_reply(
        context,
        [
            BotStartedSpeakingFrame(),
            LLMFullResponseStartFrame(),
            SleepFrame(0.1),
            HeardSpeechFrame(text="Our menu starts"),
            InterruptionFrame(),
        ],
        barge_in_first=True,
    )
    assert context.get_messages() == [
        QUESTION,
        {"role": "assistant", "content": "Our menu starts"},
        {"role": "developer", "content": INTERRUPTED_NOTE},
        BARGE_IN,
    ]
