"""Shared fixtures: settings isolated from the developer's own `.env` and environment."""

import pytest

from settings import Settings

PROVIDER_VARIABLES = (
    "STT_PROVIDER",
    "LLM_PROVIDER",
    "TTS_PROVIDER",
    "DEEPGRAM_API_KEY",
    "ANTHROPIC_API_KEY",
    "CARTESIA_API_KEY",
    "OPENAI_BASE_URL",
    "WHISPER_MODEL",
    "PIPER_VOICE",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """Tests see only the variables they set, never a developer's keys or databases."""
    for name in PROVIDER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/reservations.db")
    monkeypatch.setenv("CONVERSATIONS_DATABASE_URL", f"sqlite:///{tmp_path}/conversations.db")


@pytest.fixture
def offline_settings() -> Settings:
    """The default, keyless configuration: Whisper, on-device brain, Piper."""
    return Settings(_env_file=None)
