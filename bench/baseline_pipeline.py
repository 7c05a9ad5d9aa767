"""Pipecat's default pipeline around our services, for `bench.latency`'s side-by-side figures.

The services are the bot's own, built by the product's factories from the same settings
(Whisper tiny.en, the on-device engine, Piper), and the call greets the same way. What
differs is everything Pipecat leaves to the developer, taken at its defaults as installed
(pipecat-ai 1.14):

- `SileroVADAnalyzer()` with `VADParams()`: start 0.2 s, stop 0.2 s, confidence 0.7,
  min volume 0.6 (ours: stop 0.4 s, start 0.1 s, min volume 0.4);
- `UserTurnStrategies()`: VAD and transcription turn starts, Smart Turn v3 turn stop with
  `SmartTurnParams()` (a 3 s fallback; ours 1.2 s, and a stop that waits for every segment's
  words);
- `LLMUserAggregatorParams()` otherwise at its defaults;
- none of our processors (state extractor, call records, context compiler, speech gate,
  reply trimmer, the caller-audio filter) and not our observer fan-out.
"""

from collections.abc import Sequence

from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.observers.base_observer import BaseObserver
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import (
    LLMContextAggregatorPair,
    LLMUserAggregatorParams,
)
from pipecat.transports.base_transport import BaseTransport

from app.call_parts import booking_session
from app.call_start import start_when_caller_arrives
from flows.heard_best import BookingHypothesisChooser
from flows.restaurant import Restaurant, system_prompt
from flows.stt_prompts import CALLER_PROMPTS
from services.llm import create_llm
from services.shared_models import shared_onnx_sessions
from services.stt import create_stt, follow_bot_questions
from services.tts import create_tts
from settings import Settings


def build_baseline_worker(
    transport: BaseTransport, settings: Settings, observers: Sequence[BaseObserver] = ()
) -> tuple[PipelineWorker, LLMContext]:
    """Pipecat's default pipeline with the bot's services; same signature as `build_worker`
    so `harness.call.ScriptedCall` can run it on the same transport and clock."""
    with shared_onnx_sessions():
        restaurant = Restaurant.from_settings(settings)
        bookings = booking_session(settings, restaurant, extractor_counts_turns=False)
        stt = create_stt(
            settings,
            vocabulary=restaurant.vocabulary(),
            prompts=CALLER_PROMPTS,
            choose=BookingHypothesisChooser(bookings.tools.rules),
        )
        llm = create_llm(
            settings, system_instruction=system_prompt(restaurant), dialogue=bookings.dialogue()
        )
        tts = create_tts(settings)
        context = LLMContext(tools=bookings.context_tools())
        aggregators = LLMContextAggregatorPair(
            context, user_params=LLMUserAggregatorParams(vad_analyzer=SileroVADAnalyzer())
        )
    user, assistant = aggregators
    follow_bot_questions(stt, assistant)
    pipeline = Pipeline([transport.input(), stt, user, llm, tts, transport.output(), assistant])
    worker = PipelineWorker(
        pipeline,
        params=PipelineParams(enable_metrics=True, enable_usage_metrics=True),
        observers=list(observers),
    )
    start_when_caller_arrives(
        worker, transport, bookings.starter(llm, context, aggregators, worker)
    )
    return worker, context
