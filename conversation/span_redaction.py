"""Every span leaves the process with the same redaction as the log lines.

Pipecat's spans carry what the caller said (`transcript`), the LLM's whole context
(`input`/`messages`), its replies (`output`), the text spoken and tool arguments. A span
is tagged when it starts, in the task that starts it, with the call it belongs to
(`call.id`, from the context variable the log lines use, conversation/logs.py) and that
call's redactor; when it is exported, in OpenTelemetry's export thread rather than on
the event loop, every string in its attributes, its events (a recorded exception's
message and traceback) and its status is redacted by that redactor, which by then also
knows the names and numbers the call's state extractor has read.
"""

from collections.abc import Callable, Sequence
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import Status

from conversation.logs import current_call, current_redactor
from conversation.network_redaction import redact_network, redact_peer_connection_ids
from conversation.redaction import Redactor
from conversation.tracing import CALL_ID

KEPT = frozenset({CALL_ID, "conversation.id", "tools"})
"""Attributes kept as they are: our own ids (a hex id is not a phone number) and the tool
schemas the LLM is given, which are code (`"name": "end_call"` is not a person)."""


class CallSpanProcessor(SpanProcessor):
    """Tags each span with its call and exports it redacted by that call's redactor."""

    def __init__(self, exporter: SpanExporter, batch: bool = True):
        """
        Args:
            exporter: Where spans go (OTLP in production, in memory in tests).
            batch: Export in the background in batches (OpenTelemetry's
                `BatchSpanProcessor`); False exports each span as it ends (tests).
        """
        self._redactors: dict[int, Redactor] = {}
        """Span id -> the redactor of the call it started in, until it is exported."""
        redacting = RedactingSpanExporter(exporter, self._redactor_for)
        self._export = BatchSpanProcessor(redacting) if batch else SimpleSpanProcessor(redacting)

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        call = current_call()
        if call is not None:
            span.set_attribute(CALL_ID, call.id)
        self._redactors[span.context.span_id] = current_redactor()
        self._export.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        self._export.on_end(span)

    def shutdown(self) -> None:
        self._export.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._export.force_flush(timeout_millis)

    def _redactor_for(self, span: ReadableSpan) -> Redactor:
        redactor = self._redactors.pop(span.context.span_id, None)
        return redactor if redactor is not None else current_redactor()


class RedactingSpanExporter(SpanExporter):
    """Hands `exporter` a redacted copy of each span."""

    def __init__(self, exporter: SpanExporter, redactor_for: Callable[[ReadableSpan], Redactor]):
        """
        Args:
            exporter: The exporter that sends the spans on.
            redactor_for: The redactor for a span (its call's).
        """
        self._exporter = exporter
        self._redactor_for = redactor_for

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self._exporter.export([redacted(s, self._redactor_for(s)) for s in spans])

    def shutdown(self) -> None:
        self._exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._exporter.force_flush(timeout_millis)


def redacted(span: ReadableSpan, redactor: Redactor) -> ReadableSpan:
    """A copy of `span` whose strings hold no personal data or network secrets."""
    status = span.status
    if status.description:
        status = Status(status.status_code, _text(status.description, redactor))
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=_attributes(span.attributes, redactor),
        events=[
            Event(e.name, _attributes(e.attributes, redactor), e.timestamp) for e in span.events
        ],
        links=span.links,
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def _attributes(attributes: Any, redactor: Redactor) -> dict[str, Any]:
    return {
        key: value if key in KEPT else _value(value, redactor)
        for key, value in (attributes or {}).items()
    }


def _value(value: Any, redactor: Redactor) -> Any:
    if isinstance(value, str):
        return _text(value, redactor)
    if isinstance(value, (tuple, list)):
        return tuple(_text(v, redactor) if isinstance(v, str) else v for v in value)
    return value


def _text(text: str, redactor: Redactor) -> str:
    return redactor.redact_log(redact_peer_connection_ids(redact_network(text)))
