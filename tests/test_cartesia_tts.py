"""The real `CartesiaTTSService`, built by `create_tts`, against a local fake of its websocket.

A reply streamed as LLM text becomes generation requests, and the fake's
base64 PCM chunks become audio frames. Failures (a refused port, a bad key, an
`error` message, a stall, a dropped socket) must surface as pipeline errors,
never as a crash or a hang, and the next reply must still be spoken when the
service can recover.
"""

from pipecat.frames.frames import (
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
    TTSAudioRawFrame,
    TTSStartedFrame,
    TTSStoppedFrame,
    TTSTextFrame,
)
from pipecat.services.cartesia.tts import CartesiaTTSService
from pipecat.services.tts_service import TTSService
from pipecat.utils.errors import ErrorCategory

from provider_fakes import closed_port
from provider_fakes.cartesia_server import (
    API_KEY,
    WORD_SECS,
    Behaviour,
    Fail,
    FakeCartesia,
    Reject,
    Speak,
    Stall,
)
from services.tts import create_tts
from settings import Settings
from tests.fakes.log import captured_log
from tests.fakes.pipeline import PipelineRun

SAMPLE_RATE = 24000
"""The pipeline's default output rate, which the service asks Cartesia for."""


def build_cartesia(url: str, api_key: str = API_KEY) -> TTSService:
    return create_tts(
        Settings(
            _env_file=None,
            tts_chain="cartesia",
            cartesia_api_key=api_key,
            cartesia_url=url,
        )
    )


def reply(*pieces: str) -> list:
    """An LLM reply as the TTS receives it: start, streamed text, end."""
    return [
        LLMFullResponseStartFrame(),
        *(LLMTextFrame(p) for p in pieces),
        LLMFullResponseEndFrame(),
    ]


def stopped(run: PipelineRun) -> int:
    return sum(isinstance(f, TTSStoppedFrame) for f in run.frames)


def audio(run: PipelineRun) -> list[TTSAudioRawFrame]:
    return [f for f in run.frames if isinstance(f, TTSAudioRawFrame)]


def spoken(run: PipelineRun) -> str:
    return " ".join(f.text for f in run.frames if isinstance(f, TTSTextFrame))


async def speak_once(behaviours: list[Behaviour], *pieces: str) -> tuple[FakeCartesia, PipelineRun]:
    async with FakeCartesia(behaviours) as fake:
        async with PipelineRun([build_cartesia(fake.url)]) as run:
            await run.send(*reply(*pieces))
            await run.wait_until(lambda: stopped(run) or run.errors, "the reply to end")
    return fake, run


async def test_factory_builds_the_real_cartesia_service():
    assert isinstance(build_cartesia("ws://127.0.0.1:1/tts/websocket"), CartesiaTTSService)


async def test_reply_text_becomes_the_servers_audio():
    _, run = await speak_once([Speak()], "Hello there. ", "We open at noon.")

    frames = audio(run)
    words = 6
    assert sum(len(f.audio) for f in frames) == words * int(SAMPLE_RATE * WORD_SECS) * 2
    assert {f.sample_rate for f in frames} == {SAMPLE_RATE}
    kinds = [type(f) for f in run.frames]
    assert (
        kinds.index(TTSStartedFrame) < kinds.index(TTSAudioRawFrame) < kinds.index(TTSStoppedFrame)
    )
    assert run.errors == []


async def test_words_are_reported_as_spoken_from_the_servers_timestamps():
    _, run = await speak_once([Speak()], "Hello there. ", "We open at noon.")

    assert spoken(run) == "Hello there. We open at noon."


async def test_requests_carry_key_voice_model_and_the_pipelines_audio_format():
    fake, _ = await speak_once([Speak()], "Hello there.")

    defaults = Settings(_env_file=None)
    assert fake.connections[0].headers["x-api-key"] == API_KEY
    assert "cartesia-version" in fake.connections[0].headers
    first, *_, last = fake.requests
    assert first["transcript"] == "Hello there."
    assert first["voice"] == {"mode": "id", "id": defaults.cartesia_voice_id}
    assert first["model_id"] == defaults.cartesia_model
    assert first["output_format"] == {
        "container": "raw",
        "encoding": "pcm_s16le",
        "sample_rate": SAMPLE_RATE,
    }
    assert last["continue"] is False
    assert {r["context_id"] for r in fake.requests} == {first["context_id"]}


async def test_error_message_ends_the_reply_with_an_error_and_the_next_reply_is_spoken():
    async with FakeCartesia([Fail("voice not found")]) as fake:
        tts = build_cartesia(fake.url)
        async with PipelineRun([tts]) as run:
            await run.send(*reply("Hello there."))
            await run.wait_until(lambda: run.errors, "an error")
            await run.send(*reply("Still here."))
            await run.wait_until(lambda: stopped(run) == 2, "the second reply to end")

    assert "voice not found" in run.errors[0].error
    assert sum(len(f.audio) for f in audio(run)) == 2 * int(SAMPLE_RATE * WORD_SECS) * 2
    assert spoken(run).endswith("Still here.")
    assert tts.is_usable


async def test_server_that_never_answers_ends_the_reply_with_an_error():
    async with FakeCartesia([Stall()]) as fake:
        async with PipelineRun([build_cartesia(fake.url)]) as run:
            await run.send(*reply("Hello there."))
            await run.wait_until(lambda: run.errors, "an error")

    assert "no audio" in run.errors[0].error
    assert audio(run) == []
    assert run.finished


async def test_refused_connection_reports_errors_and_the_pipeline_keeps_running():
    async with PipelineRun([build_cartesia(f"ws://127.0.0.1:{closed_port()}/tts")]) as run:
        await run.wait_until(lambda: run.errors, "a connection error")
        await run.send(*reply("Hello there."))
        await run.wait_until(lambda: stopped(run), "the reply to end")

    assert run.errors[0].category == ErrorCategory.CONNECTIVITY
    assert any("no audio" in e.error for e in run.errors)
    assert audio(run) == []
    assert run.finished


async def test_bad_key_is_an_authentication_error():
    async with FakeCartesia([]) as fake:
        async with PipelineRun([build_cartesia(fake.url, api_key="ca-wrong-key")]) as run:
            await run.wait_until(lambda: run.errors, "an error")

    assert "401" in run.errors[0].error
    assert run.errors[0].category == ErrorCategory.AUTHENTICATION


async def test_server_error_at_connect_then_the_reply_is_spoken_on_a_new_connection():
    async with FakeCartesia([Reject(503), Speak()]) as fake:
        async with PipelineRun([build_cartesia(fake.url)]) as run:
            await run.wait_until(lambda: run.errors, "the connection error")
            await run.send(*reply("Hello there."))
            await run.wait_until(lambda: stopped(run), "the reply to end")

    assert "503" in run.errors[0].error
    assert len(fake.connections) == 2
    assert spoken(run) == "Hello there."


async def test_dropped_connection_reconnects_and_speaks_the_next_reply():
    async with FakeCartesia([Speak(drop_after_done=True), Speak()]) as fake:
        tts = build_cartesia(fake.url)
        async with PipelineRun([tts]) as run:
            await run.send(*reply("Hello there."))
            await run.wait_until(lambda: stopped(run), "the first reply to end")
            await run.wait_until(lambda: len(fake.connections) == 2, "a reconnection")
            await run.send(*reply("Still here."))
            await run.wait_until(lambda: stopped(run) == 2, "the second reply to end")

    assert spoken(run) == "Hello there. Still here."
    assert tts.is_usable


async def test_api_key_never_reaches_the_log():
    with captured_log() as lines:
        async with FakeCartesia([Reject(401)]) as fake:
            async with PipelineRun([build_cartesia(fake.url)]) as run:
                await run.wait_until(lambda: run.errors, "the rejection")

    assert lines
    assert not [line for line in lines if API_KEY in line]
