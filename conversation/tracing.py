"""Our own spans, where Pipecat has none: tool calls through the gate, failovers, state readings.

Pipecat traces the conversation, each turn and each service request when a worker runs
with `enable_tracing=True` (app/tracing.py turns that on). Our spans join the same trace:
a span started while another is current (a tool call inside Pipecat's `llm` span) is its
child; otherwise it goes under the call's current turn, or the last turn there was. Each
carries `call.id`, the id our log lines show the first 8 characters of.

Only a call marked with `trace_call` gets our spans; in any other call `call_span` costs a
context-variable read. Only OpenTelemetry's API is used here: without a tracer provider
(tracing off) every span is a no-op.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, Span, SpanContext

CALL_ID = "call.id"
TRACER = "voice_agent"


class CallTrace:
    """Where one call's spans go: its id and the turn Pipecat's observer has open."""

    def __init__(self, call_id: str, current_turn: Callable[[], SpanContext | None]):
        """
        Args:
            call_id: The call's id, as `conversation.call.Call.id`.
            current_turn: The open turn span's context (Pipecat's
                `TurnTraceObserver.get_current_turn_context`), or None between turns.
        """
        self.call_id = call_id
        self._current_turn = current_turn
        self._last_turn: SpanContext | None = None

    def parent(self) -> SpanContext | None:
        """The open turn or, between turns, the last one: never a new trace."""
        turn = self._current_turn()
        if turn is not None:
            self._last_turn = turn
        return self._last_turn


_trace: ContextVar[CallTrace | None] = ContextVar("call_trace", default=None)


def trace_call(call_trace: CallTrace) -> None:
    """Our spans in the running task, and every task it starts from now on, are this call's."""
    _trace.set(call_trace)


@contextmanager
def call_span(name: str, **attributes: Any) -> Iterator[Span | None]:
    """A span of the current call around the block (None when the call is not traced).

    An exception leaving the block is recorded on the span, redacted before export like
    every attribute."""
    call_trace = _trace.get()
    if call_trace is None:
        yield None
        return
    with _tracer().start_as_current_span(
        name, context=_parent(call_trace), attributes=_attributes(call_trace, attributes)
    ) as span:
        yield span


def record_span(name: str, duration_secs: float, **attributes: Any) -> None:
    """A span of the current call that ends now and lasted `duration_secs` (a failover,
    reported once it is over)."""
    call_trace = _trace.get()
    if call_trace is None:
        return
    end = time.time_ns()
    span = _tracer().start_span(
        name,
        context=_parent(call_trace),
        attributes=_attributes(call_trace, attributes),
        start_time=end - int(max(0.0, duration_secs) * 1e9),
    )
    span.end(end_time=end)


def _tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER)


def _parent(call_trace: CallTrace):
    current = trace.get_current_span()
    if current.is_recording():
        return None  # OpenTelemetry's current context: the open span is the parent
    turn = call_trace.parent()
    return trace.set_span_in_context(NonRecordingSpan(turn)) if turn is not None else None


def _attributes(call_trace: CallTrace, attributes: dict[str, Any]) -> dict[str, Any]:
    kept = {key: value for key, value in attributes.items() if value is not None}
    return {CALL_ID: call_trace.call_id, **kept}
