"""The STT chain (Deepgram -> Whisper) on the real services.

Deepgram is the real Pipecat service against the provider fake, Whisper the
real one with the bundled model, hearing a caller line spoken by Piper. Each
fault kind is put on Deepgram's connection; when it fails in the middle of a
turn, Whisper transcribes the turn's audio from the buffer, and words Deepgram
already finalized are not passed on again.
"""

from functools import cache

import pytest
from pipecat.frames.frames import (
    InputAudioRawFrame,
    TranscriptionFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)

from harness.voices import piper_speech
from provider_fakes.deepgram_server import API_KEY, FakeDeepgram, Listen
from provider_fakes.faults import FAULT_KINDS, Fault, Faults
from services.stt import create_stt
from services.stt_failover import STTFailover
from settings import Settings
from tests.fakes.pipeline import PipelineRun

SAMPLE_RATE = 16000
FRAME_BYTES = SAMPLE_RATE * 2 // 50


@pytest.fixture(autouse=True)
def fast_reconnect(monkeypatch):
    monkeypatch.setattr(
        "pipecat.services.deepgram.stt.exponential_backoff_time", lambda attempt: 0.05
    )


@cache
def caller_line() -> list[InputAudioRawFrame]:
    audio = piper_speech("What time do you open on Sunday?", Settings(_env_file=None).piper_voice)
    return [
        InputAudioRawFrame(audio[i : i + FRAME_BYTES], sample_rate=SAMPLE_RATE, num_channels=1)
        for i in range(0, len(audio), FRAME_BYTES)
    ]


def build_chain(url: str, probe_secs: float = 60) -> STTFailover:
    stt = create_stt(
        Settings(
            _env_file=None,
            deepgram_api_key=API_KEY,
            deepgram_base_url=url,
            stt_final_deadline_secs=0.5,
            failover_probe_secs=probe_secs,
        )
    )
    assert isinstance(stt, STTFailover)
    return stt


def finals(run: PipelineRun) -> list[str]:
    return [f.text for f in run.frames if isinstance(f, TranscriptionFrame)]


async def say_a_turn(run: PipelineRun):
    await run.send(VADUserStartedSpeakingFrame(), *caller_line(), VADUserStoppedSpeakingFrame())
    await run.wait_until(lambda: finals(run), "a final transcript")


@pytest.mark.parametrize("kind", FAULT_KINDS)
async def test_each_deepgram_fault_leaves_the_turn_transcribed_once(kind):
    # refuse, 500 and 429 come at the handshake, before the call's first turn; the
    # others in the middle of the turn. A trickle slower than Whisper on any machine
    # (a quicker one's late final may answer first: tests/test_stt_failover_late.py).
    fault = Fault(kind, after=1, stall_secs=30, trickle_secs=30)
    line = Listen(["What time do you open on Sunday?"])
    async with FakeDeepgram([line] * 3, faults=Faults({0: fault})) as fake:
        stt = build_chain(fake.base_url)
        async with PipelineRun([stt]) as run:
            if kind in ("refuse", "500", "429"):
                await run.wait_until(lambda: stt.switches, "a failover")
            await say_a_turn(run)

    # Whoever heard it, the turn's words come once.
    (text,) = finals(run)
    assert "sunday" in text.lower()
    (switch,) = stt.switches
    assert (switch.from_service, switch.to_service) == ("deepgram", "whisper")


async def test_deepgram_back_after_a_failure_transcribes_from_the_next_turn():
    # Deepgram's first handshake fails, before any turn: Whisper stands in; Pipecat's
    # Deepgram reconnects, and the next turn is Deepgram's again. Deepgram's fake does not
    # listen to the audio, so silence stands for the caller (no Whisper work at all).
    behaviours = [Listen(()), Listen(["We open at noon."])]
    async with FakeDeepgram(behaviours, faults=Faults({0: Fault("500")})) as fake:
        stt = build_chain(fake.base_url, probe_secs=0.05)
        async with PipelineRun([stt]) as run:
            await run.wait_until(lambda: stt.switches, "a failover")
            await run.wait_until(lambda: stt.healthy("deepgram"), "Deepgram to reconnect")
            silence = InputAudioRawFrame(
                bytes(FRAME_BYTES), sample_rate=SAMPLE_RATE, num_channels=1
            )
            await run.send(
                VADUserStartedSpeakingFrame(), *[silence] * 10, VADUserStoppedSpeakingFrame()
            )
            await run.wait_until(lambda: finals(run), "a final transcript")

    assert finals(run) == ["We open at noon."]
    assert [(s.kind, s.to_service) for s in stt.switches] == [
        ("failover", "whisper"),
        ("recovery", "deepgram"),
    ]


def test_the_turn_end_strategy_follows_the_stt_answering_now():
    from turns.segment_turn_stop import SegmentTurnAnalyzerUserTurnStopStrategy
    from turns.user_turn_params import create_user_turn_params

    answering = ["deepgram"]
    params = create_user_turn_params(
        Settings(_env_file=None, deepgram_api_key=API_KEY),
        stt_segmented=lambda: answering[0] == "whisper",
    )
    (stop,) = params.user_turn_strategies.stop
    assert isinstance(stop, SegmentTurnAnalyzerUserTurnStopStrategy)
    assert not stop._segmented()
    answering[0] = "whisper"
    assert stop._segmented()
