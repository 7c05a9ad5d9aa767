"""Whisper's encoder sees the speech plus WHISPER_ENCODE_PAD_SECS, not a 30 s window."""

from types import SimpleNamespace

import numpy as np
import pytest
from faster_whisper import WhisperModel
from faster_whisper.transcribe import Segment

from harness.voices import piper_speech, silence
from services.stt import create_stt
from services.whisper_stt import (
    SpeechLengthWhisperModel,
    SpeechLengthWhisperSTTService,
    is_doubtful,
    looks_like_a_loop,
    one_copy,
    pad_frames_for,
    speech_frames,
    trimmed,
    without_a_run_said_thrice,
)
from settings import Settings, describe_errors

SAID = "Can I book a table for four people tomorrow evening?"


def features(speech: int, total: int = 3000) -> np.ndarray:
    """Log-mel features as faster-whisper pads them: `speech` frames, then zeros."""
    out = np.zeros((80, total), np.float32)
    out[:, :speech] = np.random.default_rng(0).uniform(-1.5, 1.0, (80, speech))
    return out


def test_features_are_cut_to_the_speech_plus_the_pad():
    assert speech_frames(features(351)) == 351
    assert trimmed(features(351), pad_frames=100).shape == (80, 452)  # even, for stride 2
    assert trimmed(features(350), pad_frames=0).shape == (80, 350)


def test_the_off_value_keeps_the_full_window():
    assert pad_frames_for(30.0) is None
    assert pad_frames_for(1.0) == 100
    assert trimmed(features(350), pad_frames=None).shape == (80, 3000)
    assert trimmed(features(2950), pad_frames=100).shape == (80, 3000)


def test_a_transcript_that_repeats_itself_is_a_loop():
    def said(*texts):
        return [SimpleNamespace(text=t, compression_ratio=1.2) for t in texts]

    assert not looks_like_a_loop(said(" Just me, tomorrow at 2 p.m."), audio_secs=3.5)
    assert looks_like_a_loop(said(" Just me tomorrow at 2 p.m.", " Tomorrow at 2 p.m."), 3.5)
    assert looks_like_a_loop(said(" a b c d e f g h i j k l m n o p q r s t u"), 2.0)


def test_a_transcript_whisper_doubts_is_doubtful():
    def segment(avg_logprob, no_speech_prob):
        return SimpleNamespace(avg_logprob=avg_logprob, no_speech_prob=no_speech_prob)

    assert not is_doubtful([segment(-0.3, 0.05)])
    assert is_doubtful([segment(-0.3, 0.05), segment(-1.6, 0.2)])  # "Kirk? Kirk?"
    assert is_doubtful([segment(-0.95, 0.65)])  # "Thank you." for a noise burst


def test_a_doubtful_short_pass_is_done_again_on_the_full_window(model, monkeypatch):
    windows = []

    def transcribe(self, audio, **kwargs):
        full = getattr(self._full_window, "on", False)
        windows.append("full" if full else "short")
        [said] = heard(" Okay." if full else " Kirk? Kirk?")
        said.avg_logprob = -0.9 if full else -1.6
        said.no_speech_prob = 0.35 if full else 0.2
        return [said], None

    monkeypatch.setattr(WhisperModel, "transcribe", transcribe)
    monkeypatch.setattr(model, "pad_frames", pad_frames_for(2.0))
    segments, _ = model.transcribe(np.zeros(16000 * 2, np.float32), language="en")
    assert windows == ["short", "full"]
    assert [s.text for s in segments] == [" Okay."]


def test_a_short_pass_that_heard_nothing_is_done_again_on_the_full_window(model, monkeypatch):
    windows = []

    def transcribe(self, audio, **kwargs):
        full = getattr(self._full_window, "on", False)
        windows.append("full" if full else "short")
        return (heard(" Goodbye.") if full else []), None

    monkeypatch.setattr(WhisperModel, "transcribe", transcribe)
    monkeypatch.setattr(model, "pad_frames", pad_frames_for(2.0))
    segments, _ = model.transcribe(np.zeros(16000, np.float32), language="en")
    assert windows == ["short", "full"]
    assert [s.text for s in segments] == [" Goodbye."]


@pytest.fixture(scope="session")
def clip() -> np.ndarray:
    """SAID in the bundled Piper voice, framed as a VAD segment."""
    settings = Settings(_env_file=None)
    pcm = silence(1.0) + piper_speech(SAID, settings.piper_voice) + silence(0.9)
    return np.frombuffer(pcm, np.int16).astype(np.float32) / 32768.0


@pytest.fixture(scope="session")
def model() -> SpeechLengthWhisperModel:
    settings = Settings(_env_file=None)
    return SpeechLengthWhisperModel(
        str(settings.whisper_model), device="cpu", compute_type="int8", cpu_threads=2
    )


@pytest.fixture
def encoder_inputs(monkeypatch) -> list[tuple[int, ...]]:
    """The shape of every feature array faster-whisper's encoder is given."""
    shapes = []
    encode = WhisperModel.encode

    def recorded(self, features):
        shapes.append(features.shape)
        return encode(self, features)

    monkeypatch.setattr(WhisperModel, "encode", recorded)
    return shapes


def words_heard(model, clip) -> set[str]:
    segments, _ = model.transcribe(clip, language="en", beam_size=5)
    return set(
        "".join(
            c for c in " ".join(s.text for s in segments).lower() if c.isalpha() or c == " "
        ).split()
    )


def test_the_encoder_sees_the_speech_plus_one_second(model, clip, encoder_inputs, monkeypatch):
    monkeypatch.setattr(model, "pad_frames", pad_frames_for(1.0))
    heard = words_heard(model, clip)
    clip_frames = len(clip) // 160
    assert abs(encoder_inputs[0][-1] - (clip_frames + 100)) <= 2
    assert {"table", "tomorrow"} <= heard


def test_thirty_seconds_restores_the_full_window(model, clip, encoder_inputs, monkeypatch):
    monkeypatch.setattr(model, "pad_frames", pad_frames_for(30.0))
    heard = words_heard(model, clip)
    assert {shape[-1] for shape in encoder_inputs} == {3000}
    assert {"table", "tomorrow"} <= heard


def test_the_bot_builds_whisper_with_the_configured_pad(offline_settings):
    service = create_stt(offline_settings)
    assert isinstance(service, SpeechLengthWhisperSTTService)
    assert service._model.pad_frames == pad_frames_for(offline_settings.whisper_encode_pad_secs)
    assert create_stt(Settings(_env_file=None, whisper_encode_pad_secs=1))._model.pad_frames == 100
    assert (
        create_stt(Settings(_env_file=None, whisper_encode_pad_secs=30))._model.pad_frames is None
    )


def pads_transcribed_with(service, monkeypatch) -> list[int | None]:
    """The pad of every segment `service` transcribes from now on (nothing is decoded)."""
    model, pads = service._model, []

    def transcribe(audio, **kwargs):
        pads.append(model._pad())
        return [], None

    monkeypatch.setattr(model, "transcribe", transcribe)
    return pads


async def test_a_turn_a_failover_replays_is_encoded_with_the_replay_pad(monkeypatch):
    service = create_stt(
        Settings(_env_file=None, whisper_encode_pad_secs=30, stt_replay_encode_pad_secs=2)
    )
    pads = pads_transcribed_with(service, monkeypatch)
    service.expect_replay()
    for _ in range(2):  # the replayed turn, then the service's own next one
        [frame async for frame in service.run_stt(bytes(3200))]
    assert pads == [200, None]


def test_a_pad_out_of_range_is_one_clear_line():
    with pytest.raises(Exception) as caught:
        Settings(_env_file=None, whisper_encode_pad_secs=31)
    [line] = describe_errors(caught.value)
    assert line.startswith("WHISPER_ENCODE_PAD_SECS:")


def test_audio_longer_than_a_window_is_transcribed_as_before(model, monkeypatch):
    asked = []
    monkeypatch.setattr(
        WhisperModel, "transcribe", lambda self, audio, **kw: (asked.append(kw), ([], None))[1]
    )
    monkeypatch.setattr(model, "pad_frames", pad_frames_for(1.0))
    model.transcribe(np.zeros(16000 * 3, np.float32), language="en")
    model.transcribe(np.zeros(16000 * 31, np.float32), language="en")
    assert asked[0]["max_new_tokens"] == 40 and asked[0]["temperature"] == 0.0
    assert asked[1] == {"language": "en"}


def heard(*texts: str) -> list[Segment]:
    return [
        Segment(
            id=i,
            seek=0,
            start=float(i),
            end=float(i + 1),
            text=text,
            tokens=[],
            avg_logprob=-0.3,
            compression_ratio=2.2,
            no_speech_prob=0.05,
            words=None,
            temperature=0.0,
        )
        for i, text in enumerate(texts)
    ]


def test_the_utterance_said_again_whole_is_cut_to_one_copy():
    [kept] = one_copy(heard(" Where are you located? Where are you located? Where are you"))
    assert kept.text == " Where are you located?"
    assert not looks_like_a_loop([kept], audio_secs=2.0)
    [kept] = one_copy(heard(" Table for two. At eight.", " Table for two. At eight."))
    assert kept.text == " Table for two. At eight." and kept.end == 2.0


def test_a_clause_said_again_is_cut_to_one_copy():
    [kept] = one_copy(heard(" Thank you, thank you."))
    assert kept.text == " Thank you"


def test_a_transcript_with_different_sentences_is_kept_as_it_is():
    segments = heard(" Table for two. Table for two at eight.")
    assert one_copy(segments) == segments


async def test_a_sound_begun_over_the_bot_is_encoded_on_the_full_window(monkeypatch):
    service = create_stt(Settings(_env_file=None, whisper_encode_pad_secs=2))
    pads = pads_transcribed_with(service, monkeypatch)
    for over_the_bot in (True, False):
        service._began_over_the_bot = over_the_bot
        [frame async for frame in service.run_stt(bytes(3200))]
    assert pads == [None, 200]


def test_a_run_of_words_said_three_times_is_cut_to_one_copy():
    [kept] = without_a_run_said_thrice(
        heard(" zero seven nine one one zero seven nine one one zero seven nine one one.")
    )
    assert kept.text == " zero seven nine one one."


def test_a_word_said_many_times_and_short_or_twice_said_runs_are_kept():
    for said in (
        " one one one one one one one one one",
        " I said two two, two two.",
        " oh seven one two one two one two three four five",
    ):
        segments = heard(said)
        assert without_a_run_said_thrice(segments) == segments


def test_a_loop_on_the_full_window_too_is_cut_to_one_copy(model, monkeypatch):
    def transcribe(self, audio, **kwargs):
        return heard(" oh seven nine one one oh seven nine one one oh seven nine one one"), None

    monkeypatch.setattr(WhisperModel, "transcribe", transcribe)
    monkeypatch.setattr(model, "pad_frames", pad_frames_for(2.0))
    segments, _ = model.transcribe(np.zeros(16000 * 2, np.float32), language="en")
    assert [s.text for s in segments] == [" oh seven nine one one"]
