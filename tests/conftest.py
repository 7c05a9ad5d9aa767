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


@pytest.fixture(scope="session")
def postgres_server():
    """This worker's own PostgreSQL server, started once; the test skips, saying why, without one."""
    from tests.postgres_server import PostgresMissing, PostgresServer

    try:
        server = PostgresServer.start()
    except PostgresMissing as why:
        pytest.skip(str(why))
    yield server
    server.stop()


@pytest.fixture
def database(request) -> str:
    """Which database `database_url` makes: SQLite, unless a test is parametrised with
    `tests.postgres_server.BOTH_DATABASES` (or a module overrides this fixture)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def database_url(database, request, tmp_path):
    """A fresh, empty database of the kind `database` names: an SQLite file, or a new
    PostgreSQL database on the session's server, dropped after the test."""
    if database == "sqlite":
        yield f"sqlite:///{tmp_path}/store.db"
        return
    server = request.getfixturevalue("postgres_server")
    url = server.database()
    yield url
    server.drop(url)
