"""Whisper's n-best hook (services/whisper_hypotheses.py), on a fake CTranslate2 model."""

from dataclasses import dataclass

from services.whisper_hypotheses import NBestWhisper, choosing, decoding_with

TEXTS = {1: "table for free", 2: "table for three", 3: "table for tree"}


@dataclass
class FakeResult:
    sequences_ids: list
    scores: list
    no_speech_prob: float = 0.1
    sequences: list | None = None


class FakeCT2Whisper:
    """Returns hypotheses 1, 2, 3 (token ids) best first, as many as asked for."""

    is_multilingual = False

    def __init__(self):
        self.calls = []

    def generate(self, features, prompts, **kwargs):
        self.calls.append(kwargs)
        n = kwargs.get("num_hypotheses", 1)
        ids = [[1], [2], [3]][:n]
        return [FakeResult(ids, [-0.1, -0.2, -0.3][:n])]


def decode(tokens: list[int]) -> str:
    return TEXTS[tokens[0]]


def test_without_a_choice_the_model_is_asked_for_one_hypothesis():
    fake = FakeCT2Whisper()
    result = NBestWhisper(fake).generate(None, [[0]], beam_size=5)[0]
    assert result.sequences_ids == [[1]]
    assert "num_hypotheses" not in fake.calls[0]


def test_the_chosen_hypothesis_comes_first():
    fake, seen = FakeCT2Whisper(), []

    def pick_three(hypotheses):
        seen.extend(hypotheses)
        return [text for text, _ in hypotheses].index("table for three")

    with choosing(3, pick_three), decoding_with(decode):
        result = NBestWhisper(fake).generate(None, [[0]], beam_size=5)[0]
    assert fake.calls[0]["num_hypotheses"] == 3
    assert seen == [("table for free", -0.1), ("table for three", -0.2), ("table for tree", -0.3)]
    assert result.sequences_ids[0] == [2]
    assert result.scores[0] == -0.2


def test_sampling_passes_are_left_alone():
    fake = FakeCT2Whisper()
    with choosing(3, lambda hypotheses: 1), decoding_with(decode):
        NBestWhisper(fake).generate(None, [[0]], beam_size=1, sampling_temperature=0.4)
    assert "num_hypotheses" not in fake.calls[0]


def test_a_choice_out_of_range_keeps_the_best():
    fake = FakeCT2Whisper()
    with choosing(3, lambda hypotheses: 7), decoding_with(decode):
        result = NBestWhisper(fake).generate(None, [[0]], beam_size=5)[0]
    assert result.sequences_ids[0] == [1]


def test_other_attributes_are_the_models():
    assert NBestWhisper(FakeCT2Whisper()).is_multilingual is False


@dataclass
class FakeSegment:
    text: str
    no_speech_prob: float = 0.1


class FakeFasterWhisper:
    """Decodes like faster-whisper: its CTranslate2 model's first hypothesis is the text."""

    def __init__(self):
        self.model = NBestWhisper(FakeCT2Whisper())

    def transcribe(self, audio, **kwargs):
        with decoding_with(decode):
            result = self.model.generate(None, [[0]], beam_size=5)[0]
        return [FakeSegment(decode(result.sequences_ids[0]))], None


async def test_the_service_transcribes_with_the_choice_it_was_given(monkeypatch):
    from pipecat.frames.frames import TranscriptionFrame
    from pipecat.transcriptions.language import Language

    from services import whisper_stt

    monkeypatch.setattr(whisper_stt, "shared_model", lambda *args: FakeFasterWhisper())
    service = whisper_stt.SpeechLengthWhisperSTTService(
        encode_pad_secs=30,
        hypotheses=3,
        choose=lambda hypotheses: 1,
        device="cpu",
        compute_type="int8",
        settings=whisper_stt.SpeechLengthWhisperSTTService.Settings(
            model="tiny.en", language=Language.EN, no_speech_prob=0.5
        ),
    )
    frames = [f async for f in service.run_stt(b"\0\0" * 1600)]
    texts = [f.text.strip() for f in frames if isinstance(f, TranscriptionFrame)]
    assert texts == ["table for three"]
