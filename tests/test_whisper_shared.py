"""Calls share the process's Whisper model instead of loading one each (bench/load.py)."""

from pipecat.transcriptions.language import Language

from services import whisper_stt
from services.whisper_stt import SpeechLengthWhisperSTTService


def service(pad_secs: float) -> SpeechLengthWhisperSTTService:
    return SpeechLengthWhisperSTTService(
        encode_pad_secs=pad_secs,
        device="cpu",
        compute_type="int8",
        settings=SpeechLengthWhisperSTTService.Settings(model="tiny.en", language=Language.EN),
    )


def test_two_calls_share_one_model_and_another_configuration_gets_its_own(monkeypatch):
    built = []
    monkeypatch.setattr(
        whisper_stt, "SpeechLengthWhisperModel", lambda *a, **k: built.append(k) or object()
    )
    whisper_stt.shared_model.cache_clear()
    try:
        first, second, other = service(30), service(30), service(2)
        assert first._model is second._model
        assert other._model is not first._model
        assert [k["pad_frames"] for k in built] == [None, 200]
    finally:
        whisper_stt.shared_model.cache_clear()
