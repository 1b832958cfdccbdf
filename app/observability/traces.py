"""OpenTelemetry, when asked for: a TracerProvider exporting over OTLP/HTTP, handed to the core
(`whatsapp.kit.tracing`). Asked for = OTEL_EXPORTER_OTLP_ENDPOINT or WAGRAPH_OTEL_ENABLED set;
otherwise nothing here runs and tracing costs nothing.

The exporter reads the standard variables itself (OTEL_EXPORTER_OTLP_HEADERS for a collector
that needs a key, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, ...); the service is named by
OTEL_SERVICE_NAME, or `wagraph` for the server and `wagraph-worker` for a worker.
"""

from __future__ import annotations

import logging
import os

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

from app.settings import Settings
from whatsapp.kit import tracing

log = logging.getLogger("wagraph.tracing")

_configured: dict[str, TracerProvider] = {}


def start_tracing(settings: Settings, service: str) -> TracerProvider | None:
    """Once per process: the provider and its exporter (batched, in the background), or None
    when tracing is off. Spans still queued are flushed at exit (the SDK's atexit hook)."""
    if not settings.tracing_enabled:
        return None
    if "provider" in _configured:
        return _configured["provider"]
    provider = provider_with(_otlp_exporter(settings), service)
    _configured["provider"] = provider
    log.info("tracing: exporting spans over OTLP/HTTP as %s", _service_name(service))
    return provider


def stop_tracing() -> None:
    """Flush and stop the process's exporter (a worker's shutdown; tests)."""
    provider = _configured.pop("provider", None)
    if provider is not None:
        tracing.use_provider(None)
        provider.shutdown()


def provider_with(exporter: SpanExporter, service: str, *, batch: bool = True) -> TracerProvider:
    """A provider exporting to `exporter`, installed in the core (tests pass an in-memory one,
    unbatched, so spans are there as soon as they end)."""
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": _service_name(service)}))
    processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    tracing.use_provider(provider)
    return provider


def _otlp_exporter(settings: Settings) -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    traces_url = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    if traces_url is None and settings.otel_endpoint:
        # Set in .env, the variable is not in the environment the exporter reads.
        traces_url = f"{settings.otel_endpoint.rstrip('/')}/v1/traces"
    return OTLPSpanExporter(endpoint=traces_url)


def _service_name(default: str) -> str:
    return os.environ.get("OTEL_SERVICE_NAME") or default
