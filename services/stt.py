"""Speech-to-text: Deepgram in the cloud, or faster-whisper on this machine, or Deepgram then
Whisper: with more than one STT in `STT_CHAIN` the stage is their `STTFailover`
(services/stt_failover.py)."""

from loguru import logger
from pipecat.processors.frame_processor import FrameProcessor
from pipecat.services.stt_service import SegmentedSTTService, STTService
from pipecat.transcriptions.language import Language

from services.failover_health import recovery_policy
from services.stt_failover import STTFailover
from services.turn_prompts import TurnPrompts
from services.whisper_hypotheses import Chooser
from services.whisper_second_listen import SecondListen
from settings import Settings
from settings.devices import resolve_device

# Whisper is segmented: it answers once per VAD segment. Measured VAD stop to
# final transcript on 2 CPU cores (AMD EPYC, no GPU) is 0.42-0.54 s.
WHISPER_TTFS_P99_SECS = 0.8


def create_stt(
    settings: Settings,
    vocabulary: str | None = None,
    prompts: TurnPrompts | None = None,
    choose: Chooser | None = None,
    second_listen: SecondListen | None = None,
) -> STTService | STTFailover:
    """Build the STT chain that `settings` selects: one service, or their failover switcher.

    `vocabulary`: words and phrases the callers are likely to say, space-separated, to bias
    Whisper towards (its `hotwords`); Deepgram is left as it is. `prompts`: with
    `WHISPER_TURN_PROMPTS`, Whisper's prompt follows the question the bot asked last
    (`follow_bot_questions`). `choose`: picks Whisper's transcript among the
    `WHISPER_HYPOTHESES` best of its beam (services/whisper_hypotheses.py). `second_listen`:
    when `WHISPER_SECOND_MODEL` listens again (services/whisper_second_listen.py). A failed Deepgram is tried
    again (probed) by the next turn itself, after the recovery wait: Pipecat's Deepgram
    service reconnects on its own, and a probe would cost a connection of its own for nothing."""
    names = settings.stt_services
    if not settings.whisper_turn_prompts:
        prompts = None
    services = [
        one_stt(settings, name, vocabulary, prompts, choose, second_listen) for name in names
    ]
    if len(services) == 1:
        return services[0]
    hedge = settings.stt_hedge_secs
    return STTFailover(
        services,
        names=names,
        final_deadline_secs=settings.stt_final_deadline_secs,
        hedge_secs=hedge if 0 < hedge < settings.stt_final_deadline_secs else None,
        policy=recovery_policy(settings),
        probe=_connected,
    )


async def _connected(service) -> bool:
    """A Deepgram that has reconnected (Pipecat retries by itself) counts as back; Whisper,
    on this machine, is always there (it was only slow)."""
    if isinstance(service, SegmentedSTTService):
        return True
    return getattr(service, "_connection", None) is not None


def one_stt(
    settings: Settings,
    provider: str,
    vocabulary: str | None = None,
    prompts: TurnPrompts | None = None,
    choose: Chooser | None = None,
    second_listen: SecondListen | None = None,
) -> STTService:
    """One member of the chain."""
    if provider == "deepgram":
        from pipecat.services.deepgram.stt import DeepgramSTTService

        from services.deepgram_stt import DropReportingDeepgramSTTService

        return DropReportingDeepgramSTTService(
            api_key=settings.deepgram_api_key.get_secret_value(),
            base_url=settings.deepgram_base_url,
            settings=DeepgramSTTService.Settings(
                model=settings.deepgram_model, language=Language.EN
            ),
        )

    from services.turn_prompted_whisper import TurnPromptedWhisperSTTService
    from services.whisper_stt import SpeechLengthWhisperSTTService

    device, compute_type = whisper_runtime(settings.whisper_device)
    logger.info(f"Whisper on {device} ({compute_type}) from {settings.whisper_model}")
    prompted = {}
    cls = SpeechLengthWhisperSTTService
    if prompts is not None:
        cls = TurnPromptedWhisperSTTService
        prompted = {"prompts": prompts}
    return cls(
        **prompted,
        encode_pad_secs=settings.whisper_encode_pad_secs,
        replay_encode_pad_secs=settings.stt_replay_encode_pad_secs,
        hypotheses=settings.whisper_hypotheses,
        choose=choose,
        second_model=None
        if settings.whisper_second_model == "off"
        else settings.whisper_second_model,
        second_listen=second_listen,
        device=device,
        compute_type=compute_type,
        ttfs_p99_latency=WHISPER_TTFS_P99_SECS,
        settings=cls.Settings(
            model=str(settings.whisper_model),
            language=Language.EN,
            no_speech_prob=settings.whisper_no_speech_prob,
            hotwords=vocabulary,
        ),
    )


def follow_bot_questions(stt: STTService | STTFailover, assistant: FrameProcessor) -> int:
    """Tell each Whisper of the chain that prompts by turn what the bot said, each time
    `assistant` (the assistant aggregator) ends a bot turn; how many there are."""
    members = stt.services if isinstance(stt, STTFailover) else [stt]
    prompted = [s for s in members if callable(getattr(s, "bot_said", None))]
    if prompted:

        @assistant.event_handler("on_assistant_turn_stopped")
        async def on_assistant_turn_stopped(aggregator, message):
            for service in prompted:
                service.bot_said(message.content or "")

    return len(prompted)


def whisper_runtime(choice: str) -> tuple[str, str]:
    """Device and compute type: float16 on an NVIDIA GPU, int8 on the CPU."""
    device = resolve_device(choice)
    return device, "float16" if device == "cuda" else "int8"
