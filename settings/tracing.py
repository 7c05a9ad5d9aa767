"""Opt-in OpenTelemetry tracing (docs/tracing.md).

A mixin of `Settings`: tracing is on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. The
names are OpenTelemetry's own, so a collector's usual configuration works unchanged.
"""

from pydantic import AnyHttpUrl, BaseModel


class TracingSettings(BaseModel):
    """Mixed into `Settings`."""

    # An OTLP/HTTP collector's base URL, e.g. http://otel-collector:4318; spans go to
    # <url>/v1/traces. Unset: no tracing, and nothing of OpenTelemetry's runs.
    otel_exporter_otlp_endpoint: AnyHttpUrl | None = None
    # The `service.name` of every span.
    otel_service_name: str = "voice-agent"

    @property
    def tracing(self) -> bool:
        return self.otel_exporter_otlp_endpoint is not None
