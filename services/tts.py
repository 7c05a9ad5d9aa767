"""Text-to-speech: Cartesia in the cloud, or Piper on this machine, or Cartesia then Piper.

With more than one TTS in `TTS_CHAIN` the stage is their `TTSFailover`
(services/tts_failover.py).
"""

import asyncio

from loguru import logger
from pipecat.processors.frame_processor import FrameProcessor
from pipecat.services.tts_service import TTSService

from services.failover_health import recovery_policy
from services.first_clause_text_aggregator import FirstClauseTextAggregator
from services.tts_failover import TTSFailover
from settings import Settings
from settings.devices import onnx_cuda_available, resolve_device

CARTESIA_VERSION = "2025-04-16"
PROBE_TIMEOUT_SECS = 5.0


def create_tts(settings: Settings) -> TTSService | TTSFailover:
    """Build the TTS chain that `settings` selects: one service, or their failover switcher."""
    names = settings.tts_services
    services = [one_tts(settings, name) for name in names]
    if len(services) == 1:
        return services[0]
    return TTSFailover(
        services,
        names=names,
        first_audio_deadline_secs=settings.tts_first_audio_deadline_secs,
        idle_deadline_secs=settings.tts_idle_deadline_secs,
        policy=recovery_policy(settings),
        probe=cartesia_probe(settings),
    )


def cartesia_probe(settings: Settings):
    """A failed Cartesia is back when its websocket accepts our key again."""

    async def probe(service: FrameProcessor) -> bool:
        from websockets.asyncio.client import connect

        headers = {
            "X-API-Key": settings.cartesia_api_key.get_secret_value(),
            "Cartesia-Version": CARTESIA_VERSION,
        }
        async with asyncio.timeout(PROBE_TIMEOUT_SECS):
            async with connect(settings.cartesia_url, additional_headers=headers):
                return True

    return probe


def one_tts(settings: Settings, provider: str) -> TTSService:
    """One member of the chain."""
    service = _cartesia_tts(settings) if provider == "cartesia" else piper_tts(settings)
    if settings.tts_first_clause_min_words:
        # TTSService takes no aggregator argument; this is the one it builds, replaced.
        built = service._text_aggregator
        service._text_aggregator = FirstClauseTextAggregator(
            min_words=settings.tts_first_clause_min_words,
            aggregation_type=built.aggregation_type,
            language=built.language,
        )
    return service


def _cartesia_tts(settings: Settings) -> TTSService:
    from services.cartesia_tts import DropReportingCartesiaTTSService

    return DropReportingCartesiaTTSService(
        api_key=settings.cartesia_api_key.get_secret_value(),
        url=settings.cartesia_url,
        settings=DropReportingCartesiaTTSService.Settings(
            voice=settings.cartesia_voice_id, model=settings.cartesia_model
        ),
    )


def piper_tts(settings: Settings) -> TTSService:
    from pipecat.services.piper.tts import PiperTTSService

    use_cuda = piper_uses_cuda(settings.piper_device)
    logger.info(f"Piper on {'cuda' if use_cuda else 'cpu'} with {settings.piper_voice.name}")
    return PiperTTSService(
        download_dir=settings.piper_voice.parent,
        use_cuda=use_cuda,
        settings=PiperTTSService.Settings(voice=settings.piper_voice.stem),
    )


def piper_uses_cuda(choice: str) -> bool:
    """Whether Piper runs on the GPU: `auto` uses it when both GPU and runtime allow.

    An explicit `cuda` the machine cannot honour is refused by the settings.
    """
    if resolve_device(choice) != "cuda":
        return False
    if onnx_cuda_available():
        return True
    logger.warning("A GPU is present but onnxruntime has no CUDA provider: Piper runs on the CPU")
    return False
