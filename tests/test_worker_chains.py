"""With keys, the bot's pipeline is built with its fallback chains.

The STT and TTS chains here are single cloud services (the self-hosted models
take seconds to load, and their chains are tested in test_stt_failover.py and
test_tts_failover.py); the LLM chain falls back to the on-device engine."""

from harness.audio_transport import ScriptedCallTransport
from services.llm_failover import LLMFailover
from services.stt_failover import STTFailover
from services.tts_failover import TTSFailover
from tests.fakes.cloud_settings import unreachable_cloud_settings

CHAINS = (STTFailover, LLMFailover, TTSFailover)


def chains_in(processor) -> list:
    if isinstance(processor, CHAINS):
        return [processor]
    return [c for p in getattr(processor, "processors", []) for c in chains_in(p)]


def test_the_keyed_pipeline_runs_the_llm_chain_down_to_the_ondevice_engine():
    from app.worker import build_worker

    settings = unreachable_cloud_settings()
    worker, _ = build_worker(ScriptedCallTransport(), settings)
    (llm,) = chains_in(worker.pipeline)
    assert isinstance(llm, LLMFailover)
    assert llm.active_name == "anthropic"
    assert [type(member).__name__ for member in llm.llms] == [
        "AnthropicLLM",
        "OnDeviceLLMService",
    ]
