"""Drive real services in a running pipeline, step by step, with every wait bounded.

`pipecat.tests.utils.run_test` sends its frames and ends the pipeline at once;
a service that answers later (a websocket transcript, a tool result that starts
a second inference, a reconnect) needs the pipeline kept running until a
condition holds. Errors are read where the bot reads them: `on_pipeline_error`.
"""

import asyncio
from collections.abc import Callable, Sequence

from pipecat.frames.frames import EndFrame, ErrorFrame, Frame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineWorker
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.workers.runner import WorkerRunner

BOUND_SECS = 8.0
"""The longest any one step may take; a hang fails the test instead of stalling it."""


class Collector(FrameProcessor):
    """Keeps every frame that flows downstream past it."""

    def __init__(self):
        super().__init__()
        self.frames: list[Frame] = []

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if direction == FrameDirection.DOWNSTREAM:
            self.frames.append(frame)
        await self.push_frame(frame, direction)


class PipelineRun:
    """`async with PipelineRun([service]) as run:` starts it; leaving ends it with an EndFrame.

    `run.frames` holds what reached the end of the pipeline, `run.errors` every
    ErrorFrame the worker reported. A collector placed inside the pipeline by
    the caller works too (`Collector`).
    """

    def __init__(self, processors: Sequence[FrameProcessor]):
        self._collector = Collector()
        self._worker = PipelineWorker(
            Pipeline([*processors, self._collector]),
            enable_rtvi=False,
            cancel_on_idle_timeout=False,
        )
        self._started = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.errors: list[ErrorFrame] = []
        self.finished = False
        """True once the pipeline ended by its EndFrame, rather than being cancelled."""

        @self._worker.event_handler("on_pipeline_started")
        async def on_started(worker, frame):
            self._started.set()

        @self._worker.event_handler("on_pipeline_error")
        async def on_error(worker, frame: ErrorFrame):
            self.errors.append(frame)

        @self._worker.event_handler("on_pipeline_finished")
        async def on_finished(worker, frame):
            self.finished = isinstance(frame, EndFrame)

    @property
    def frames(self) -> list[Frame]:
        return self._collector.frames

    async def __aenter__(self) -> "PipelineRun":
        runner = WorkerRunner(handle_sigint=False)
        await runner.add_workers(self._worker)
        self._task = asyncio.create_task(runner.run())
        started = asyncio.create_task(self._started.wait())
        done, _ = await asyncio.wait(
            {self._task, started}, timeout=BOUND_SECS, return_when=asyncio.FIRST_COMPLETED
        )
        if started not in done:
            started.cancel()
            await self._stop()
            raise AssertionError(f"the pipeline did not start within {BOUND_SECS} s")
        return self

    async def __aexit__(self, exc_type, exc, tb):
        if exc_type is not None:
            await self._stop()
            return
        await self._worker.queue_frame(EndFrame())
        await asyncio.wait_for(self._task, BOUND_SECS)

    async def _stop(self):
        await self._worker.cancel()
        await asyncio.wait_for(self._task, BOUND_SECS)

    async def send(self, *frames: Frame):
        await self._worker.queue_frames(list(frames))

    async def wait_until(self, condition: Callable[[], bool], what: str):
        """Wait for `condition()`; fail, naming `what`, after BOUND_SECS."""
        try:
            async with asyncio.timeout(BOUND_SECS):
                while not condition():
                    await asyncio.sleep(0.02)
        except TimeoutError:
            raise AssertionError(f"timed out after {BOUND_SECS} s waiting for {what}") from None
