"""Every call's Silero VAD judged together (turns/silero_batch.py): the same confidences and
the same VAD states as Pipecat's own Silero, whatever else is judged at the same time."""

import asyncio

import numpy as np
import pytest
from pipecat.audio.vad.silero import SileroVADAnalyzer

from harness.voices import piper_speech, silence
from settings import Settings
from turns.heard_silence_vad import HeardSilenceVADAnalyzer
from turns.silero_batch import SileroBatch, _Chunk, _run

CHUNK = 512  # samples Silero judges at 16 kHz
FRAME = 640  # bytes of a 20 ms transport frame at 16 kHz


@pytest.fixture(scope="module")
def speech() -> list[bytes]:
    voice = Settings().piper_voice
    lines = ["Table for two at eight.", "No, on Friday.", "Yes please."]
    return [piper_speech(line, voice) + silence(0.3) for line in lines]


def chunks(pcm: bytes) -> list[np.ndarray]:
    samples = np.frombuffer(pcm, np.int16).astype(np.float32) / 32768.0
    return [samples[i : i + CHUNK] for i in range(0, len(samples) - CHUNK + 1, CHUNK)]


def analyzer(kind: type[SileroVADAnalyzer]) -> SileroVADAnalyzer:
    vad = kind()
    vad.set_sample_rate(16000)  # as the pipeline's start does
    return vad


async def test_three_calls_judged_together_get_what_each_model_alone_says(speech):
    batch = SileroBatch()
    alone = [analyzer(SileroVADAnalyzer)._model for _ in speech]
    together = [analyzer(SileroVADAnalyzer)._model for _ in speech]
    expected = [
        [float(model(c, 16000)[0, 0]) for c in chunks(pcm)]
        for model, pcm in zip(alone, speech, strict=True)
    ]

    async def call(model, pcm) -> list[float]:
        return [await batch.judge(model, c, 16000) for c in chunks(pcm)]

    judged = await asyncio.gather(*(call(m, pcm) for m, pcm in zip(together, speech, strict=True)))
    for got, want in zip(judged, expected, strict=True):
        assert max(v > 0.7 for v in want)  # there is speech to judge
        np.testing.assert_allclose(got, want, atol=1e-4)


def test_chunks_of_three_calls_in_one_run_get_what_each_model_alone_says(speech):
    alone = [analyzer(SileroVADAnalyzer)._model for _ in speech]
    together = [analyzer(SileroVADAnalyzer)._model for _ in speech]
    steps = min(len(chunks(pcm)) for pcm in speech)
    for step in range(steps):
        group = [
            _Chunk(model, chunks(pcm)[step], 16000, future=None, loop=None)
            for model, pcm in zip(together, speech, strict=True)
        ]
        want = [float(m(c.audio, 16000)[0, 0]) for m, c in zip(alone, group, strict=True)]
        np.testing.assert_allclose(_run(group), want, atol=1e-4)


async def test_a_failed_run_says_no_speech_and_the_batch_goes_on(speech):
    batch = SileroBatch()
    first, second = analyzer(SileroVADAnalyzer)._model, analyzer(SileroVADAnalyzer)._model
    assert await batch.judge(first, np.zeros(3, np.float32), 16000) == 0.0  # not a chunk
    speechy = max(chunks(speech[0]), key=lambda c: float(np.abs(c).mean()))
    fresh = analyzer(SileroVADAnalyzer)._model
    want = float(fresh(speechy, 16000)[0, 0])
    assert await batch.judge(second, speechy, 16000) == pytest.approx(want, abs=1e-4)


async def test_the_calls_vad_reports_what_pipecats_silero_reports(speech):
    ours, pipecats = analyzer(HeardSilenceVADAnalyzer), analyzer(SileroVADAnalyzer)
    for pcm in speech:
        for start in range(0, len(pcm), FRAME):  # 20 ms frames, as the transport sends
            frame = pcm[start : start + FRAME]
            assert await ours.analyze_audio(frame) == await pipecats.analyze_audio(frame)
