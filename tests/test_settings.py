"""Provider selection and the clear errors for bad configurations."""

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from settings import Settings, describe_errors

ROOT = Path(__file__).resolve().parent.parent


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def errors_of(**values) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        settings(**values)
    return describe_errors(caught.value)


def test_auto_without_keys_is_fully_offline():
    chosen = settings()
    assert (chosen.stt, chosen.llm, chosen.tts) == ("whisper", "ondevice", "piper")


def test_auto_picks_each_cloud_service_when_its_key_is_set():
    chosen = settings(deepgram_api_key="dg", anthropic_api_key="sk", cartesia_api_key="ca")
    assert (chosen.stt, chosen.llm, chosen.tts) == ("deepgram", "anthropic", "cartesia")


def test_auto_picks_the_openai_compatible_server_when_only_its_url_is_set():
    assert settings(openai_base_url="http://localhost:11434/v1").llm == "openai"


def test_auto_prefers_claude_over_a_local_server():
    chosen = settings(anthropic_api_key="sk", openai_base_url="http://localhost:11434/v1")
    assert chosen.llm == "anthropic"


def test_explicit_self_hosted_choice_wins_over_a_key():
    chosen = settings(stt_provider="whisper", deepgram_api_key="dg")
    assert chosen.stt == "whisper"


def test_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("LLM_PROVIDER", "ondevice")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk")
    assert settings().llm == "ondevice"


def test_bad_provider_names_the_variable_and_the_choices():
    assert errors_of(stt_provider="google") == [
        "STT_PROVIDER: Input should be 'auto', 'deepgram' or 'whisper'"
    ]


@pytest.mark.parametrize(
    ("stage", "provider", "key"),
    [
        ("stt_provider", "deepgram", "DEEPGRAM_API_KEY"),
        ("llm_provider", "anthropic", "ANTHROPIC_API_KEY"),
        ("tts_provider", "cartesia", "CARTESIA_API_KEY"),
    ],
)
def test_explicit_cloud_provider_without_its_key_is_refused(stage, provider, key):
    (line,) = errors_of(**{stage: provider})
    assert f"{stage.upper()}={provider} needs {key}" in line


def test_openai_provider_without_a_base_url_is_refused():
    (line,) = errors_of(llm_provider="openai")
    assert "OPENAI_BASE_URL" in line


def test_missing_whisper_model_directory_is_refused(tmp_path):
    (line,) = errors_of(whisper_model=tmp_path / "missing")
    assert line.startswith("WHISPER_MODEL:") and "not a directory" in line


def test_missing_second_whisper_model_directory_is_refused(tmp_path):
    (line,) = errors_of(whisper_second_model=str(tmp_path / "missing"))
    assert line.startswith("WHISPER_SECOND_MODEL:") and "not a directory" in line


def test_missing_piper_voice_is_refused(tmp_path):
    (line,) = errors_of(piper_voice=tmp_path / "voice.onnx")
    assert line.startswith("PIPER_VOICE:")


def test_piper_voice_without_its_config_is_refused(tmp_path):
    voice = tmp_path / "voice.onnx"
    voice.write_bytes(b"onnx")
    (line,) = errors_of(piper_voice=voice)
    assert "voice.onnx.json" in line


def test_whisper_on_cuda_without_a_gpu_is_refused(monkeypatch):
    monkeypatch.setattr("settings.cuda_available", lambda: False)
    (line,) = errors_of(whisper_device="cuda")
    assert line.startswith("WHISPER_DEVICE=cuda") and "no NVIDIA GPU" in line


def test_piper_on_cuda_without_onnxruntime_gpu_is_refused(monkeypatch):
    monkeypatch.setattr("settings.onnx_cuda_available", lambda: False)
    (line,) = errors_of(piper_device="cuda")
    assert line.startswith("PIPER_DEVICE=cuda") and "onnxruntime-gpu" in line


def test_model_paths_are_not_checked_for_a_cloud_stage_without_fallback(tmp_path):
    chosen = settings(
        deepgram_api_key="dg",
        cartesia_api_key="ca",
        stt_chain="deepgram",
        whisper_model=tmp_path / "missing",
    )
    assert chosen.stt == "deepgram" and chosen.stt_services == ("deepgram",)


def test_a_fallback_needs_its_model_too(tmp_path):
    with pytest.raises(ValidationError, match="WHISPER_MODEL"):
        settings(deepgram_api_key="dg", whisper_model=tmp_path / "missing")


def test_empty_values_in_env_file_mean_the_default(tmp_path):
    env = tmp_path / ".env"
    env.write_text("WHISPER_MODEL=\nPIPER_VOICE=\nSTT_PROVIDER=\n")
    chosen = Settings(_env_file=env)
    assert chosen.stt == "whisper" and chosen.whisper_model.is_dir()


def test_env_example_is_a_valid_configuration():
    chosen = Settings(_env_file=ROOT / ".env.example")
    assert chosen.llm == "ondevice"


def test_bot_stops_at_start_up_with_one_clear_line_and_no_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "bot.py"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "TTS_PROVIDER": "espeak", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    errors = [line for line in result.stderr.splitlines() if "configuration error" in line]
    assert result.returncode == 2
    assert errors == [
        "configuration error: TTS_PROVIDER: Input should be 'auto', 'cartesia' or 'piper'"
    ]
    assert "Traceback" not in result.stderr


# --- Fallback chains (docs/fallback.md) ------------------------------------------


def test_with_no_keys_each_chain_is_the_self_hosted_service():
    chosen = settings()
    assert chosen.stt_services == ("whisper",)
    assert chosen.llm_services == ("ondevice",)
    assert chosen.tts_services == ("piper",)


def test_with_keys_each_cloud_service_falls_back_to_the_self_hosted_ones():
    chosen = settings(
        deepgram_api_key="dg",
        anthropic_api_key="sk",
        cartesia_api_key="ca",
        openai_base_url="http://127.0.0.1:1/v1",
    )
    assert chosen.stt_services == ("deepgram", "whisper")
    assert chosen.llm_services == ("anthropic", "openai", "ondevice")
    assert chosen.tts_services == ("cartesia", "piper")


def test_the_openai_compatible_server_joins_the_llm_chain_only_when_configured():
    assert settings(anthropic_api_key="sk").llm_services == ("anthropic", "ondevice")


def test_an_explicit_chain_sets_the_order_and_the_first_provider():
    chosen = settings(anthropic_api_key="sk", llm_chain="anthropic, ondevice")
    assert chosen.llm == "anthropic" and chosen.llm_services == ("anthropic", "ondevice")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"llm_chain": "claude,ondevice"}, "LLM_CHAIN: 'claude' is not one of"),
        ({"tts_chain": "piper,piper"}, "TTS_CHAIN: 'piper,piper' names a provider twice"),
        ({"llm_chain": "anthropic,ondevice"}, "LLM_CHAIN names anthropic, which needs"),
        (
            {"stt_provider": "whisper", "stt_chain": "deepgram,whisper", "deepgram_api_key": "d"},
            "STT_CHAIN=deepgram,whisper must start with STT_PROVIDER=whisper",
        ),
        ({"llm_first_token_deadline_secs": 0}, "LLM_FIRST_TOKEN_DEADLINE_SECS: Input should be"),
    ],
)
def test_a_bad_chain_is_one_clear_line(values, message):
    with pytest.raises(ValidationError) as error:
        settings(**values)
    assert any(line.startswith(message) for line in describe_errors(error.value)), describe_errors(
        error.value
    )
