"""A caller's voice for the eval harness from any local "text to 16 kHz PCM" function.

Pipecat ships no espeak-ng service, and its `PiperTTSService` has no speaking
rate; `harness/voices.py` has both as plain functions. This service puts such
a function behind Pipecat's `TTSService`, so the harness's cache and pacing
drive it like any local TTS.
"""

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable

from pipecat.frames.frames import ErrorFrame, Frame
from pipecat.services.settings import TTSSettings
from pipecat.services.tts_service import TTSService

from harness.audio_transport import SAMPLE_RATE


class LocalVoiceTTSService(TTSService):
    """Speaks with `speak(text) -> 16 kHz mono int16 PCM`, run in a worker thread."""

    def __init__(self, *, speak: Callable[[str], bytes], voice: str, **kwargs):
        super().__init__(
            push_start_frame=True,
            push_stop_frames=True,
            settings=TTSSettings(model=None, voice=voice, language=None),
            **kwargs,
        )
        self._speak = speak

    def can_generate_metrics(self) -> bool:
        return True

    async def run_tts(self, text: str, context_id: str) -> AsyncGenerator[Frame, None]:
        async def pcm() -> AsyncIterator[bytes]:
            yield await asyncio.to_thread(self._speak, text)

        try:
            async for frame in self._stream_audio_frames_from_iterator(
                pcm(), in_sample_rate=SAMPLE_RATE, context_id=context_id
            ):
                await self.stop_ttfb_metrics()
                yield frame
        except Exception as error:  # a voice that fails is a harness error, not a crash
            yield ErrorFrame(error=f"{self}: could not speak {text!r}: {error}")
