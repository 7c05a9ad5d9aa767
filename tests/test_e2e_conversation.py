"""Real audio through the real offline pipeline: Whisper -> on-device brain -> Piper.

The caller's lines are synthesised at test time with the bundled Piper voice,
streamed in real time as 20 ms frames; the bot's audio is played back at real
time by the scripted caller's loudspeaker.
"""

import time

import jiwer
import numpy as np
import pytest

from harness.call import ScriptedCall
from harness.voices import piper_speech
from services.ondevice_llm import normalise

pytestmark = pytest.mark.e2e


def loud(pcm: bytes) -> bool:
    return np.abs(np.frombuffer(pcm, np.int16)).max(initial=0) > 1000


@pytest.fixture
def caller(offline_settings):
    def speak(text: str) -> bytes:
        return piper_speech(text, offline_settings.piper_voice, length_scale=1.15)

    return speak


async def test_a_call_of_four_turns_is_heard_answered_and_ended_by_goodbye(
    offline_settings, caller
):
    script = [
        ("What time do you open on Sunday?", "We are open every day from noon"),
        ("Where are you located?", "You will find us at 12 Harbour Street"),
        ("Sorry, could you repeat that?", "Of course. You will find us at 12 Harbour Street"),
        ("That's all, thank you.", "Thank you for calling Luigi's Trattoria. Goodbye!"),
    ]
    lines = [(caller(said), said, expected) for said, expected in script]
    async with ScriptedCall(offline_settings) as call:
        greeting = await call.greet()
        assert greeting.startswith("Hello, thank you for calling Luigi's Trattoria")
        for pcm, said, expected in lines:
            turn = await call.say(pcm)
            assert jiwer.wer(normalise(said), normalise(turn.transcript)) <= 0.25
            assert turn.reply.startswith(expected)
            assert turn.first_audio is not None, f"no bot audio after {said!r}"
        assert await call.finished(timeout=15), "the goodbye did not end the call"
    assert loud(call.transport.heard.pcm())


async def test_the_goodbye_is_heard_in_full_before_the_call_ends(offline_settings, caller):
    goodbye = "Thank you for calling Luigi's Trattoria. Goodbye!"
    spoken_secs = len(piper_speech(goodbye, offline_settings.piper_voice, 1.0)) / 2 / 16000
    async with ScriptedCall(offline_settings) as call:
        await call.greet()
        asked = time.monotonic()
        turn = await call.say(caller("Okay, bye bye."))
        assert await call.finished(timeout=15)
    assert turn.reply == goodbye
    heard = call.transport.heard
    loud_starts = [at for at, pcm in heard.frames if at >= asked and loud(pcm)]
    frame_secs = len(heard.frames[-1][1]) / 2 / heard.sample_rate
    heard_secs = loud_starts[-1] + frame_secs - loud_starts[0]
    assert heard_secs >= 0.9 * spoken_secs


async def test_an_out_of_domain_request_gets_the_honest_offline_reply(offline_settings, caller):
    async with ScriptedCall(offline_settings) as call:
        await call.greet()
        turn = await call.say(caller("Do you have a vegan tasting menu?"))
    assert turn.reply.startswith("Sorry, while I'm offline I can only help with")
    assert turn.first_audio is not None
