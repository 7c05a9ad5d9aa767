"""Processed-frame events reach only the observers that read them.

Pipecat 1.14's `WorkerObserver` queues every processed frame for every observer, and each
queue wakes a task per event, though none of the observers a call has (ours, RTVI's, the
idle check, the harness's) reads processed frames: it was about a third of a call's CPU
in bench/load.py's profile. Pushed frames still go to every observer as Pipecat sends them.
"""

from pipecat.observers.base_observer import BaseObserver, FrameProcessed
from pipecat.pipeline.worker import PipelineWorker
from pipecat.pipeline.worker_observer import WorkerObserver


def reads_processed_frames(observer: BaseObserver) -> bool:
    return type(observer).on_process_frame is not BaseObserver.on_process_frame


class ProcessedFramesOnDemand(WorkerObserver):
    """A `WorkerObserver` that queues a processed frame only for observers that read it."""

    async def on_process_frame(self, data: FrameProcessed):
        for proxy in (self._proxies or {}).values():
            if reads_processed_frames(proxy.observer):
                await proxy.queue.put(data)


def lighten_observer_fanout(worker: PipelineWorker) -> None:
    """Swap the worker's observer proxy for ours, before the worker runs. Left as it is
    when Pipecat's is not the plain 1.14 `WorkerObserver` it was measured against."""
    current = getattr(worker, "_observer", None)
    if type(current) is WorkerObserver and current._proxies is None:
        worker._observer = ProcessedFramesOnDemand(observers=current._observers)
