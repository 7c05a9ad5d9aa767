"""The real `DeepgramSTTService`, built by `create_stt`, against a local fake of the live websocket.

Audio goes in as 20 ms frames; transcripts come back as the fake's `Results`
messages. Failures (a refused port, a bad key, a 5xx handshake, a dropped
socket) must surface as pipeline errors, never as a crash or a hang, and the
pipeline must keep running.
"""

import aiohttp
import pytest
from pipecat.frames.frames import InputAudioRawFrame, InterimTranscriptionFrame, TranscriptionFrame
from pipecat.services.deepgram.stt import DeepgramSTTService
from pipecat.services.stt_service import STTService

from provider_fakes import closed_port
from provider_fakes.deepgram_server import API_KEY, FakeDeepgram, Listen, Reject
from services.deepgram_stt import InflateOnly
from services.stt import create_stt
from settings import Settings
from tests.fakes.log import captured_log
from tests.fakes.pipeline import PipelineRun

SAMPLE_RATE = 16000
FRAME_BYTES = SAMPLE_RATE * 2 // 50  # 20 ms of 16-bit mono


@pytest.fixture(autouse=True)
def fast_reconnect(monkeypatch):
    """Pipecat waits 4-10 s between reconnects; a test waits 50 ms."""
    monkeypatch.setattr(
        "pipecat.services.deepgram.stt.exponential_backoff_time", lambda attempt: 0.05
    )


def build_deepgram(base_url: str, api_key: str = API_KEY) -> STTService:
    return create_stt(
        Settings(
            _env_file=None,
            stt_provider="deepgram",
            stt_chain="deepgram",
            deepgram_api_key=api_key,
            deepgram_base_url=base_url,
        )
    )


def speech(frames: int = 10) -> list[InputAudioRawFrame]:
    """Audio as the transport delivers it: 20 ms frames (silence; the fake does not listen)."""
    return [
        InputAudioRawFrame(audio=b"\x00" * FRAME_BYTES, sample_rate=SAMPLE_RATE, num_channels=1)
        for _ in range(frames)
    ]


def finals(run: PipelineRun) -> list[str]:
    return [f.text for f in run.frames if isinstance(f, TranscriptionFrame)]


async def test_factory_builds_the_real_deepgram_service():
    assert isinstance(build_deepgram("ws://127.0.0.1:1"), DeepgramSTTService)


async def test_audio_goes_to_deepgram_and_the_final_transcript_comes_back():
    async with FakeDeepgram([Listen(["A table for two, please."])]) as fake:
        async with PipelineRun([build_deepgram(fake.base_url)]) as run:
            await run.send(*speech())
            await run.wait_until(lambda: finals(run), "a final transcript")

    assert finals(run) == ["A table for two, please."]
    assert fake.connections[0].audio_bytes >= Listen(()).bytes_per_transcript
    assert run.errors == []


async def test_interim_result_comes_before_the_final_one():
    async with FakeDeepgram([Listen(["When do you open today?"])]) as fake:
        async with PipelineRun([build_deepgram(fake.base_url)]) as run:
            await run.send(*speech())
            await run.wait_until(lambda: finals(run), "a final transcript")

    kinds = [type(f) for f in run.frames]
    interim = kinds.index(InterimTranscriptionFrame)
    assert interim < kinds.index(TranscriptionFrame)
    assert run.frames[interim].text == "When do"


async def test_connection_asks_for_the_configured_model_language_and_audio_format():
    async with FakeDeepgram([Listen(())]) as fake:
        async with PipelineRun([build_deepgram(fake.base_url)]):
            pass

    connection = fake.connections[0]
    assert connection.headers["authorization"] == f"Token {API_KEY}"
    assert connection.query["model"] == Settings(_env_file=None).deepgram_model
    assert connection.query["language"] == "en"
    assert connection.query["encoding"] == "linear16"
    assert connection.query["sample_rate"] == str(SAMPLE_RATE)


async def test_bad_key_is_a_permanent_error_and_the_pipeline_keeps_running():
    async with FakeDeepgram([]) as fake:
        stt = build_deepgram(fake.base_url, api_key="dg-wrong-key")
        async with PipelineRun([stt]) as run:
            await run.wait_until(lambda: run.errors, "an error")
            await run.send(*speech(3))

    assert len(fake.connections) == 1
    (error,) = run.errors
    assert "401" in error.error
    assert not stt.is_usable
    assert run.finished


async def test_refused_connection_is_retried_then_given_up_and_the_pipeline_keeps_running():
    stt = build_deepgram(f"ws://127.0.0.1:{closed_port()}")
    async with PipelineRun([stt]) as run:
        await run.wait_until(lambda: not stt.is_usable, "the service to give up")
        await run.send(*speech(3))

    assert len(run.errors) >= 2
    assert all("connect" in error.error for error in run.errors)
    assert run.finished


async def test_server_error_at_connect_is_retried_and_then_transcribes():
    async with FakeDeepgram([Reject(503), Listen(["Table for four."])]) as fake:
        stt = build_deepgram(fake.base_url)
        async with PipelineRun([stt]) as run:
            await run.send(*speech())
            await run.wait_until(lambda: finals(run), "a final transcript")

    assert len(fake.connections) == 2
    assert "503" in run.errors[0].error
    assert finals(run) == ["Table for four."]
    assert stt.is_usable


async def test_dropped_connection_reconnects_and_transcribes_the_next_words():
    behaviours = [Listen(["Hello."], drop_after=True), Listen(["Are you there?"])]
    async with FakeDeepgram(behaviours) as fake:
        stt = build_deepgram(fake.base_url)
        async with PipelineRun([stt]) as run:
            await run.send(*speech())
            await run.wait_until(lambda: finals(run), "the first transcript")
            await run.wait_until(lambda: len(fake.connections) == 2, "a reconnection")
            await run.send(*speech())
            await run.wait_until(lambda: len(finals(run)) == 2, "the second transcript")

    assert finals(run) == ["Hello.", "Are you there?"]
    assert stt.is_usable


async def test_api_key_never_reaches_the_log():
    with captured_log() as lines:
        async with FakeDeepgram([Reject(401)]) as fake:
            async with PipelineRun([build_deepgram(fake.base_url)]) as run:
                await run.wait_until(lambda: run.errors, "the rejection")

    assert lines
    assert not [line for line in lines if API_KEY in line]


async def _say_and_finalize(url: str, voiced: bool) -> list[tuple[str, bool]]:
    """One connection: 0.2 s of audio (a tone, or zeros), a Finalize; the results it got."""
    audio = (b"\x10\x20" if voiced else b"\0\0") * 3200
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{url}/v1/listen", headers={"Authorization": f"Token {API_KEY}"}) as ws,
    ):
        await ws.send_bytes(audio)
        await ws.send_json({"type": "Finalize"})
        results = []
        while not results or not results[-1][1]:
            message = await ws.receive_json(timeout=5)
            alternative = message["channel"]["alternatives"][0]
            results.append((alternative["transcript"], message["is_final"]))
        return results


async def test_with_lines_each_connection_says_its_own_lines_and_silence_is_no_speech():
    async with FakeDeepgram(lines=["Table for two.", "Thanks."]) as fake:
        first = await _say_and_finalize(fake.base_url, voiced=True)
        second = await _say_and_finalize(fake.base_url, voiced=True)
        silent = await _say_and_finalize(fake.base_url, voiced=False)
    assert first[-1] == ("Table for two.", True) and first[0] == ("Table", False)
    assert second[-1] == ("Table for two.", True)  # a new call starts its lines again
    assert silent == [("", True)]


async def test_audio_goes_out_uncompressed_and_compressed_answers_are_read():
    # The fake, like any aiohttp server, agrees to permessage-deflate and compresses its answers.
    async with FakeDeepgram([Listen(["A table for two, please."])]) as fake:
        service = build_deepgram(fake.base_url)
        async with PipelineRun([service]) as run:
            await run.send(*speech())
            await run.wait_until(lambda: finals(run), "a final transcript")
            extensions = service._connection._websocket.extensions

    assert [type(e) for e in extensions] == [InflateOnly]
    assert finals(run) == ["A table for two, please."]
