"""Processed-frame events reach only the observers that read them.

Pipecat 1.14's `WorkerObserver` queues every processed frame for every observer, and each
queue wakes a task per event, though none of the observers a call has (ours, RTVI's, the
idle check, the harness's) reads processed frames: it was about a third of a call's CPU
in bench/load.py's profile.

Pushed frames go to every observer as Pipecat sends them, but for the pushes RTVI's observer
drops on arrival: it asks for every push of every frame (a frame is pushed again at each
hop, 50 caller audio frames a second each crossing some 30 processors), then drops audio
(without audio levels) and every push but a frame's first (except aggregated text). Those
events are not queued for it: in a profile of three calls (py-spy, bench/load.py) the
queueing and the wake-ups were about a tenth of the event loop's time.

RTVI's observer gets a speculative reply's frames only once its turn end confirms it
(app/speculative_events.py).
"""

from pipecat.frames.frames import AggregatedTextFrame, AggregatedTextProgressFrame, AudioRawFrame
from pipecat.observers.base_observer import BaseObserver, FrameProcessed, FramePushed
from pipecat.pipeline.worker import PipelineWorker
from pipecat.pipeline.worker_observer import WorkerObserver
from pipecat.processors.frameworks.rtvi.observer import RTVIObserver

from app.speculative_events import SpeculativeEvents


def reads_processed_frames(observer: BaseObserver) -> bool:
    return type(observer).on_process_frame is not BaseObserver.on_process_frame


def drops_on_arrival(observer: BaseObserver, data: FramePushed) -> bool:
    """Whether `observer` returns at once from this push, without a look at anything else:
    the first checks of Pipecat 1.14's `RTVIObserver.on_push_frame`, for that class only."""
    if type(observer) is not RTVIObserver:
        return False
    frame, params = data.frame, observer._params
    if isinstance(frame, AudioRawFrame):
        return not (params.user_audio_level_enabled or params.bot_audio_level_enabled)
    return not data.first_push and not isinstance(
        frame, (AggregatedTextFrame, AggregatedTextProgressFrame)
    )


class ProcessedFramesOnDemand(WorkerObserver):
    """A `WorkerObserver` that queues a processed frame only for observers that read it,
    and a pushed one not for an observer that would drop it on arrival."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._speculative = SpeculativeEvents()

    async def on_push_frame(self, data: FramePushed):
        # As WorkerObserver.on_push_frame (Pipecat 1.14), with `drops_on_arrival`, and RTVI's
        # pushes routed through `SpeculativeEvents`.
        if not self._proxies:
            return
        frame = data.frame
        data.first_push = frame.id not in self._frames_pushed
        if data.first_push:
            self._frames_pushed[frame.id] = frame
        routed = None
        for proxy in self._proxies.values():
            observer = proxy.observer
            pushes = [data]
            if type(observer) is RTVIObserver:
                routed = self._speculative.route(data) if routed is None else routed
                pushes = routed
            for push in pushes:
                if (push.first_push or observer.observe_every_push) and not drops_on_arrival(
                    observer, push
                ):
                    await proxy.queue.put(push)

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
