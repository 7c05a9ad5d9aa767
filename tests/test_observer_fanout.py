"""Processed-frame events reach only the observers that read them (app/observer_fanout.py)."""

import asyncio

from pipecat.frames.frames import (
    AggregatedTextFrame,
    EagerEndOfTurnCancelFrame,
    InputAudioRawFrame,
    LLMTextFrame,
    TextFrame,
    UserStoppedSpeakingFrame,
)
from pipecat.observers.base_observer import BaseObserver, FrameProcessed, FramePushed
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineWorker
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.processors.frameworks.rtvi.observer import RTVIObserver
from pipecat.utils.asyncio.task_manager import TaskManager
from pipecat.utils.text.base_text_aggregator import TextType

from app.observer_fanout import ProcessedFramesOnDemand, lighten_observer_fanout
from processors.speculative_reply_hold import CONFIRMED, SPECULATION, WITHDRAWN


class Reader(BaseObserver):
    def __init__(self):
        super().__init__()
        self.processed: list[FrameProcessed] = []
        self.pushed: list[FramePushed] = []

    async def on_process_frame(self, data: FrameProcessed):
        self.processed.append(data)

    async def on_push_frame(self, data: FramePushed):
        self.pushed.append(data)


class PushesOnly(BaseObserver):
    def __init__(self):
        super().__init__()
        self.pushed: list[FramePushed] = []

    async def on_push_frame(self, data: FramePushed):
        self.pushed.append(data)


async def test_processed_frames_go_to_readers_only_and_pushes_to_all():
    reader, pushes_only = Reader(), PushesOnly()
    fanout = ProcessedFramesOnDemand(observers=[reader, pushes_only])
    await fanout.setup(TaskManager())
    processor, frame = FrameProcessor(), TextFrame("hi")
    await fanout.on_process_frame(FrameProcessed(processor, frame, FrameDirection.DOWNSTREAM, 0))
    # Queued, not yet handled (putting on an unbounded queue does not yield).
    assert fanout._proxies[reader].queue.qsize() == 1
    assert fanout._proxies[pushes_only].queue.qsize() == 0
    await fanout.on_push_frame(
        FramePushed(processor, processor, frame, FrameDirection.DOWNSTREAM, 0)
    )
    for proxy in fanout._proxies.values():
        await asyncio.wait_for(proxy.queue.join(), 5)
    assert [d.frame for d in reader.processed] == [frame]
    assert [d.frame for d in reader.pushed] == [frame]
    assert [d.frame for d in pushes_only.pushed] == [frame]
    await fanout.cleanup()


def test_a_worker_gets_the_fanout_with_its_observers():
    observer = PushesOnly()
    worker = PipelineWorker(Pipeline([FrameProcessor()]), observers=[observer])
    lighten_observer_fanout(worker)
    assert isinstance(worker._observer, ProcessedFramesOnDemand)
    assert observer in worker._observer._observers


async def test_rtvi_gets_no_audio_and_no_repeated_push_but_aggregated_texts():
    rtvi = RTVIObserver()  # audio levels off, as a call has it
    fanout = ProcessedFramesOnDemand(observers=[rtvi])
    await fanout.setup(TaskManager())
    a, b = FrameProcessor(), FrameProcessor()
    audio = InputAudioRawFrame(audio=b"\0" * 640, sample_rate=16000, num_channels=1)
    text, spoken = TextFrame("hi"), AggregatedTextFrame("Hello.", TextType.SENTENCE)
    for frame in (audio, text, text, spoken, spoken):  # text and spoken pushed twice
        await fanout.on_push_frame(FramePushed(a, b, frame, FrameDirection.DOWNSTREAM, 0))
    queued = []
    queue = fanout._proxies[rtvi].queue
    while not queue.empty():
        queued.append(queue.get_nowait().frame)
    assert queued == [text, spoken, spoken]
    await fanout.cleanup()


def queued_for(fanout: ProcessedFramesOnDemand, observer) -> list:
    queue = fanout._proxies[observer].queue
    return [queue.get_nowait().frame for _ in range(queue.qsize())]


async def rtvi_sees(frames: list) -> list:
    """What RTVI's observer is handed of these frames, each pushed once by the LLM."""
    rtvi = RTVIObserver()
    fanout = ProcessedFramesOnDemand(observers=[rtvi])
    await fanout.setup(TaskManager())
    llm, tts = FrameProcessor(), FrameProcessor()
    for frame in frames:
        await fanout.on_push_frame(FramePushed(llm, tts, frame, FrameDirection.DOWNSTREAM, 0))
    seen = queued_for(fanout, rtvi)
    await fanout.cleanup()
    return seen


def speculative_text(number: int) -> LLMTextFrame:
    frame = LLMTextFrame("You said: Just to check,")
    frame.metadata[SPECULATION] = number
    return frame


async def test_rtvi_gets_a_speculative_reply_once_its_turn_end_confirms_it():
    reply, turn_end = speculative_text(7), UserStoppedSpeakingFrame()
    turn_end.metadata[CONFIRMED] = 7
    assert await rtvi_sees([reply, turn_end]) == [turn_end, reply]


async def test_rtvi_never_gets_a_withdrawn_speculative_reply():
    # Its text would reach the page, or an eval, as words the caller never heard.
    reply, withdrawal, later = speculative_text(7), EagerEndOfTurnCancelFrame(), TextFrame("Hi")
    withdrawal.metadata[WITHDRAWN] = 7
    assert await rtvi_sees([reply, withdrawal, later]) == [withdrawal, later]
