"""The STT chain's first-final rule, on scripted STTs (no model, no socket).

A fallback that misses its own deadline is switched away from, but it is still
transcribing the turn: when the STT switched to says nothing, its late final
must answer the turn (the benchmark lost two turns this way), once.
"""

import asyncio

from pipecat.frames.frames import (
    InputAudioRawFrame,
    TranscriptionFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.services.stt_service import SegmentedSTTService

from services.failover_health import RecoveryPolicy
from services.stt_failover import STTFailover
from tests.fakes.pipeline import PipelineRun


class ScriptedSTT(SegmentedSTTService):
    """Answers each turn (VAD segment) by its script: a text, once `release` is set; or
    "error": a refused connection; or None: nothing at all."""

    def __init__(self, script: list[str | None]):
        super().__init__(sample_rate=16000)
        self._script = list(script)
        self.release = asyncio.Event()
        self.release.set()

    async def run_stt(self, audio: bytes):
        said = self._script.pop(0) if self._script else None
        if said == "error":
            await self.push_error("connection refused")
        elif said is not None:
            await self.release.wait()
            yield TranscriptionFrame(said, "", "now")


def a_turn() -> list:
    audio = InputAudioRawFrame(bytes(640), sample_rate=16000, num_channels=1)
    return [VADUserStartedSpeakingFrame(), *[audio] * 5]


def finals(run: PipelineRun) -> list[str]:
    return [f.text for f in run.frames if isinstance(f, TranscriptionFrame)]


async def test_a_slow_fallbacks_late_final_answers_when_the_next_stt_says_nothing():
    primary = ScriptedSTT(["error", None])
    fallback = ScriptedSTT(["turn one", "turn two"])
    primary_back = asyncio.Event()

    async def probe(service) -> bool:
        await primary_back.wait()
        return True

    stt = STTFailover(
        [primary, fallback],
        names=["primary", "fallback"],
        final_deadline_secs=0.05,
        policy=RecoveryPolicy(probe_secs=0.01),
        probe=probe,
    )
    async with PipelineRun([stt]) as run:
        # Turn one: the primary fails; the fallback answers it and stays on.
        await run.send(*a_turn(), VADUserStoppedSpeakingFrame())
        await run.wait_until(lambda: finals(run) == ["turn one"], "turn one's final")
        # Turn two: the fallback is slow; the primary is back by the end of the turn, so at
        # the fallback's deadline the turn goes to the primary, which says nothing.
        fallback.release.clear()
        await run.send(*a_turn())
        primary_back.set()
        await run.wait_until(lambda: stt.healthy("primary"), "the primary to answer a probe")
        await run.send(VADUserStoppedSpeakingFrame())
        await run.wait_until(lambda: len(stt.switches) == 2, "the switch to the primary")
        fallback.release.set()
        await run.wait_until(lambda: len(finals(run)) == 2, "turn two's final")
        await asyncio.sleep(0.1)  # nothing else comes

    assert finals(run) == ["turn one", "turn two"]
    # The fallback's late final took the turn, and the fallback with it.
    assert [(s.from_service, s.to_service) for s in stt.switches][:3] == [
        ("primary", "fallback"),
        ("fallback", "primary"),
        ("primary", "fallback"),
    ]


async def test_the_failed_stts_final_answers_once_when_it_comes_before_the_fallbacks():
    # The primary misses its deadline and the fallback is given the turn; the primary's
    # final comes first after all: it answers, and the fallback's later final is dropped.
    primary = ScriptedSTT(["the words"])
    fallback = ScriptedSTT(["the words again"])
    primary.release.clear()
    fallback.release.clear()
    stt = STTFailover([primary, fallback], names=["primary", "fallback"], final_deadline_secs=0.05)
    async with PipelineRun([stt]) as run:
        await run.send(*a_turn(), VADUserStoppedSpeakingFrame())
        await run.wait_until(lambda: stt.switches, "the switch to the fallback")
        primary.release.set()
        await run.wait_until(lambda: finals(run), "the primary's final")
        fallback.release.set()
        await asyncio.sleep(0.1)  # nothing else comes

    assert finals(run) == ["the words"]
    assert [(s.from_service, s.to_service) for s in stt.switches] == [
        ("primary", "fallback"),
        ("fallback", "primary"),
    ]
