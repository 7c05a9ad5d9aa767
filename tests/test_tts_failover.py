"""The TTS chain (Cartesia -> Piper) on the real services.

Cartesia is the real Pipecat service against the provider fake, Piper the real
one with the bundled voice. Each fault kind is put on the first reply; the reply
must still be spoken whole, by Piper for what Cartesia had not said, with no
word spoken twice.
"""

import pytest
from pipecat.frames.frames import (
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
    TTSAudioRawFrame,
    TTSSpeakFrame,
    TTSStoppedFrame,
    TTSTextFrame,
)

from provider_fakes.cartesia_server import API_KEY, FakeCartesia
from provider_fakes.faults import FAULT_KINDS, Fault, Faults
from services.tts import create_tts
from services.tts_failover import TTSFailover
from settings import Settings
from tests.fakes.pipeline import PipelineRun

DEADLINE_SECS = 0.8
REPLY = ["We open at noon today. ", "See you soon."]
ACKNOWLEDGEMENT = "Let me check on that."


def build_chain(url: str, **overrides) -> TTSFailover:
    tts = create_tts(
        Settings(
            _env_file=None,
            cartesia_api_key=API_KEY,
            cartesia_url=url,
            tts_first_audio_deadline_secs=DEADLINE_SECS,
            failover_probe_secs=overrides.pop("failover_probe_secs", 60),
            **overrides,
        )
    )
    assert isinstance(tts, TTSFailover)
    return tts


def reply(*pieces: str) -> list:
    return [
        LLMFullResponseStartFrame(),
        *(LLMTextFrame(p) for p in pieces),
        LLMFullResponseEndFrame(),
    ]


def words(run: PipelineRun) -> list[str]:
    return " ".join(f.text for f in run.frames if isinstance(f, TTSTextFrame)).split()


def replies_done(run: PipelineRun) -> int:
    return sum(isinstance(f, LLMFullResponseEndFrame) for f in run.frames)


async def speak(run: PipelineRun, *pieces: str):
    before = replies_done(run)
    await run.send(*reply(*pieces))
    await run.wait_until(
        lambda: (
            replies_done(run) > before
            and isinstance(
                [f for f in run.frames if isinstance(f, (TTSStoppedFrame, TTSAudioRawFrame))][-1],
                TTSStoppedFrame,
            )
        ),
        "the reply to be spoken",
    )


@pytest.mark.parametrize("kind", FAULT_KINDS)
async def test_each_cartesia_fault_is_spoken_by_piper_without_repeating_a_word(kind):
    fault = Fault(kind, after=3, trickle_secs=2 * DEADLINE_SECS)
    async with FakeCartesia(faults=Faults({0: fault})) as fake:
        tts = build_chain(fake.url)
        async with PipelineRun([tts]) as run:
            await speak(run, *REPLY)

    spoken = words(run)
    expected = "".join(REPLY).split()
    assert spoken == expected, spoken
    (switch,) = tts.switches
    assert (switch.stage, switch.from_service, switch.to_service) == ("tts", "cartesia", "piper")
    assert sum(isinstance(f, LLMFullResponseEndFrame) for f in run.frames) == 1


async def test_cartesia_is_probed_and_speaks_again_from_the_next_reply():
    async with FakeCartesia(faults=Faults({0: Fault("500")})) as fake:
        tts = build_chain(fake.url, failover_probe_secs=0.05)
        async with PipelineRun([tts]) as run:
            await speak(run, "Hello there.")
            await run.wait_until(lambda: tts.healthy("cartesia"), "a probe of Cartesia")
            await speak(run, "Goodbye now.")

    assert [(s.kind, s.to_service) for s in tts.switches] == [
        ("failover", "piper"),
        ("recovery", "cartesia"),
    ]
    assert words(run) == ["Hello", "there.", "Goodbye", "now."]
    assert [r["transcript"].strip() for r in fake.requests if r.get("transcript")][-1] == (
        "Goodbye now."
    )


async def test_a_reply_that_stalls_mid_audio_is_finished_by_piper():
    # Cartesia speaks two words, then nothing: the idle deadline hands the rest to Piper
    # long before Pipecat's own audio-context timeout would end the reply unspoken.
    fault = Fault("stall", stall_after=2, stall_secs=30)
    async with FakeCartesia(faults=Faults({0: fault})) as fake:
        tts = build_chain(fake.url, tts_idle_deadline_secs=0.3)
        async with PipelineRun([tts]) as run:
            await speak(run, *REPLY)

    assert words(run) == "".join(REPLY).split()
    (switch,) = tts.switches
    assert switch.to_service == "piper"
    assert switch.reason.startswith("stalled mid-answer")


async def test_an_acknowledgement_that_stalls_then_the_reply_are_both_finished_by_piper():
    # The acknowledgement of a tool call is a reply of its own, and the answer follows it at
    # once: Cartesia stalls in the middle of the first, and Piper says the rest of both.
    fault = Fault("stall", stall_after=2, stall_secs=30)
    async with FakeCartesia(faults=Faults({0: fault})) as fake:
        tts = build_chain(fake.url, tts_idle_deadline_secs=0.3)
        async with PipelineRun([tts]) as run:
            await run.send(TTSSpeakFrame(ACKNOWLEDGEMENT, append_to_context=False))
            await speak(run, *REPLY)

    assert words(run) == [*ACKNOWLEDGEMENT.split(), *"".join(REPLY).split()]
    (switch,) = tts.switches
    assert switch.to_service == "piper"
    assert switch.reason.startswith("stalled mid-answer")
