"""Pipecat's RTVI processor, whose messages to the client go straight to the output transport.

Pipecat's worker puts the RTVI processor at the front of the pipeline, and each message it
sends the page (transcripts, the bot's text, metrics: some 20 a second while the bot speaks)
is an urgent frame pushed from there, crossing every processor to the output transport,
though only the output reads it. In bench/load.py's calls they were a third of all frame
hops. Queued on the output transport itself, a message is sent as it was, with nothing on the
way. The client's messages still come in at the front, as Pipecat has them.
"""

from pipecat.frames.frames import OutputTransportMessageUrgentFrame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.processors.frameworks.rtvi.processor import RTVIProcessor
from pydantic import BaseModel


class RTVIMessagesToOutput(RTVIProcessor):
    """`RTVIProcessor` that hands its messages to `output` (the call's output transport)."""

    def __init__(self, output: FrameProcessor, **kwargs):
        super().__init__(**kwargs)
        self._output = output

    async def push_transport_message(self, model: BaseModel, exclude_none: bool = True):
        # As Pipecat builds the frame; the output transport holds it until it has started.
        frame = OutputTransportMessageUrgentFrame(
            message=model.model_dump(exclude_none=exclude_none)
        )
        await self._output.queue_frame(frame, FrameDirection.DOWNSTREAM)
