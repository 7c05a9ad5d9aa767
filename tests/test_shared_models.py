"""A call's models use the process's ONNX sessions instead of building their own."""

import onnxruntime
from pipecat.audio.vad.silero import SileroVADAnalyzer

from services import shared_models
from services.shared_models import shared_onnx_sessions


def test_a_session_is_built_once_per_model_and_the_class_is_put_back(monkeypatch):
    built = []

    def build(model, **options):
        built.append(model)
        return object()

    monkeypatch.setattr(onnxruntime, "InferenceSession", build)
    monkeypatch.setattr(shared_models, "_sessions", {})
    with shared_onnx_sessions():
        first = onnxruntime.InferenceSession("a.onnx")
        again = onnxruntime.InferenceSession("a.onnx")
        other = onnxruntime.InferenceSession("b.onnx")
    assert first is again and other is not first
    assert built == ["a.onnx", "b.onnx"]
    assert onnxruntime.InferenceSession is build


def test_two_calls_vads_share_the_session_but_not_the_recurrent_state():
    with shared_onnx_sessions():
        one, two = SileroVADAnalyzer(), SileroVADAnalyzer()
    assert one._model.session is two._model.session
    assert one._model is not two._model


def test_a_shared_sessions_idle_threads_do_not_spin(monkeypatch):
    monkeypatch.setattr(shared_models, "_sessions", {})
    with shared_onnx_sessions():
        vad = SileroVADAnalyzer()
    options = vad._model.session.get_session_options()
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
