"""Turn-taking on real audio, against the pitfalls measured on 2 CPU cores (docs/turn-taking.md).

- a sentence with a comma pause stays one turn;
- a finished sentence is not held for Smart Turn's 3 s fallback;
- a fragment that the VAD splits off is transcribed, not dropped.
"""

import jiwer
import pytest

from harness.call import ScriptedCall
from harness.voices import espeak_available, espeak_speech, piper_speech, silence
from services.ondevice_llm import normalise

pytestmark = pytest.mark.e2e

HOURS = "We are open every day from noon"


async def test_a_comma_pause_keeps_the_sentence_in_one_turn(offline_settings):
    voice = offline_settings.piper_voice
    pcm = (
        piper_speech("Could you tell me", voice)
        + silence(0.3)
        + piper_speech("what time you close on Friday?", voice)
    )
    async with ScriptedCall(offline_settings) as call:
        await call.greet()
        turn = await call.say(pcm)
    assert turn.user_turns == 1
    said = "could you tell me what time you close on friday"
    assert jiwer.wer(said, normalise(turn.transcript)) <= 0.25
    assert turn.reply.startswith(HOURS)


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed (apt espeak-ng)")
@pytest.mark.parametrize("sentence", ["Table for two.", "My number is 555 123 4567."])
async def test_a_finished_sentence_is_not_held_for_smart_turns_fallback(offline_settings, sentence):
    # Smart Turn judges these finished espeak-ng sentences unfinished: with its
    # default 3 s fallback the turn ended 3.4 s after the speech did.
    async with ScriptedCall(offline_settings) as call:
        await call.greet()
        turn = await call.say(espeak_speech(sentence))
    assert turn.turn_end is not None
    # Whisper's own time is part of it (0.5 s idle, up to 1.9 s on a loaded machine).
    assert turn.turn_end < 2.5


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed (apt espeak-ng)")
async def test_a_fragment_split_off_by_the_vad_is_not_dropped(offline_settings):
    # espeak-ng's "Johnson" scores no_speech_prob 0.48 on its own: Whisper's
    # default threshold (0.4) drops it, ours keeps it.
    pcm = espeak_speech("My name is", "en-gb") + silence(0.9) + espeak_speech("Johnson.", "en-gb")
    async with ScriptedCall(offline_settings) as call:
        await call.greet()
        turn = await call.say(pcm)
    assert "johnson" in normalise(turn.transcript)
