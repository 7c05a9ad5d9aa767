"""The TTS's near-silent lead-in is cut at the start of a reply, and only there
(processors/reply_lead_in_trimmer.py)."""

import numpy as np
from pipecat.frames.frames import BotStoppedSpeakingFrame, InterruptionFrame, TTSAudioRawFrame
from pipecat.tests.utils import SleepFrame, run_test

from processors.reply_lead_in_trimmer import ReplyLeadInTrimmer

RATE = 16000
MS = RATE // 1000


def audio(silent_ms: int, sound_ms: int, level: int = 8000) -> bytes:
    """`silent_ms` of faint hiss (as Piper's lead-in), then `sound_ms` of a tone."""
    hiss = np.full(silent_ms * MS, 20, np.int16)
    t = np.arange(sound_ms * MS) / RATE
    tone = (level * np.sin(2 * np.pi * 220 * t)).astype(np.int16)
    tone[0] = level  # the sound starts at its first sample
    return np.concatenate([hiss, tone]).tobytes()


def frame(pcm: bytes) -> TTSAudioRawFrame:
    return TTSAudioRawFrame(pcm, RATE, 1)


def first_sound_ms(pcm: bytes) -> float:
    samples = np.abs(np.frombuffer(pcm, np.int16).astype(np.int32))
    return int(np.flatnonzero(samples > 1000)[0]) / MS


async def played(frames, **kwargs) -> list[bytes]:
    """The audio let through. (The bot's stop and an interruption are system frames, which
    overtake queued audio: a test sleeps before them so the audio before goes first.)"""
    down, _ = await run_test(ReplyLeadInTrimmer(**kwargs), frames_to_send=frames)
    return [f.audio for f in down if isinstance(f, TTSAudioRawFrame)]


async def test_a_reply_starts_shortly_before_its_first_sound():
    (pcm,) = await played([frame(audio(50, 100))])
    assert first_sound_ms(pcm) == 10
    assert len(pcm) == 2 * 110 * MS


async def test_a_lead_in_over_several_frames_is_cut_with_them():
    pcm = audio(60, 100)
    chunks = [pcm[i : i + 40 * MS] for i in range(0, len(pcm), 40 * MS)]
    out = await played([frame(c) for c in chunks])
    assert first_sound_ms(b"".join(out)) == 10
    assert len(b"".join(out)) == 2 * 110 * MS


async def test_the_pause_between_a_replys_sentences_stays():
    second = audio(50, 100)
    out = await played([frame(audio(50, 100)), frame(second)])
    assert out[1] == second


async def test_the_next_reply_is_cut_again_once_the_bot_stopped_speaking():
    out = await played(
        [frame(audio(50, 100)), SleepFrame(0.1), BotStoppedSpeakingFrame(), frame(audio(50, 100))]
    )
    assert [first_sound_ms(pcm) for pcm in out] == [10, 10]


async def test_a_reply_after_an_interruption_is_cut_again():
    out = await played(
        [frame(audio(50, 100)), SleepFrame(0.1), InterruptionFrame(), frame(audio(50, 100))]
    )
    assert first_sound_ms(out[1]) == 10


async def test_no_more_than_the_limit_is_cut_from_a_quiet_opening():
    pcm = audio(300, 100)
    chunks = [pcm[i : i + 40 * MS] for i in range(0, len(pcm), 40 * MS)]
    out = b"".join(await played([frame(c) for c in chunks], max_ms=200))
    assert 2 * (400 - 200) * MS <= len(out) < len(pcm)
    assert pcm.endswith(out)
