"""Where the self-hosted models run: the local GPU when there is one, else the CPU.

In `settings` because validating `WHISPER_DEVICE=cuda` needs the probe; the services use it too."""

from functools import cache

from loguru import logger


@cache
def cuda_available() -> bool:
    """Whether CTranslate2 (Whisper's runtime) sees an NVIDIA GPU."""
    try:
        import ctranslate2

        return ctranslate2.get_cuda_device_count() > 0
    except Exception as error:  # a broken CUDA install must not stop the CPU path
        logger.warning(f"CUDA probe failed, using the CPU: {error}")
        return False


def resolve_device(choice: str) -> str:
    """Turn `auto` into `cuda` or `cpu`; an explicit choice is kept."""
    if choice == "auto":
        return "cuda" if cuda_available() else "cpu"
    return choice


def onnx_cuda_available() -> bool:
    """Whether onnxruntime (Piper's runtime) can run on CUDA."""
    import onnxruntime

    return "CUDAExecutionProvider" in onnxruntime.get_available_providers()
