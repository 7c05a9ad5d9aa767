"""Builds one call's worker: a transport, three services, the flow and our processors in one pipeline."""

from collections.abc import Callable, Sequence

from loguru import logger
from pipecat.evals.transport import EvalTransportParams
from pipecat.observers.base_observer import BaseObserver
from pipecat.observers.user_bot_latency_observer import UserBotLatencyObserver
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.transports.base_transport import BaseTransport, TransportParams
from pipecat.transports.daily.transport import DailyParams
from pipecat.workers.runner import WorkerRunner

from app.call_parts import booking_session, call_conversation
from conversation.logs import install_log_privacy
from flows.restaurant import Restaurant, system_prompt
from flows.restaurant_slot_reader import RestaurantSlotReader
from processors.bot_speech_gate import BotSpeechGate
from processors.conversation_recorder import ConversationRecorder
from processors.interrupted_reply_trimmer import InterruptedReplyTrimmer
from services.failover import FailoverMixin, Switch
from services.llm import create_llm
from services.stt import create_stt
from services.tts import create_tts
from settings import Settings
from turns.user_turn_params import create_user_turn_params


def build_worker(
    transport: BaseTransport, settings: Settings, observers: Sequence[BaseObserver] = ()
) -> tuple[PipelineWorker, LLMContext]:
    """The bot's pipeline on a worker, ready to run on any transport."""
    restaurant = Restaurant.from_settings(settings)
    bookings = booking_session(settings, restaurant)
    # The restaurant's own name and address are not personal data.
    own = (restaurant.name, restaurant.address)
    install_log_privacy(settings.restaurant_phone_region, own)
    conversation = call_conversation(
        settings, RestaurantSlotReader(restaurant, bookings.tools.rules), own, bookings.state
    )
    stt = create_stt(settings)
    llm = create_llm(
        settings,
        system_instruction=system_prompt(restaurant),
        dialogue=bookings.dialogue(),
    )
    tts = create_tts(settings)
    logger.info(
        f"Services: STT {' -> '.join(settings.stt_services)}, "
        f"LLM {' -> '.join(settings.llm_services)}, TTS {' -> '.join(settings.tts_services)}"
    )

    context = LLMContext(tools=bookings.context_tools())
    segmented = (lambda: stt.active_name == "whisper") if isinstance(stt, FailoverMixin) else None
    aggregators = LLMContextAggregatorPair(
        context, user_params=create_user_turn_params(settings, stt_segmented=segmented)
    )
    user_aggregator, assistant_aggregator = aggregators
    pipeline = Pipeline(
        [
            transport.input(),
            stt,
            user_aggregator,
            *conversation.processors(),
            llm,
            tts,
            BotSpeechGate(resume_secs=settings.interruption_resume_secs),
            transport.output(),
            assistant_aggregator,
            InterruptedReplyTrimmer(context),
        ]
    )
    latency = UserBotLatencyObserver()
    worker = PipelineWorker(
        pipeline,
        params=PipelineParams(enable_metrics=True, enable_usage_metrics=True),
        observers=[latency, *observers],
    )

    start_conversation = bookings.starter(llm, context, aggregators, worker)
    record_switches(conversation.recorder, worker, llm, tts)

    @worker.rtvi.event_handler("on_client_ready")
    async def on_client_ready(rtvi):
        await start_conversation()

    @transport.event_handler("on_client_disconnected")
    async def on_client_disconnected(transport, client):
        logger.info("Caller disconnected: ending the session")
        await worker.cancel()

    @latency.event_handler("on_latency_breakdown")
    async def on_latency_breakdown(observer, breakdown):
        for line in breakdown.turn_contribution_lines():
            logger.info(f"latency {line}")

    return worker, context


def record_switches(recorder: ConversationRecorder, worker: PipelineWorker, *stages):
    """Each failover and recovery of a stage goes into the call's records, and to the page as
    an RTVI server message; each turn's answering services go to the page too."""
    answered: dict[str, str] = {}
    for stage in stages:
        if not isinstance(stage, FailoverMixin):
            continue

        @stage.event_handler("on_switch")
        async def on_switch(stage, switch: Switch):
            recorder.record_switch(
                stage=switch.stage,
                kind=switch.kind,
                from_service=switch.from_service,
                to_service=switch.to_service,
                reason=switch.reason,
                duration_ms=round(switch.duration_secs * 1000),
            )
            await worker.rtvi.send_server_message(
                {
                    "type": "service-switch",
                    "stage": switch.stage,
                    "kind": switch.kind,
                    "from": switch.from_service,
                    "to": switch.to_service,
                }
            )

        @stage.event_handler("on_answered")
        async def on_answered(stage, name: str):
            if answered.get(stage.stage) != name:
                answered[stage.stage] = name
                await worker.rtvi.send_server_message({"type": "services", **answered})


async def run_bot(transport: BaseTransport, settings: Settings, handle_sigint: bool = False):
    worker, _ = build_worker(transport, settings)
    runner = WorkerRunner(handle_sigint=handle_sigint)
    await runner.add_workers(worker)
    await runner.run()
    logger.info("Session finished")


def transport_params() -> dict[str, Callable[[], TransportParams]]:
    """The parameters of each transport a caller can arrive by."""
    return {
        "webrtc": lambda: TransportParams(audio_in_enabled=True, audio_out_enabled=True),
        "daily": lambda: DailyParams(audio_in_enabled=True, audio_out_enabled=True),
        "eval": lambda: EvalTransportParams(audio_in_enabled=True, audio_out_enabled=True),
    }
