"""RTVI's messages to the page go straight to the output transport
(processors/rtvi_messages_to_output.py), not through the processors between."""

from pipecat.frames.frames import ErrorFrame, OutputTransportMessageUrgentFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.tests.utils import run_test

from processors.rtvi_messages_to_output import RTVIMessagesToOutput
from tests.fakes.pipeline import Collector


def messages(seen: Collector) -> list[dict]:
    return [f.message for f in seen.frames if isinstance(f, OutputTransportMessageUrgentFrame)]


async def rtvi_error_through(between: Collector, output: Collector):
    # An error reaching RTVI's processor is told to the page as an RTVI message.
    pipeline = Pipeline([RTVIMessagesToOutput(output), between, output])
    await run_test(pipeline, frames_to_send=[ErrorFrame("The kitchen is on fire")])


async def test_a_message_reaches_the_output():
    between, output = Collector(), Collector()
    await rtvi_error_through(between, output)
    sent = messages(output)
    assert [m["type"] for m in sent] == ["error"]
    assert sent[0]["data"]["error"] == "The kitchen is on fire"


async def test_a_message_skips_the_processors_between():
    between, output = Collector(), Collector()
    await rtvi_error_through(between, output)
    assert messages(between) == []
    assert any(isinstance(f, ErrorFrame) for f in between.frames)  # other frames still pass
