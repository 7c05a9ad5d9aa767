"""Real audio through the real offline pipeline: Whisper -> on-device brain -> Piper.

The caller's lines are synthesised at test time with the bundled Piper voice,
streamed in real time as 20 ms frames; the bot's audio is played back at real
time by the scripted caller's loudspeaker. One call of five turns, ended by the
caller's goodbye, then one test per behaviour.
"""

import asyncio
import time
from dataclasses import dataclass

import jiwer
import numpy as np
import pytest

from harness.audio_transport import HeardAudio
from harness.call import ScriptedCall, Turn
from harness.voices import piper_speech
from services.ondevice_llm import normalise

pytestmark = pytest.mark.e2e

GOODBYE = "Thank you for calling Luigi's Trattoria. Goodbye!"
OUT_OF_DOMAIN = "Do you have a vegan tasting menu?"
SCRIPT = [
    ("What time do you open on Sunday?", "We are open every day from noon"),
    ("Where are you located?", "You will find us at 12 Harbour Street"),
    ("Sorry, could you repeat that?", "Of course. You will find us at 12 Harbour Street"),
    (OUT_OF_DOMAIN, "Sorry, while I'm offline I can only help with"),
    ("That's all, thank you.", GOODBYE),
]


def loud(pcm: bytes) -> bool:
    return np.abs(np.frombuffer(pcm, np.int16)).max(initial=0) > 1000


@dataclass
class Call:
    greeting: str
    turns: dict[str, Turn]
    finished: bool
    heard: HeardAudio
    goodbye_asked: float
    """When the caller started saying goodbye (time.monotonic())."""


@pytest.fixture(scope="module")
def call(module_settings) -> Call:
    lines = [(said, piper_speech(said, module_settings.piper_voice, 1.15)) for said, _ in SCRIPT]

    async def run() -> Call:
        turns = {}
        async with ScriptedCall(module_settings) as scripted:
            greeting = await scripted.greet()
            for said, pcm in lines:
                asked = time.monotonic()
                turns[said] = await scripted.say(pcm)
            finished = await scripted.finished(timeout=15)
        return Call(greeting, turns, finished, scripted.transport.heard, asked)

    return asyncio.run(run())


def test_a_call_of_four_turns_is_heard_answered_and_ended_by_goodbye(call):
    assert call.greeting.startswith("Hello, thank you for calling Luigi's Trattoria")
    for said, expected in SCRIPT:
        turn = call.turns[said]
        # Heard, not spelled: Whisper once wrote "a big and tasting menu" for "a vegan tasting
        # menu" (2 errors in 7 words) on a fresh clone, though the same clip cut 16 ways
        # comes out right; what the bot made of it is the reply, checked below.
        assert jiwer.wer(normalise(said), normalise(turn.transcript)) <= 1 / 3, turn
        assert turn.reply.startswith(expected), turn
        assert turn.first_audio is not None, f"no bot audio after {said!r}"
    assert call.finished, "the goodbye did not end the call"
    assert loud(call.heard.pcm())


def test_the_goodbye_is_heard_in_full_before_the_call_ends(call, module_settings):
    spoken_secs = len(piper_speech(GOODBYE, module_settings.piper_voice, 1.0)) / 2 / 16000
    assert call.finished
    assert call.turns[SCRIPT[-1][0]].reply == GOODBYE
    heard = call.heard
    loud_starts = [at for at, pcm in heard.frames if at >= call.goodbye_asked and loud(pcm)]
    frame_secs = len(heard.frames[-1][1]) / 2 / heard.sample_rate
    heard_secs = loud_starts[-1] + frame_secs - loud_starts[0]
    assert heard_secs >= 0.9 * spoken_secs


def test_an_out_of_domain_request_gets_the_honest_offline_reply(call):
    turn = call.turns[OUT_OF_DOMAIN]
    assert turn.reply.startswith("Sorry, while I'm offline I can only help with")
    assert turn.first_audio is not None
