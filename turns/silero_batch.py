"""Silero VAD for every call of the process, judged together on one thread.

Each call judges a 32 ms chunk of the caller's audio 31 times a second. Judged on the event
loop's thread, Silero was 29 % of that thread's samples with 20 calls at once (py-spy,
bench/load.py), and the thread is what bounds the calls a process carries. Judged
on a thread per call (Pipecat's way), the calls' threads and the loop took turns at the GIL.
So one thread judges the chunks that are waiting, of every call, in one ONNX run: a batch of
20 takes about 1.2 ms against 20 x 0.11 ms one by one, and the loop only waits for the result.

Each call keeps its own recurrent state and audio context in its Pipecat `SileroOnnxModel`,
read and written here as that model's `__call__` does (Pipecat 1.14;
tests/test_silero_batch.py checks the results match it), so Pipecat's periodic reset of a
call's model still applies.
"""

import asyncio
import threading
from dataclasses import dataclass

import numpy as np
from loguru import logger
from pipecat.audio.vad.silero import SileroOnnxModel


@dataclass
class _Chunk:
    model: SileroOnnxModel
    audio: np.ndarray
    sample_rate: int
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop


class SileroBatch:
    """Judges chunks of many calls' audio together, on a thread of its own started at first use."""

    def __init__(self):
        self._waiting: list[_Chunk] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    async def judge(self, model: SileroOnnxModel, audio: np.ndarray, sample_rate: int) -> float:
        """Silero's confidence that this chunk (float32 samples) is speech, as `model(audio,
        sample_rate)` would say it, with the model's state carried on."""
        loop = asyncio.get_running_loop()
        chunk = _Chunk(model, audio, sample_rate, loop.create_future(), loop)
        with self._lock:
            self._waiting.append(chunk)
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="silero", daemon=True)
                self._thread.start()
        self._wake.set()
        return await chunk.future

    def _serve(self):
        while True:
            self._wake.wait()
            with self._lock:
                chunks, self._waiting = self._waiting, []
                self._wake.clear()
            # A call waits for one chunk at a time, so a batch holds each model at most once.
            groups: dict[tuple, list[_Chunk]] = {}
            for chunk in chunks:
                groups.setdefault((id(chunk.model.session), chunk.sample_rate), []).append(chunk)
            settled: dict[asyncio.AbstractEventLoop, list] = {}
            for group in groups.values():
                try:
                    results = _run(group)
                except Exception as error:  # a bad chunk fails its batch, not the thread
                    logger.error(f"Silero VAD failed on {len(group)} chunks: {error}")
                    results = [0.0] * len(group)
                for chunk, result in zip(group, results, strict=True):
                    settled.setdefault(chunk.loop, []).append((chunk.future, result))
            for loop, results in settled.items():
                try:
                    loop.call_soon_threadsafe(_settle, results)
                except RuntimeError:  # that loop has closed; nobody waits for these
                    pass


def _run(group: list[_Chunk]) -> list[float]:
    """One ONNX run for chunks of one sample rate, each with its model's state and context."""
    sample_rate = group[0].sample_rate
    context_size = 64 if sample_rate == 16000 else 32
    for chunk in group:
        model = chunk.model
        if not model._last_batch_size or model._last_sr != sample_rate:
            model.reset_states(1)
        if not np.shape(model._context)[1]:
            model._context = np.zeros((1, context_size), dtype="float32")
    audio = np.stack(
        [np.concatenate((c.model._context[0], c.audio.astype("float32"))) for c in group]
    )
    state = np.concatenate([c.model._state for c in group], axis=1)
    rate = np.array(sample_rate, dtype="int64")
    out, state = group[0].model.session.run(None, {"input": audio, "state": state, "sr": rate})
    for index, chunk in enumerate(group):
        chunk.model._state = np.ascontiguousarray(state[:, index : index + 1, :])
        chunk.model._context = audio[index : index + 1, -context_size:]
        chunk.model._last_sr = sample_rate
        chunk.model._last_batch_size = 1
    return [float(value) for value in out[:, 0]]


def _settle(results: list[tuple[asyncio.Future, float]]):
    for future, confidence in results:
        if not future.done():  # its call may have ended meanwhile
            future.set_result(confidence)


SILERO_BATCH = SileroBatch()
"""The process's one batch: every call's VAD judges through it."""
