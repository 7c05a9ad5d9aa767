"""BotSpeechGate: paces the bot's audio, pauses on caller speech, resumes or commits."""

import time

import pytest
from pipecat.frames.frames import (
    AggregatedTextFrame,
    Frame,
    InterruptionFrame,
    TTSAudioRawFrame,
    TTSStartedFrame,
    TTSStoppedFrame,
    TTSTextFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.observers.base_observer import BaseObserver, FramePushed
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.tests.utils import SleepFrame, run_test
from pipecat.utils.text.base_text_aggregator import TextType

from processors.bot_speech_gate import BotSpeechGate, words_heard
from processors.interruption_frames import HeardSpeechFrame, ResumeBotSpeechFrame

RATE = 24000
LEAD = 0.08
SENTENCE = "alpha bravo delta gamma sigma omega kappa theta"


class Pushes(BaseObserver):
    """When the gate pushed each frame downstream."""

    def __init__(self, gate: FrameProcessor):
        super().__init__()
        self._gate = gate
        self.frames: list[tuple[float, Frame]] = []

    async def on_push_frame(self, data: FramePushed):
        if data.source is self._gate and data.direction == FrameDirection.DOWNSTREAM:
            self.frames.append((time.monotonic(), data.frame))

    def audio(self) -> list[tuple[float, TTSAudioRawFrame]]:
        return [(t, f) for t, f in self.frames if isinstance(f, TTSAudioRawFrame)]

    def audio_secs(self) -> float:
        return sum(len(f.audio) for _, f in self.audio()) / 2 / RATE

    def longest_audio_gap(self) -> float:
        times = [t for t, _ in self.audio()]
        return max((b - a for a, b in zip(times, times[1:], strict=False)), default=0.0)


def audio(secs: float, context_id: str = "reply", interruptible: bool = True) -> TTSAudioRawFrame:
    frame = TTSAudioRawFrame(
        audio=bytes(int(RATE * secs) * 2), sample_rate=RATE, num_channels=1, context_id=context_id
    )
    frame.interruptible = interruptible
    return frame


def spoken(text: str, secs: float, context_id: str = "reply") -> list[Frame]:
    """What a TTS without word timings pushes for one sentence."""
    announced = AggregatedTextFrame(text, TextType.SENTENCE)
    announced.will_be_spoken = True
    announced.append_to_context = False
    text_frame = TTSTextFrame(text, TextType.SENTENCE, context_id=context_id)
    return [
        TTSStartedFrame(context_id=context_id),
        announced,
        audio(secs, context_id),
        text_frame,
        TTSStoppedFrame(context_id=context_id),
    ]


async def run_gate(frames: list[Frame], **gate_args) -> tuple[Pushes, list[Frame]]:
    gate = BotSpeechGate(lead_secs=LEAD, **gate_args)
    pushes = Pushes(gate)
    down, _ = await run_test(gate, frames_to_send=frames, observers=[pushes])
    return pushes, down


async def test_audio_goes_out_at_the_pace_it_plays():
    pushes, down = await run_gate(spoken(SENTENCE, 0.6))
    times = [t for t, _ in pushes.audio()]
    assert times[-1] - times[0] >= 0.6 - LEAD - 0.1
    assert pushes.audio_secs() == pytest.approx(0.6)
    kinds = [type(f) for f in down]
    assert kinds.index(TTSTextFrame) > max(i for i, k in enumerate(kinds) if k is TTSAudioRawFrame)


async def test_caller_speech_pauses_the_bot_and_a_resume_plays_on_from_there():
    pushes, down = await run_gate(
        [
            *spoken(SENTENCE, 0.8),
            SleepFrame(0.2),
            VADUserStartedSpeakingFrame(),
            SleepFrame(0.2),
            VADUserStoppedSpeakingFrame(),
            SleepFrame(0.3),
            ResumeBotSpeechFrame(),
        ]
    )
    assert pushes.longest_audio_gap() >= 0.4
    assert pushes.audio_secs() == pytest.approx(0.8)  # nothing lost, nothing repeated
    assert not any(isinstance(f, (HeardSpeechFrame, InterruptionFrame)) for f in down)
    assert [f.text for f in down if isinstance(f, TTSTextFrame)] == [SENTENCE]


async def test_a_paused_bot_plays_on_by_itself_when_no_decision_comes():
    pushes, _ = await run_gate(
        [
            *spoken(SENTENCE, 0.8),
            SleepFrame(0.15),
            VADUserStartedSpeakingFrame(),
            SleepFrame(0.1),
            VADUserStoppedSpeakingFrame(),
        ],
        resume_secs=0.4,
    )
    gap = pushes.longest_audio_gap()
    assert 0.4 <= gap < 0.4 + 0.3
    assert pushes.audio_secs() == pytest.approx(0.8)


async def test_sound_that_never_stops_pauses_the_bot_no_longer_than_the_cap():
    # A TV in the room: the caller's "speech" starts and never ends, and nothing decides.
    pushes, down = await run_gate(
        [*spoken(SENTENCE, 0.8), SleepFrame(0.15), VADUserStartedSpeakingFrame(), SleepFrame(1.2)],
        max_pause_secs=0.3,
    )
    gap = pushes.longest_audio_gap()
    assert 0.3 <= gap < 0.3 + 0.3
    assert pushes.audio_secs() == pytest.approx(0.8)  # the whole reply, once
    assert not any(isinstance(f, (HeardSpeechFrame, InterruptionFrame)) for f in down)


async def test_a_commit_drops_the_rest_and_first_says_what_was_heard():
    pushes, down = await run_gate(
        [
            *spoken(SENTENCE, 1.0),
            SleepFrame(0.3),
            VADUserStartedSpeakingFrame(),
            SleepFrame(0.3),
            InterruptionFrame(),
        ]
    )
    assert pushes.audio_secs() < 0.6
    kinds = [type(f) for f in down]
    assert kinds.index(HeardSpeechFrame) < kinds.index(InterruptionFrame)
    heard = next(f for f in down if isinstance(f, HeardSpeechFrame)).text
    assert SENTENCE.startswith(heard)
    assert 1 <= len(heard.split()) <= 4  # about 0.3 s + lead of 1 s, by audio position
    assert TTSTextFrame not in kinds


async def test_what_the_tts_pushes_of_a_cut_reply_after_the_commit_is_not_played():
    pushes, down = await run_gate(
        [
            *spoken(SENTENCE, 0.6),
            SleepFrame(0.1),
            InterruptionFrame(),
            *spoken("a straggler", 0.3),
            *spoken("the next reply", 0.2, context_id="next"),
        ]
    )
    played = {f.context_id for _, f in pushes.audio()}
    assert pushes.audio_secs() < 0.6 + 0.2
    assert "next" in played
    assert [f.text for f in down if isinstance(f, TTSTextFrame)] == ["the next reply"]


async def test_uninterruptible_audio_plays_through_a_pause_and_a_commit():
    frames = [audio(0.4, "disclosure", interruptible=False), audio(0.4, "reply")]
    pushes, _ = await run_gate(
        [
            *frames,
            SleepFrame(0.1),
            VADUserStartedSpeakingFrame(),
            SleepFrame(0.1),
            InterruptionFrame(),
        ]
    )
    played = {ctx: 0.0 for ctx in ("disclosure", "reply")}
    for _, frame in pushes.audio():
        played[frame.context_id] += len(frame.audio) / 2 / RATE
    assert played["disclosure"] == pytest.approx(0.4)
    assert played["reply"] == 0.0


async def test_caller_speech_while_the_bot_is_silent_does_not_hold_its_next_reply():
    pushes, _ = await run_gate(
        [VADUserStartedSpeakingFrame(), SleepFrame(0.1), *spoken(SENTENCE, 0.3)]
    )
    assert pushes.audio_secs() == pytest.approx(0.3)
    assert pushes.longest_audio_gap() < 0.15


class WordTimer(FrameProcessor):
    """Stands in for a TTS with word timings: stamps each word with its time in the audio."""

    def __init__(self, offsets: dict[str, float]):
        super().__init__()
        self._offsets = offsets
        self._start: int | None = None

    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, TTSAudioRawFrame) and self._start is None:
            self._start = self.get_clock().get_time()
        if isinstance(frame, TTSTextFrame) and frame.text in self._offsets:
            frame.pts = self._start + int(self._offsets[frame.text] * 1e9)
        await self.push_frame(frame, direction)


async def test_word_timed_text_goes_out_with_its_audio_and_stops_at_a_commit():
    offsets = {"one": 0.0, "two": 0.25, "three": 0.6, "four": 0.9}
    gate = BotSpeechGate(lead_secs=LEAD)
    words = [TTSTextFrame(w, TextType.WORD, context_id="reply") for w in offsets]
    down, _ = await run_test(
        Pipeline([WordTimer(offsets), gate]),
        frames_to_send=[
            audio(1.0),
            *words,
            SleepFrame(0.3),
            VADUserStartedSpeakingFrame(),
            SleepFrame(0.2),
            InterruptionFrame(),
        ],
    )
    released = [f for f in down if isinstance(f, TTSTextFrame)]
    assert [f.text for f in released] == ["one", "two"]
    assert all(f.pts is None for f in released)
    assert next(f for f in down if isinstance(f, HeardSpeechFrame)).text == "one two"


def test_words_heard_follow_the_audio_position():
    assert words_heard(SENTENCE, 0.0) == ""
    assert words_heard(SENTENCE, 0.5) == "alpha bravo delta gamma"
    assert words_heard(SENTENCE, 1.0) == SENTENCE
