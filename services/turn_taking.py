"""How the bot decides the caller has finished: Silero VAD, then Smart Turn.

Tuned against the pitfalls measured in offline-stack.md:
- VAD `stop_secs` 0.2 (Pipecat's default) split sentences at commas in 3 of 10
  runs; 0.4 keeps a comma pause inside one VAD segment.
- Smart Turn rejects some finished synthetic sentences and then waits its own
  `stop_secs` (3 s by default); 1.2 s caps that wait.
"""

from pipecat.audio.turn.smart_turn.base_smart_turn import SmartTurnParams
from pipecat.audio.turn.smart_turn.local_smart_turn_v3 import LocalSmartTurnAnalyzerV3
from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.processors.aggregators.llm_response_universal import LLMUserAggregatorParams
from pipecat.turns.user_stop import TurnAnalyzerUserTurnStopStrategy
from pipecat.turns.user_turn_strategies import UserTurnStrategies

from settings import Settings


def create_user_turn_params(settings: Settings) -> LLMUserAggregatorParams:
    """VAD and turn-end strategy for the user aggregator."""
    turn_analyzer = LocalSmartTurnAnalyzerV3(
        params=SmartTurnParams(stop_secs=settings.smart_turn_stop_secs)
    )
    return LLMUserAggregatorParams(
        vad_analyzer=SileroVADAnalyzer(params=VADParams(stop_secs=settings.vad_stop_secs)),
        user_turn_strategies=UserTurnStrategies(
            stop=[TurnAnalyzerUserTurnStopStrategy(turn_analyzer=turn_analyzer)]
        ),
    )
