"""Shared fixtures: settings isolated from the developer's own `.env` and environment,
and each model loaded once per test process."""

import sys
from collections.abc import Iterator

import pytest

from services.shared_models import session_key
from settings import Settings

# `rules` and `store` for the on-device brain's tests; a file that defines its own keeps it.
pytest_plugins = ["tests.fakes.restaurant_store"]

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
    "OTEL_EXPORTER_OTLP_ENDPOINT",  # a developer's collector: tests trace only into memory
)


# `make test` runs three xdist workers with `--dist loadfile`: a file's tests share its
# module-scoped call, so a file stays on one worker. Most of these files' time is
# real-time audio and browser calls waiting on the clock, which three workers share well
# on two cores (the CPU is busy 40 % of the time with two: 6 min of CPU in 7.6 min); handed
# out longest first (seconds each, measured on two loaded cores), the workers finish close
# together, with the fast files filling in at the end.
LONGEST_FIRST = [
    "test_e2e_booking",  # three calls, 195
    "test_e2e_privacy",  # 100
    "test_e2e_interruptions",  # two calls, 85
    "test_e2e_conversation",  # 55
    "test_turn_taking",  # 50
    "test_evals_subset",  # 45
    "test_browser_call",  # 45
    "test_browser_screenshot",  # 30
]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """On an xdist worker, the longest files first (see LONGEST_FIRST); each worker
    collects the same order, as xdist requires. A plain run keeps the files' order."""
    if not hasattr(config, "workerinput"):
        return
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """Tests see only the variables they set, never a developer's keys or databases."""
    for name in PROVIDER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/reservations.db")
    monkeypatch.setenv("CONVERSATIONS_DATABASE_URL", f"sqlite:///{tmp_path}/conversations.db")


@pytest.fixture(autouse=True)
def outside_any_call():
    """Each test starts outside any call: a sync test that builds a worker binds its call
    in the process's own context, where every later test of that worker would inherit it."""
    from conversation import logs, tracing

    logs_token = logs._current_call.set(None)
    trace_token = tracing._trace.set(None)
    yield
    logs._current_call.reset(logs_token)
    tracing._trace.reset(trace_token)


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


@pytest.fixture(scope="session", autouse=True)
def models_loaded_once():
    """Every call the e2e tests build loads Whisper, Piper, Silero VAD and Smart Turn
    (1-3 s a call on two cores); the first load in a test process goes through the
    real loading code, later ones get the same model object. All four are stateless
    between calls (Silero's recurrent state lives in its Python wrapper, one per call),
    and both runtimes allow concurrent inference on one model."""
    import faster_whisper
    import onnxruntime

    sessions: dict[tuple, object] = {}
    whispers: dict[tuple, object] = {}
    real_session = onnxruntime.InferenceSession
    real_whisper = faster_whisper.WhisperModel

    def inference_session(model, sess_options=None, providers=None, **kwargs):
        key = session_key(model, sess_options, providers, **kwargs)
        if key not in sessions:
            sessions[key] = real_session(
                model, sess_options=sess_options, providers=providers, **kwargs
            )
        return sessions[key]

    def whisper_model(model_size_or_path, *args, **kwargs):
        key = (str(model_size_or_path), args, repr(sorted(kwargs.items())))
        if key not in whispers:
            whispers[key] = real_whisper(model_size_or_path, *args, **kwargs)
        return whispers[key]

    import services.whisper_stt

    speech_models: dict[tuple, object] = {}
    real_speech_model = services.whisper_stt.SpeechLengthWhisperModel

    def speech_length_model(model_size_or_path, *args, **kwargs):
        key = (str(model_size_or_path), args, repr(sorted(kwargs.items())))
        if key not in speech_models:
            speech_models[key] = real_speech_model(model_size_or_path, *args, **kwargs)
        return speech_models[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(onnxruntime, "InferenceSession", inference_session)
        # The bot's own Whisper (services/whisper_stt.py) builds its model by this name.
        patch.setattr(services.whisper_stt, "SpeechLengthWhisperModel", speech_length_model)
        patch.setattr(faster_whisper, "WhisperModel", whisper_model)
        # Pipecat's Whisper service imported the class by name when it was collected.
        if (stt := sys.modules.get("pipecat.services.whisper.stt")) is not None:
            patch.setattr(stt, "WhisperModel", whisper_model)
        yield


@pytest.fixture(scope="module")
def module_settings(tmp_path_factory) -> Iterator[Settings]:
    """`offline_settings` for a module whose tests share one call, isolated in the same
    way (`clean_environment` is per test, and comes too late for a module's call)."""
    folder = tmp_path_factory.mktemp("module")
    with pytest.MonkeyPatch.context() as patch:
        for name in PROVIDER_VARIABLES:
            patch.delenv(name, raising=False)
        patch.setenv("DATABASE_URL", f"sqlite:///{folder}/reservations.db")
        patch.setenv("CONVERSATIONS_DATABASE_URL", f"sqlite:///{folder}/conversations.db")
        yield Settings(_env_file=None)
