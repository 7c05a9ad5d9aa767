"""The fallback chain of each stage and its timings (docs/fallback.md).

A mixin of `Settings`: `STT_CHAIN`, `LLM_CHAIN`, `TTS_CHAIN` are `auto` or the
providers to try in order, comma-separated; the deadlines and recovery knobs
say when a service counts as failed and when it is tried again.
"""

from typing import ClassVar

from pydantic import BaseModel, Field, field_validator

CHOICES: dict[str, tuple[str, ...]] = {
    "stt_chain": ("deepgram", "whisper"),
    "llm_chain": ("anthropic", "openai", "ondevice"),
    "tts_chain": ("cartesia", "piper"),
}


class FailoverSettings(BaseModel):
    """Mixed into `Settings`."""

    # auto: the chosen provider (STT/LLM/TTS_PROVIDER), then every self-hosted one after it
    # in the chain's order (LLM: the OpenAI-compatible server when OPENAI_BASE_URL is set,
    # then the on-device engine). Or a list, e.g. "anthropic,ondevice"; one name: no fallback.
    stt_chain: str = "auto"
    llm_chain: str = "auto"
    tts_chain: str = "auto"

    # The longest wait for a turn's first result before a service counts as failed (s).
    # LLM: the first token or tool call, from the request (the SDK's own retries included).
    llm_first_token_deadline_secs: float = Field(1.5, gt=0, le=60)
    # TTS: the first audio of a reply, from its first text.
    tts_first_audio_deadline_secs: float = Field(0.8, gt=0, le=60)
    # STT: the final transcript, from the end of the caller's turn.
    stt_final_deadline_secs: float = Field(1.0, gt=0, le=60)
    # STT: when the final has not come this long after the turn's end, the next STT starts
    # on the turn's kept audio alongside (the first final wins). Deepgram's published final
    # is 247/298/326 ms (p50/p95/p99) after the turn's end; 0 or more than the deadline: off.
    stt_hedge_secs: float = Field(0.5, ge=0, le=60)
    # LLM: no first token or tool call this long after the request, the next generative LLM
    # (the OpenAI-compatible server) starts on the same context alongside; the first to say
    # anything wins, the other is stopped before any of its output or tool calls go on.
    # Claude's published median first token is 0.64 s; 0 or more than the deadline: off.
    llm_hedge_secs: float = Field(1.0, ge=0, le=60)
    # Whisper's encoder window for a turn a failover replays to it (WHISPER_ENCODE_PAD_SECS
    # for its own turns): 2 s, the pad measured best in docs/benchmarks.md; 30: full window.
    stt_replay_encode_pad_secs: float = Field(2.0, ge=0, le=30)
    # After the first result, the longest quiet of a stream that owes more of the answer
    # (a stall mid-answer, which no error reports). LLM: between tokens, up to the reply's
    # end; TTS: between audio chunks or spoken words while a whole sentence is unspoken.
    # STT needs none: its one result, the final, is under the deadline above. Shorter than
    # the LLM's first-token deadline: no SDK retries happen in the middle of a stream.
    llm_idle_deadline_secs: float = Field(1.0, gt=0, le=60)
    tts_idle_deadline_secs: float = Field(1.0, gt=0, le=60)

    # Recovery: a failed service is probed after this wait, doubled after each failed
    # probe up to the maximum, and switched back to between turns once it answers.
    failover_probe_secs: float = Field(5.0, gt=0, le=3600)
    failover_probe_max_secs: float = Field(60.0, gt=0, le=3600)
    # A service that failed this many times within the window flaps: it is not probed
    # for the cool-down after its last failure.
    failover_flap_failures: int = Field(3, ge=1, le=100)
    failover_flap_window_secs: float = Field(300.0, gt=0, le=86400)
    failover_cooldown_secs: float = Field(600.0, ge=0, le=86400)

    _chain_fields: ClassVar[tuple[str, ...]] = tuple(CHOICES)

    @field_validator("stt_chain", "llm_chain", "tts_chain")
    @classmethod
    def _known_providers(cls, value: str, info) -> str:
        value = value.strip().lower()
        if value == "auto":
            return value
        names = [name.strip() for name in value.split(",")]
        choices = CHOICES[info.field_name]
        for name in names:
            if name not in choices:
                raise ValueError(
                    f"{name!r} is not one of {', '.join(choices)}; give 'auto' or a "
                    f"comma-separated list such as {','.join(choices)}"
                )
        if len(set(names)) != len(names):
            raise ValueError(f"{value!r} names a provider twice")
        return ",".join(names)

    def chain(self, stage: str, primary: str) -> tuple[str, ...]:
        """The providers of `stage` ("stt", "llm", "tts") in order; `primary` is the one
        STT/LLM/TTS_PROVIDER chose."""
        value = getattr(self, f"{stage}_chain")
        if value != "auto":
            return tuple(value.split(","))
        order = CHOICES[f"{stage}_chain"]
        after = order[order.index(primary) + 1 :]
        if stage == "llm" and not getattr(self, "openai_base_url", None):
            after = tuple(name for name in after if name != "openai")
        if stage == "tts" and getattr(self, "piper_voice", None) is None:
            after = ()  # the GPL `piper` extra was left out
        return (primary, *after)
