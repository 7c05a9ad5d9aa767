"""Interruptions on real audio through the real offline pipeline (Whisper, on-device brain, Piper).

The bot reads the menu (about 12 s); the caller talks over it at a known
offset: a barge-in, a backchannel, a cough and a breath. Timing comes from the
caller's loudspeaker (when each bot frame played); what was said comes from a
Whisper transcript of that audio, compared with the context. The benchmark
(bench/interruptions.py) measures the same over many trials against the
targets; these bounds leave room for a loaded machine.
"""

import time

import jiwer
import pytest

from flows.ondevice_dialogue import MENU
from harness.call import ScriptedCall
from harness.listener import heard_between, transcribe
from harness.noises import breath, cough
from harness.voices import espeak_available, piper_speech
from processors.interrupted_reply_trimmer import INTERRUPTED_NOTE
from services.ondevice_llm import normalise

pytestmark = pytest.mark.e2e

QUESTION = "What's on the menu?"
AFTER_SECS = 3.0  # into the answer, in its second sentence
TIME_TO_SILENCE_SECS = 0.6
RESUME_SECS = 1.25


@pytest.fixture
def caller(offline_settings):
    def speak(text: str) -> bytes:
        return piper_speech(text, offline_settings.piper_voice, length_scale=1.15)

    return speak


async def talk_over_the_menu(settings, question: bytes, sound: bytes):
    """Ask for the menu, make `sound` 3 s into the answer, wait for the bot to be done."""
    async with ScriptedCall(settings) as call:
        await call.greet()
        answer = await call.ask(question)
        assert answer is not None, "the bot did not start reading the menu"
        made = await call.interject(sound, at=answer + AFTER_SECS)
        onset, end = made.started.result(), made.ended.result()
        assert await call.wait_for_silence(quiet=2.5, timeout=40)
    return call, answer, onset, end


def assert_kept(call: ScriptedCall, answer: float, onset: float, end: float, settings):
    """The bot never stopped, or paused and played on soon; the whole menu was heard once."""
    heard = call.transport.heard
    pauses = [gap for gap in heard.gaps(onset) if gap[0] < end + RESUME_SECS + 1]
    for _, resumed in pauses:
        assert resumed - end <= RESUME_SECS, f"resumed {resumed - end:.2f} s after the sound"
    said = transcribe(
        heard_between(heard, answer - 0.05, time.monotonic()),
        heard.sample_rate,
        settings.whisper_model,
    )
    assert jiwer.wer(normalise(MENU), normalise(said)) <= 0.15, said
    asked, *replies = call.since_last_caller_turn()
    assert "menu" in normalise(asked["content"])  # no backchannel became a caller turn
    assert replies == [{"role": "assistant", "content": MENU}]


async def test_a_barge_in_silences_the_bot_and_the_context_keeps_only_what_was_heard(
    offline_settings, caller
):
    async with ScriptedCall(offline_settings) as call:
        await call.greet()
        answer = await call.ask(caller(QUESTION))
        made = await call.interject(caller("Wait, what time do you close?"), at=answer + AFTER_SECS)
        onset = made.started.result()
        reply = await call.bot_audible_after(made.ended.result(), timeout=15)
        assert await call.wait_for_silence(quiet=1.5, timeout=30)

    heard = call.transport.heard
    last_menu_frame, _ = heard.gaps(onset)[0]
    assert last_menu_frame - onset <= TIME_TO_SILENCE_SECS
    assert reply is not None
    assert call.text_between(onset, time.monotonic()).startswith("We are open")

    messages = call.context.get_messages()
    note = messages.index({"role": "developer", "content": INTERRUPTED_NOTE})
    question, cut, asked = messages[note - 2], messages[note - 1], messages[note + 1]
    assert "menu" in normalise(question["content"])
    assert "close" in normalise(asked["content"])
    assert cut["role"] == "assistant" and MENU.startswith(cut["content"])
    assert len(cut["content"]) < len(MENU)
    said = transcribe(
        heard_between(heard, answer - 0.05, last_menu_frame + 0.05),
        heard.sample_rate,
        offline_settings.whisper_model,
    )
    assert abs(len(cut["content"].split()) - len(said.split())) <= 2, (cut["content"], said)


async def test_a_backchannel_does_not_end_the_bots_turn(offline_settings, caller):
    call, answer, onset, end = await talk_over_the_menu(
        offline_settings,
        caller(QUESTION),
        piper_speech("Yeah, okay.", offline_settings.piper_voice),
    )
    assert_kept(call, answer, onset, end, offline_settings)


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed (apt espeak-ng)")
async def test_a_cough_does_not_end_the_bots_turn(offline_settings, caller):
    call, answer, onset, end = await talk_over_the_menu(offline_settings, caller(QUESTION), cough())
    assert_kept(call, answer, onset, end, offline_settings)


async def test_a_breath_does_not_end_the_bots_turn(offline_settings, caller):
    call, answer, onset, end = await talk_over_the_menu(
        offline_settings, caller(QUESTION), breath()
    )
    assert_kept(call, answer, onset, end, offline_settings)
