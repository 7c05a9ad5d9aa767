"""Builds one call's worker: a transport, three services, the flow and the chosen parts
(`PIPELINE_PARTS`, app/part_choice.py) in one pipeline."""

from collections.abc import Callable, Sequence

from loguru import logger
from pipecat.evals.transport import EvalTransportParams
from pipecat.observers.base_observer import BaseObserver
from pipecat.observers.user_bot_latency_observer import UserBotLatencyObserver
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.transports.base_transport import BaseTransport, TransportParams
from pipecat.transports.daily.transport import DailyParams
from pipecat.workers.runner import WorkerRunner

from app.assembly import Stages, assemble
from app.call_parts import booking_session, new_call
from app.call_start import start_when_caller_arrives
from app.observer_fanout import lighten_observer_fanout
from app.part_choice import choose_parts
from app.parts import CallKit
from app.switch_reports import report_switches
from app.tracing import follow_call, start_tracing, worker_tracing
from app.upkeep import call_in_progress, prepare_process
from conversation.logs import install_log_privacy
from flows.heard_best import BookingHypothesisChooser
from flows.listen_again import BookingSecondListen
from flows.restaurant import Restaurant, system_prompt
from flows.restaurant_slot_reader import RestaurantSlotReader
from flows.stt_prompts import CALLER_PROMPTS
from processors.conversation_recorder import ConversationRecorder
from processors.escalation_watch import EscalationWatch
from processors.rtvi_messages_to_output import RTVIMessagesToOutput
from services.failover import FailoverMixin
from services.llm import create_llm
from services.shared_models import shared_onnx_sessions
from services.stt import create_stt, follow_bot_questions
from services.tts import create_tts
from settings import Settings
from turns.silence_watch import SilenceWatch
from turns.user_turn_params import smart_turn


def build_worker(
    transport: BaseTransport,
    settings: Settings,
    observers: Sequence[BaseObserver] = (),
    caller_phone: str | None = None,
) -> tuple[PipelineWorker, LLMContext]:
    """The bot's pipeline on a worker, ready to run on any transport; `caller_phone`: the
    caller's own number when the transport gives it (app/caller_id.py). Its models' ONNX
    sessions (VAD, Smart Turn, Piper) are the process's, shared by every call."""
    with shared_onnx_sessions():
        return _build_worker(transport, settings, observers, caller_phone)


def _build_worker(
    transport: BaseTransport,
    settings: Settings,
    observers: Sequence[BaseObserver],
    caller_phone: str | None,
) -> tuple[PipelineWorker, LLMContext]:
    chosen = choose_parts(settings.pipeline_parts)
    start_tracing(settings)  # once per process, when OTEL_EXPORTER_OTLP_ENDPOINT is set
    restaurant = Restaurant.from_settings(settings)
    bookings = booking_session(
        settings,
        restaurant,
        extractor_counts_turns="state_extractor" in chosen,
        caller_phone=caller_phone,
    )
    # The restaurant's own name and address are not personal data. bot.py installed
    # log privacy at start-up; this keeps it for pipelines built anywhere else (evals).
    own = (restaurant.name, restaurant.address)
    install_log_privacy(settings.restaurant_phone_region, own)
    call = new_call(settings, own, bookings.state)
    stt = create_stt(
        settings,
        vocabulary=restaurant.vocabulary(),
        prompts=CALLER_PROMPTS,
        choose=BookingHypothesisChooser(bookings.tools.rules),
        second_listen=BookingSecondListen(bookings.tools.rules),
    )
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
    reader = RestaurantSlotReader(restaurant, bookings.tools.rules)
    # With Deepgram -> Whisper, the turn-end strategy follows the STT answering now.
    segmented = (lambda: stt.active_name == "whisper") if isinstance(stt, FailoverMixin) else None
    kit = CallKit(
        settings,
        call,
        context,
        reader,
        turn_analyzer=smart_turn(settings),
        stt_segmented=segmented,
        llm_generative=llm_generative(settings, llm),
        llm=llm,
    )
    stages = Stages(transport.input(), stt, llm, tts, transport.output())
    assembly = assemble(chosen, kit, stages)
    logger.info(assembly.description)
    aggregators = assembly.aggregators
    follow_bot_questions(stt, aggregators.assistant())
    SilenceWatch(settings.silence_reprompt_secs, settings.silence_hangup_secs).attach(
        aggregators.user()
    )
    pipeline = Pipeline(assembly.processors)
    latency = UserBotLatencyObserver()
    worker = PipelineWorker(
        pipeline,
        params=PipelineParams(enable_metrics=True, enable_usage_metrics=True),
        observers=[latency, *observers],
        rtvi_processor=RTVIMessagesToOutput(stages.output),
        **worker_tracing(call),
    )
    lighten_observer_fanout(worker)
    follow_call(worker, call, stt, llm, tts)

    start_conversation = bookings.starter(llm, context, aggregators, worker)
    watch = next((p for p in assembly.processors if isinstance(p, EscalationWatch)), None)
    if watch is not None:
        watch.on_trigger = bookings.escalation
    recorder = next((p for p in assembly.processors if isinstance(p, ConversationRecorder)), None)
    report_switches(recorder, worker, llm, tts)

    start_when_caller_arrives(worker, transport, start_conversation)

    @transport.event_handler("on_client_disconnected")
    async def on_client_disconnected(transport, client):
        logger.info("Caller disconnected: ending the session")
        await worker.cancel()

    @latency.event_handler("on_latency_breakdown")
    async def on_latency_breakdown(observer, breakdown):
        for line in breakdown.turn_contribution_lines():
            logger.info(f"latency {line}")

    return worker, context


def llm_generative(settings: Settings, llm: object) -> Callable[[], bool] | None:
    """Whether the LLM answering now is generative (the on-device engine's tools are
    instant); None when no LLM of the chain is."""
    if all(name == "ondevice" for name in settings.llm_services):
        return None
    if isinstance(llm, FailoverMixin):
        return lambda: llm.active_name != "ondevice"
    return lambda: True


async def run_bot(
    transport: BaseTransport,
    settings: Settings,
    handle_sigint: bool = False,
    caller_phone: str | None = None,
):
    prepare_process()
    worker, _ = build_worker(transport, settings, caller_phone=caller_phone)
    await run_call(worker, handle_sigint=handle_sigint)
    logger.info("Session finished")


async def run_call(worker: PipelineWorker, handle_sigint: bool = False):
    """Run one call's worker to its end, then give back what it freed (app/upkeep.py)."""
    with call_in_progress():
        runner = WorkerRunner(handle_sigint=handle_sigint)
        await runner.add_workers(worker)
        await runner.run()


def transport_params() -> dict[str, Callable[[], TransportParams]]:
    """The parameters of each transport a caller can arrive by."""
    return {
        "webrtc": lambda: TransportParams(audio_in_enabled=True, audio_out_enabled=True),
        "daily": lambda: DailyParams(audio_in_enabled=True, audio_out_enabled=True),
        "eval": lambda: EvalTransportParams(audio_in_enabled=True, audio_out_enabled=True),
    }
