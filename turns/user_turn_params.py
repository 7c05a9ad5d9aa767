"""How the bot decides the caller has started and finished: Silero VAD, then Smart Turn.

Tuned on real audio on 2 CPU cores (docs/turn-taking.md):
- VAD `stop_secs` 0.2 (Pipecat's default): Whisper starts 0.2 s after the last word,
  and the reply is made, held, while the turn-end floor (`TURN_MIN_SILENCE_SECS`)
  keeps a comma pause inside the turn (turns/turn_end_floor.py).
- Smart Turn rejects some finished synthetic sentences and then waits its own
  `stop_secs` (3 s by default); 1.2 s caps that wait, and it is asked again as the
  floor passes.

And for interruptions (docs/interruptions.md):
- VAD `start_secs` 0.2 with `min_volume` 0.6 (Pipecat's defaults) heard speech
  start 0.34 s after its onset (0.9 s when the first word is short); 0.1 s and
  0.4 hear it at 0.14-0.22 s, and the bot pauses then.
- Over the bot, only non-backchannel words start the caller's turn
  (`BargeInUserTurnStartStrategy`), and the VAD stops after 0.2 s of silence
  so a backchannel's transcript, and the bot's resume, come sooner.
- A barge-in's first words are transcribed while the caller may already be
  saying more; with Whisper the turn waits for the words of every segment
  (`SegmentTurnAnalyzerUserTurnStopStrategy`).
"""

from collections.abc import Callable

from pipecat.audio.turn.base_turn_analyzer import BaseTurnAnalyzer
from pipecat.audio.turn.smart_turn.base_smart_turn import SmartTurnParams
from pipecat.audio.turn.smart_turn.local_smart_turn_v3 import LocalSmartTurnAnalyzerV3
from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.processors.aggregators.llm_response_universal import LLMUserAggregatorParams
from pipecat.turns.user_start import BaseUserTurnStartStrategy
from pipecat.turns.user_stop import BaseUserTurnStopStrategy
from pipecat.turns.user_turn_strategies import UserTurnStrategies

from settings import Settings
from turns.barge_in_turn_start import BargeInUserTurnStartStrategy
from turns.heard_silence_vad import HeardSilenceVADAnalyzer
from turns.segment_turn_stop import SegmentTurnAnalyzerUserTurnStopStrategy
from turns.turn_end_floor import SilenceFloorUserTurnStopStrategy


def create_user_turn_params(
    settings: Settings, stt_segmented: Callable[[], bool] | None = None
) -> LLMUserAggregatorParams:
    """VAD, turn-start and turn-end strategies for the user aggregator: the default parts.
    `stt_segmented`: see `segment_turn_stop`."""
    analyzer = smart_turn(settings)
    stop = segment_turn_stop(settings, analyzer, stt_segmented)
    return user_turn_params(
        settings, analyzer, start=[barge_in(settings)], stop=[stop] if stop else []
    )


def user_turn_params(
    settings: Settings,
    turn_analyzer: BaseTurnAnalyzer,
    start: list[BaseUserTurnStartStrategy],
    stop: list[BaseUserTurnStopStrategy],
) -> LLMUserAggregatorParams:
    """The user aggregator's parameters with these strategies. No start strategy: Pipecat's
    defaults (any speech interrupts the bot); no stop strategy: Smart Turn's, never before
    `TURN_MIN_SILENCE_SECS` of silence (turns/turn_end_floor.py)."""
    vad = HeardSilenceVADAnalyzer(params=vad_params(settings))
    stop = list(stop) or [
        SilenceFloorUserTurnStopStrategy(
            turn_analyzer=turn_analyzer,
            min_silence_secs=settings.turn_min_silence_secs,
            speculate=settings.speculative_reply,
        )
    ]
    for strategy in stop:
        if isinstance(strategy, SilenceFloorUserTurnStopStrategy):
            strategy.listen_with(vad)
    return LLMUserAggregatorParams(
        vad_analyzer=vad,
        user_turn_strategies=UserTurnStrategies(start=list(start) or None, stop=stop),
        # Pipecat times the caller's silence; turns/silence_watch.py answers it.
        user_idle_timeout=settings.silence_reprompt_secs,
    )


def smart_turn(settings: Settings) -> LocalSmartTurnAnalyzerV3:
    return LocalSmartTurnAnalyzerV3(params=SmartTurnParams(stop_secs=settings.smart_turn_stop_secs))


def vad_params(settings: Settings) -> VADParams:
    return VADParams(
        start_secs=settings.vad_start_secs,
        stop_secs=settings.vad_stop_secs,
        min_volume=settings.vad_min_volume,
    )


def barge_in(settings: Settings) -> BargeInUserTurnStartStrategy:
    """Over the bot, only non-backchannel words start the caller's turn (the `barge_in` part)."""
    params = vad_params(settings)
    return BargeInUserTurnStartStrategy(
        backchannels=settings.backchannel_words,
        min_words=settings.interruption_min_words,
        vad_params=params,
        vad_params_over_bot=params.model_copy(
            update={"stop_secs": settings.vad_stop_secs_over_bot}
        ),
    )


def segment_turn_stop(
    settings: Settings,
    turn_analyzer: BaseTurnAnalyzer,
    stt_segmented: Callable[[], bool] | None = None,
) -> SegmentTurnAnalyzerUserTurnStopStrategy | None:
    """The `segment_turn_stop` part: only a segmented STT (Whisper) needs it. With an STT
    chain of a streaming and a segmented STT (Deepgram -> Whisper), `stt_segmented` says
    whether the STT answering now is segmented, and the strategy follows it."""
    floor = {
        "min_silence_secs": settings.turn_min_silence_secs,
        "speculate": settings.speculative_reply,
    }
    if settings.stt == "whisper":
        return SegmentTurnAnalyzerUserTurnStopStrategy(turn_analyzer=turn_analyzer, **floor)
    if "whisper" in settings.stt_services and stt_segmented is not None:
        return SegmentTurnAnalyzerUserTurnStopStrategy(
            turn_analyzer=turn_analyzer, segmented=stt_segmented, **floor
        )
    return None
