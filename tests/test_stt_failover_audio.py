"""The caller's audio through the STT chain: into the active STT only, and on downstream from
the switcher, each frame once and in order (services/stt_failover.py); a message for the
transport straight through (services/failover.py)."""

from pipecat.frames.frames import Frame, InputAudioRawFrame, OutputTransportMessageUrgentFrame
from pipecat.processors.frame_processor import FrameDirection
from pipecat.services.stt_service import SegmentedSTTService

from services.stt_failover import STTFailover
from tests.fakes.pipeline import PipelineRun


class Listening(SegmentedSTTService):
    """Keeps the audio it is given; transcribes nothing."""

    def __init__(self):
        super().__init__(sample_rate=16000)
        self.heard: list[InputAudioRawFrame] = []
        self.messages: list[OutputTransportMessageUrgentFrame] = []

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        if isinstance(frame, InputAudioRawFrame):
            self.heard.append(frame)
        if isinstance(frame, OutputTransportMessageUrgentFrame):
            self.messages.append(frame)
        await super().process_frame(frame, direction)

    async def run_stt(self, audio: bytes):
        yield None


def audio_out(run: PipelineRun) -> list[Frame]:
    return [f for f in run.frames if isinstance(f, InputAudioRawFrame)]


async def test_the_callers_audio_goes_into_the_active_stt_only_and_on_once_in_order():
    active, standby = Listening(), Listening()
    stt = STTFailover([active, standby], names=["active", "standby"], final_deadline_secs=5.0)
    audio = [InputAudioRawFrame(bytes(640), sample_rate=16000, num_channels=1) for _ in range(5)]
    async with PipelineRun([stt]) as run:
        await run.send(*audio)
        await run.wait_until(lambda: len(active.heard) == len(audio), "the active STT's audio")
        await run.wait_until(lambda: len(audio_out(run)) >= len(audio), "the audio downstream")

    assert [f.id for f in active.heard] == [f.id for f in audio]
    assert standby.heard == []
    assert [f.id for f in audio_out(run)] == [f.id for f in audio]


async def test_a_message_for_the_transport_passes_the_chain_once_without_entering_an_stt():
    active, standby = Listening(), Listening()
    stt = STTFailover([active, standby], names=["active", "standby"], final_deadline_secs=5.0)
    message = OutputTransportMessageUrgentFrame(message={"type": "bot-llm-text"})

    def out(run: PipelineRun) -> list[Frame]:
        return [f for f in run.frames if isinstance(f, OutputTransportMessageUrgentFrame)]

    async with PipelineRun([stt]) as run:
        await run.send(message)
        await run.wait_until(lambda: out(run), "the message downstream")

    assert [f.id for f in out(run)] == [message.id]
    assert active.messages == standby.messages == []
