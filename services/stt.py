"""Speech-to-text: Deepgram in the cloud, or faster-whisper on this machine."""

from loguru import logger
from pipecat.services.stt_service import STTService
from pipecat.transcriptions.language import Language

from settings import Settings
from settings.devices import resolve_device

# Whisper is segmented: it answers once per VAD segment. Measured VAD stop to
# final transcript on 2 CPU cores (AMD EPYC, no GPU) is 0.42-0.54 s.
WHISPER_TTFS_P99_SECS = 0.8


def create_stt(settings: Settings, vocabulary: str | None = None) -> STTService:
    """Build the STT service that `settings` selects. `vocabulary`: words and phrases the
    callers are likely to say, space-separated, to bias Whisper towards (its `hotwords`);
    Deepgram is left as it is."""
    if settings.stt == "deepgram":
        from pipecat.services.deepgram.stt import DeepgramSTTService

        return DeepgramSTTService(
            api_key=settings.deepgram_api_key.get_secret_value(),
            base_url=settings.deepgram_base_url,
            settings=DeepgramSTTService.Settings(
                model=settings.deepgram_model, language=Language.EN
            ),
        )

    from services.whisper_stt import SpeechLengthWhisperSTTService

    device, compute_type = whisper_runtime(settings.whisper_device)
    logger.info(f"Whisper on {device} ({compute_type}) from {settings.whisper_model}")
    return SpeechLengthWhisperSTTService(
        encode_pad_secs=settings.whisper_encode_pad_secs,
        device=device,
        compute_type=compute_type,
        ttfs_p99_latency=WHISPER_TTFS_P99_SECS,
        settings=SpeechLengthWhisperSTTService.Settings(
            model=str(settings.whisper_model),
            language=Language.EN,
            no_speech_prob=settings.whisper_no_speech_prob,
            hotwords=vocabulary,
        ),
    )


def whisper_runtime(choice: str) -> tuple[str, str]:
    """Device and compute type: float16 on an NVIDIA GPU, int8 on the CPU."""
    device = resolve_device(choice)
    return device, "float16" if device == "cuda" else "int8"
