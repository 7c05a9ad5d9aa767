"""Text-to-speech: Cartesia in the cloud, or Piper on this machine."""

from loguru import logger
from pipecat.services.tts_service import TTSService

from settings import Settings
from settings.devices import onnx_cuda_available, resolve_device


def create_tts(settings: Settings) -> TTSService:
    """Build the TTS service that `settings` selects."""
    if settings.tts == "cartesia":
        from pipecat.services.cartesia.tts import CartesiaTTSService

        return CartesiaTTSService(
            api_key=settings.cartesia_api_key.get_secret_value(),
            url=settings.cartesia_url,
            settings=CartesiaTTSService.Settings(
                voice=settings.cartesia_voice_id, model=settings.cartesia_model
            ),
        )

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
