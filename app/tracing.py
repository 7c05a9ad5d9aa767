"""Opt-in OpenTelemetry tracing (docs/tracing.md): on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.

Pipecat traces the conversation, each turn and each service request of a worker built with
`enable_tracing=True`; we add the gate's tool calls, failovers and state readings
(conversation/tracing.py). Every span is redacted on its way out
(conversation/span_redaction.py). Tracing is process-wide, so it starts once, the first
time a call is built: under Pipecat's dev runner and under Pipecat Cloud's base image
alike (the latter calls `bot()` without running bot.py's `__main__`).
"""

from typing import Any

from loguru import logger
from pipecat.pipeline.worker import PipelineWorker
from pipecat.utils.tracing.setup import setup_tracing

from conversation.call import Call
from conversation.tracing import CallTrace, record_span, trace_call
from services.failover import FailoverMixin, Switch
from settings import Settings

_started = False
_installed = False
"""OpenTelemetry's tracer provider takes its span processors for the life of the process."""


def start_tracing(settings: Settings, exporter: Any = None, batch: bool = True) -> bool:
    """Install the process's tracer provider once; whether calls are traced.

    Args:
        settings: `OTEL_EXPORTER_OTLP_ENDPOINT` turns tracing on (OTLP over HTTP).
        exporter: Another span exporter instead (tests: an in-memory one). Only the first
            call that starts tracing chooses; later ones reuse it.
        batch: Export in the background in batches; False exports each span as it ends.
    """
    global _started, _installed
    if _started or (exporter is None and not settings.tracing):
        return _started
    if _installed:  # stopped and started again: the same exporter
        _started = True
        return True
    from opentelemetry import trace

    from conversation.span_redaction import CallSpanProcessor

    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        base = str(settings.otel_exporter_otlp_endpoint).rstrip("/")
        exporter = OTLPSpanExporter(endpoint=f"{base}/v1/traces")
    # Pipecat's own set-up: the tracer provider and its resource (service name, host).
    if not setup_tracing(settings.otel_service_name):
        return False
    trace.get_tracer_provider().add_span_processor(CallSpanProcessor(exporter, batch=batch))
    _started = _installed = True
    logger.info(f"Tracing on: spans go to {settings.otel_exporter_otlp_endpoint or exporter}")
    return True


def stop_tracing() -> None:
    """Calls built from now on are not traced (tests; the exporter stays installed)."""
    global _started
    _started = False


def worker_tracing(call: Call) -> dict[str, Any]:
    """A call's `PipelineWorker` arguments: traced when tracing started, under its id. Turn
    tracking only feeds the traces; untraced, its observer would still be handed every frame."""
    return {
        "enable_tracing": _started,
        "enable_turn_tracking": _started,
        "conversation_id": call.id,
    }


def follow_call(worker: PipelineWorker, call: Call, *stages) -> None:
    """Our spans in this task and the tasks it starts belong to `call`, under its turns;
    each switch of a fallback stage among `stages` becomes a `failover` span."""
    observer = worker.turn_trace_observer
    if observer is None:
        return
    trace_call(CallTrace(call.id, observer.get_current_turn_context))
    for stage in stages:
        if isinstance(stage, FailoverMixin):
            stage.add_event_handler("on_switch", _switch_span)


async def _switch_span(stage, switch: Switch):
    record_span(
        "failover",
        # A recovery's duration is how long the service was off, not part of this turn.
        switch.duration_secs if switch.kind == "failover" else 0.0,
        **{
            "failover.stage": switch.stage,
            "failover.kind": switch.kind,
            "failover.from": switch.from_service,
            "failover.to": switch.to_service,
            "failover.reason": switch.reason,
            "failover.answered_secs": switch.answered_secs,
        },
    )
