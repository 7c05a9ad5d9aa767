"""Caller audio stops after the user aggregator (app/assembly.py): nothing after it uses it."""

from pipecat.frames.frames import InputAudioRawFrame, TextFrame, UserStartedSpeakingFrame
from pipecat.tests.utils import run_test

from app.assembly import caller_audio_stop


def audio() -> InputAudioRawFrame:
    return InputAudioRawFrame(audio=b"\x00\x00" * 320, sample_rate=16000, num_channels=1)


async def test_caller_audio_goes_no_further_and_other_frames_pass():
    await run_test(
        caller_audio_stop(),
        frames_to_send=[audio(), UserStartedSpeakingFrame(), TextFrame("hello"), audio()],
        expected_down_frames=[UserStartedSpeakingFrame, TextFrame],
    )
