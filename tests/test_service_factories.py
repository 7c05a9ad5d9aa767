"""Every provider constructs from settings; `auto` devices resolve as specified."""

import pytest
from pipecat.services.anthropic.llm import AnthropicLLMService
from pipecat.services.cartesia.tts import CartesiaTTSService
from pipecat.services.deepgram.stt import DeepgramSTTService
from pipecat.services.openai.llm import OpenAILLMService
from pipecat.services.piper.tts import PiperTTSService
from pipecat.services.whisper.stt import WhisperSTTService

from flows.ondevice_dialogue import restaurant_dialogue
from flows.restaurant import Restaurant, system_prompt
from services import stt, tts
from services.first_clause_text_aggregator import FirstClauseTextAggregator
from services.llm import AnthropicLLM, OpenAILLM, create_llm
from services.llm_failover import LLMFailover
from services.ondevice_llm import OnDeviceLLMService
from services.stt import create_stt, whisper_runtime
from services.tts import create_tts, piper_uses_cuda
from settings import Settings
from settings import devices as device


def build_llm(settings: Settings):
    restaurant = Restaurant.from_settings(settings)
    return create_llm(
        settings,
        system_instruction=system_prompt(restaurant),
        dialogue=restaurant_dialogue(restaurant),
    )


def test_whisper_is_built_from_the_bundled_model(offline_settings):
    service = create_stt(offline_settings)
    assert isinstance(service, WhisperSTTService)
    assert service._settings.model == str(offline_settings.whisper_model)


def test_whisper_is_biased_towards_the_vocabulary_it_is_given(offline_settings):
    service = create_stt(offline_settings, vocabulary="table for four, half past")
    assert service._settings.hotwords == "table for four, half past"


def test_the_restaurant_vocabulary_names_the_restaurant_and_a_booking(offline_settings):
    vocabulary = Restaurant.from_settings(offline_settings).vocabulary()
    assert vocabulary.startswith(f"{offline_settings.restaurant_name}, ")
    assert all(word in vocabulary for word in ("seven", "Friday", "half past", "quarter to"))


def test_deepgram_is_built_with_its_key():
    service = create_stt(Settings(_env_file=None, deepgram_api_key="dg-test", stt_chain="deepgram"))
    assert isinstance(service, DeepgramSTTService)
    assert service._settings.model == "nova-3-general"


def test_piper_is_built_from_the_bundled_voice(offline_settings):
    service = create_tts(offline_settings)
    assert isinstance(service, PiperTTSService)
    assert service._settings.voice == "en_US-joe-medium"


@pytest.mark.parametrize("min_words, cuts_first_clause", [(4, True), (0, False)])
def test_the_tts_sends_a_first_clause_alone_unless_switched_off(min_words, cuts_first_clause):
    settings = Settings(
        _env_file=None,
        cartesia_api_key="ca-test",
        tts_chain="cartesia",
        tts_first_clause_min_words=min_words,
    )
    aggregator = create_tts(settings)._text_aggregator
    assert isinstance(aggregator, FirstClauseTextAggregator) is cuts_first_clause


def test_cartesia_is_built_with_its_key_and_voice():
    service = create_tts(Settings(_env_file=None, cartesia_api_key="ca-test", tts_chain="cartesia"))
    assert isinstance(service, CartesiaTTSService)
    assert service._settings.voice == Settings(_env_file=None).cartesia_voice_id


def test_anthropic_is_built_with_model_and_system_prompt():
    service = build_llm(
        Settings(_env_file=None, anthropic_api_key="sk-test", llm_chain="anthropic")
    )
    assert isinstance(service, AnthropicLLMService)
    assert service._settings.model == "claude-haiku-4-5"
    assert "Luigi's Trattoria" in service._settings.system_instruction


def test_openai_compatible_server_is_built_from_its_url():
    service = build_llm(
        Settings(
            _env_file=None,
            openai_base_url="http://127.0.0.1:11434/v1",
            openai_model="llama3.2",
            llm_chain="openai",
        )
    )
    assert isinstance(service, OpenAILLMService)
    assert service._settings.model == "llama3.2"


def test_ondevice_brain_is_the_keyless_llm(offline_settings):
    assert isinstance(build_llm(offline_settings), OnDeviceLLMService)


def test_whisper_runs_int8_on_the_cpu(monkeypatch):
    monkeypatch.setattr(stt, "resolve_device", lambda choice: "cpu")
    assert whisper_runtime("auto") == ("cpu", "int8")


def test_whisper_runs_float16_on_a_gpu(monkeypatch):
    monkeypatch.setattr(stt, "resolve_device", lambda choice: "cuda")
    assert whisper_runtime("auto") == ("cuda", "float16")


def test_auto_device_is_the_gpu_when_cuda_is_present(monkeypatch):
    monkeypatch.setattr(device, "cuda_available", lambda: True)
    assert device.resolve_device("auto") == "cuda"


def test_auto_device_is_the_cpu_without_cuda(monkeypatch):
    monkeypatch.setattr(device, "cuda_available", lambda: False)
    assert device.resolve_device("auto") == "cpu"


def test_explicit_cpu_stays_on_the_cpu_even_with_a_gpu(monkeypatch):
    monkeypatch.setattr(device, "cuda_available", lambda: True)
    assert device.resolve_device("cpu") == "cpu"


def test_piper_uses_the_gpu_when_onnxruntime_can(monkeypatch):
    monkeypatch.setattr(tts, "resolve_device", lambda choice: "cuda")
    monkeypatch.setattr(tts, "onnx_cuda_available", lambda: True)
    assert piper_uses_cuda("auto") is True


def test_piper_falls_back_to_the_cpu_on_auto_without_onnxruntime_gpu(monkeypatch):
    monkeypatch.setattr(tts, "resolve_device", lambda choice: "cuda")
    monkeypatch.setattr(tts, "onnx_cuda_available", lambda: False)
    assert piper_uses_cuda("auto") is False


def test_a_keyed_llm_is_a_failover_chain_down_to_the_ondevice_engine():
    service = build_llm(
        Settings(
            _env_file=None, anthropic_api_key="sk-test", openai_base_url="http://127.0.0.1:1/v1"
        )
    )
    assert isinstance(service, LLMFailover)
    assert [type(llm) for llm in service.llms] == [AnthropicLLM, OpenAILLM, OnDeviceLLMService]
