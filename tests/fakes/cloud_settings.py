"""Settings for every cloud service keyed, each pointed at a closed local port: the pipeline is
built as with keys, and nothing can be reached."""

from settings import Settings


def unreachable_cloud_settings(**overrides) -> Settings:
    return Settings(
        _env_file=None,
        deepgram_api_key="dg",
        deepgram_base_url="ws://127.0.0.1:1",
        anthropic_api_key="sk",
        anthropic_base_url="http://127.0.0.1:1",
        cartesia_api_key="ca",
        cartesia_url="ws://127.0.0.1:1/tts/websocket",
        stt_chain="deepgram",
        tts_chain="cartesia",
        **overrides,
    )
