"""The services the eval harness builds from the scenario files, all offline but the judge.

Each is a Pipecat eval factory: the harness calls it with the scenario's
config block (`user.speech`, `judge.transcription`, `judge.eval`) and uses
the service it returns.

- the caller's voice: the bundled Piper voice (Pipecat's `PiperTTSService`),
  or espeak-ng as a second, quite different voice;
- the bot's audio: transcribed by the bundled Whisper model, Pipecat's own
  Whisper builder pointed at its local directory (left to itself, it would
  fetch a model from the hub);
- the judge: Claude or an OpenAI-compatible server (evals/judge.py).
"""

from functools import partial

from pipecat.evals.services import whisper_service
from pipecat.services.llm_service import LLMService
from pipecat.services.stt_service import STTService
from pipecat.services.tts_service import TTSService

from evals.judge import load_judge_settings
from services.llm import anthropic_llm, openai_llm
from settings import Settings


def piper_voice(config: dict) -> TTSService:
    """The bundled Piper voice (or `PIPER_VOICE`), the caller's main voice."""
    from pipecat.services.piper.tts import PiperTTSService

    voice = Settings().piper_voice
    if voice is None:
        raise ValueError(
            "the caller's Piper voice needs the `piper` extra or PIPER_VOICE; "
            "or give the scenario `user.speech.factory: evals.factories.espeak_voice`"
        )
    return PiperTTSService(
        download_dir=voice.parent, settings=PiperTTSService.Settings(voice=voice.stem)
    )


def espeak_voice(config: dict) -> TTSService:
    """espeak-ng (`voice:` an espeak voice, e.g. en-us): a second, robotic caller."""
    from evals.local_voice_tts import LocalVoiceTTSService
    from harness.voices import espeak_available, espeak_speech

    if not espeak_available():
        raise ValueError("the espeak caller needs espeak-ng (apt-get install espeak-ng)")
    voice = str(config.get("voice") or "en-us")
    return LocalVoiceTTSService(speak=partial(espeak_speech, voice=voice), voice=voice)


def whisper_transcription(config: dict) -> STTService:
    """The bundled Whisper model (or `WHISPER_MODEL`) on the CPU, for the bot's audio."""
    return whisper_service({**config, "model": str(Settings().whisper_model)})


def judge(config: dict) -> LLMService:
    """The LLM that judges `eval:` criteria; `make evals` strips them when there is none."""
    settings = load_judge_settings()
    if settings.provider == "anthropic":
        key = settings.judge_api_key or settings.anthropic_api_key
        return anthropic_llm(
            api_key=key.get_secret_value(), model=settings.model, base_url=settings.base_url
        )
    if settings.provider == "openai":
        key = settings.judge_api_key or settings.openai_api_key
        return openai_llm(
            api_key=key.get_secret_value(), base_url=settings.base_url, model=settings.model
        )
    raise ValueError(
        "an `eval:` criterion needs a judge: set ANTHROPIC_API_KEY, or JUDGE_BASE_URL for an "
        "OpenAI-compatible server (make evals skips eval: criteria when none is set)"
    )
