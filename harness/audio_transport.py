"""A transport that behaves like a caller's microphone and loudspeaker.

Pipecat has no file- or script-driven transport. This one streams 16 kHz PCM
into the pipeline in real time as 20 ms frames (silence between utterances, as
a live microphone does, so VAD and Smart Turn see real pauses) and plays the
bot's audio back at real-time pace, recording when each frame was heard.
"""

import asyncio
import time
from dataclasses import dataclass, field

import numpy as np
from pipecat.frames.frames import (
    InputAudioRawFrame,
    InputTransportMessageFrame,
    OutputAudioRawFrame,
    StartFrame,
)
from pipecat.processors.frame_processor import FrameProcessor
from pipecat.transports.base_input import BaseInputTransport
from pipecat.transports.base_output import BaseOutputTransport
from pipecat.transports.base_transport import BaseTransport, TransportParams

SAMPLE_RATE = 16000
FRAME_SECS = 0.02
FRAME_BYTES = int(SAMPLE_RATE * FRAME_SECS) * 2
SILENCE_FRAME = bytes(FRAME_BYTES)


@dataclass
class Utterance:
    """Caller audio queued on the microphone, with when it started and ended playing."""

    pcm: bytes
    started: asyncio.Future
    ended: asyncio.Future


class MicrophoneInput(BaseInputTransport):
    """Streams queued utterances, and silence otherwise, at real-time pace."""

    def __init__(self, transport: "ScriptedCallTransport", params: TransportParams):
        super().__init__(params)
        self._transport = transport
        self._pending: asyncio.Queue[Utterance] = asyncio.Queue()
        self._stream_task: asyncio.Task | None = None

    async def start(self, frame: StartFrame):
        await super().start(frame)
        await self.set_transport_ready(frame)
        self._stream_task = self.create_task(self._stream(), "microphone")
        await self._transport.connected()

    async def stop(self, frame):
        await self._stop_stream()
        await super().stop(frame)

    async def cancel(self, frame):
        await self._stop_stream()
        await super().cancel(frame)

    async def _stop_stream(self):
        if self._stream_task:
            await self.cancel_task(self._stream_task)
            self._stream_task = None

    def say(self, pcm: bytes) -> asyncio.Future:
        """Queue an utterance; the future resolves to the time its last sample was sent."""
        return self.speak(pcm).ended

    def speak(self, pcm: bytes) -> "Utterance":
        """Queue an utterance; it tells when its first and its last sample were sent."""
        loop = asyncio.get_running_loop()
        utterance = Utterance(pcm, loop.create_future(), loop.create_future())
        self._pending.put_nowait(utterance)
        return utterance

    async def send_client_message(self, message: dict):
        # Broadcast, as the real transports do: RTVI sits upstream of the input.
        await self.broadcast_frame(InputTransportMessageFrame, message=message)

    async def _stream(self):
        next_at = time.monotonic()
        while True:
            if self._pending.empty():
                await self._push_chunk(SILENCE_FRAME)
            else:
                utterance = self._pending.get_nowait()
                utterance.started.set_result(time.monotonic())
                for offset in range(0, len(utterance.pcm), FRAME_BYTES):
                    chunk = utterance.pcm[offset : offset + FRAME_BYTES].ljust(FRAME_BYTES, b"\0")
                    await self._push_chunk(chunk)
                    next_at += FRAME_SECS
                    await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                utterance.ended.set_result(time.monotonic())
                continue
            next_at += FRAME_SECS
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def _push_chunk(self, chunk: bytes):
        await self.push_audio_frame(
            InputAudioRawFrame(audio=chunk, sample_rate=SAMPLE_RATE, num_channels=1)
        )


@dataclass
class HeardAudio:
    """Bot audio as the caller heard it: (start time, pcm) per frame."""

    frames: list[tuple[float, bytes]] = field(default_factory=list)
    sample_rate: int = 24000

    def first_voiced_after(self, t: float, threshold: int = 500) -> float | None:
        """When the first audible bot frame started playing after time `t`."""
        for started, pcm in self.frames:
            if started >= t and np.abs(np.frombuffer(pcm, np.int16)).max(initial=0) > threshold:
                return started
        return None

    def pcm(self) -> bytes:
        return b"".join(pcm for _, pcm in self.frames)

    def frame_secs(self, pcm: bytes) -> float:
        return len(pcm) / 2 / self.sample_rate

    def gaps(self, after: float, min_gap: float = 0.25) -> list[tuple[float, float]]:
        """Stretches after `after` when no bot audio was sent at all (a pause, not a
        quiet stretch of speech): (start time of the last frame before, start of the
        first frame after)."""
        found = []
        for (start, pcm), (next_start, _) in zip(self.frames, self.frames[1:], strict=False):
            if next_start < after:
                continue
            if next_start - (start + self.frame_secs(pcm)) >= min_gap:
                found.append((start, next_start))
        return found

    def last_sent(self) -> float | None:
        """When the last bot frame so far started playing."""
        return self.frames[-1][0] if self.frames else None


class LoudspeakerOutput(BaseOutputTransport):
    """Plays the bot's audio at real-time pace and remembers when each frame played."""

    def __init__(self, params: TransportParams, heard: HeardAudio):
        super().__init__(params)
        self._heard = heard
        self._clock = 0.0

    async def start(self, frame: StartFrame):
        await super().start(frame)
        await self.set_transport_ready(frame)

    async def write_audio_frame(self, frame: OutputAudioRawFrame) -> bool:
        now = time.monotonic()
        starts = max(now, self._clock)
        self._clock = starts + len(frame.audio) / 2 / frame.sample_rate
        self._heard.sample_rate = frame.sample_rate
        self._heard.frames.append((starts, frame.audio))
        await asyncio.sleep(starts - now)
        return True


class ScriptedCallTransport(BaseTransport):
    """A caller on a scripted call: `say()` speaks into the bot, `heard` holds its replies."""

    def __init__(self, params: TransportParams | None = None):
        super().__init__()
        self._params = params or TransportParams(audio_in_enabled=True, audio_out_enabled=True)
        self.heard = HeardAudio()
        self._input = MicrophoneInput(self, self._params)
        self._output = LoudspeakerOutput(self._params, self.heard)
        self._register_event_handler("on_client_connected")
        self._register_event_handler("on_client_disconnected")

    def input(self) -> FrameProcessor:
        return self._input

    def output(self) -> FrameProcessor:
        return self._output

    def say(self, pcm: bytes) -> asyncio.Future:
        return self._input.say(pcm)

    def speak(self, pcm: bytes) -> Utterance:
        return self._input.speak(pcm)

    async def send_client_ready(self):
        """What an RTVI client sends once it can play audio: the bot greets then."""
        await self._input.send_client_message(
            {
                "label": "rtvi-ai",
                "type": "client-ready",
                "id": "harness",
                "data": {"version": "2.2.0"},
            }
        )

    async def connected(self):
        await self._call_event_handler("on_client_connected", None)
