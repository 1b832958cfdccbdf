"""OpenTelemetry spans for the core, through opentelemetry-api only.

Tracing is off until the composition root hands over a tracer provider (`use_provider`, when
an exporter is configured); until then `span` yields None and costs a global read — no
OpenTelemetry object is made. The provider is ours, not the global one, so tests can install
an in-memory one and take it back.

A webhook's delivery is processed after its POST was answered, by another task: the POST's
context is kept by delivery id (`remember`) and picked up by the processing (`recall`), which
makes its span a child of the POST's, in the same process. A delivery processed elsewhere (a
retry by the sweep, another process) starts a trace of its own.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager

from opentelemetry import context as otel_context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer, TracerProvider
from opentelemetry.util.types import AttributeValue

_state: dict[str, Tracer | None] = {"tracer": None}
# Contexts of acknowledged webhook POSTs not yet processed; bounded, oldest dropped first.
_deliveries: OrderedDict[uuid.UUID, otel_context.Context] = OrderedDict()
MAX_REMEMBERED = 10_000


# The parent of a span that starts a trace of its own, whatever the task's context holds.
NEW_TRACE = otel_context.Context()


def use_provider(provider: TracerProvider | None) -> None:
    """Trace through `provider` from now on (None: stop tracing)."""
    _state["tracer"] = provider.get_tracer("wagraph") if provider is not None else None
    _deliveries.clear()


def enabled() -> bool:
    return _state["tracer"] is not None


@contextmanager
def span(
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, AttributeValue] | None = None,
    parent: otel_context.Context | None = None,
) -> Iterator[Span | None]:
    """A span around the block, current inside it (its children nest); None when tracing is
    off. An exception leaving the block is recorded on it and marks it failed."""
    tracer = _state["tracer"]
    if tracer is None:
        yield None
        return
    with tracer.start_as_current_span(
        name, context=parent, kind=kind, attributes=attributes
    ) as current:
        yield current


def failed(current: Span | None, description: str) -> None:
    """Mark a span failed without an exception (an error answer that is returned, not raised)."""
    if current is not None:
        current.set_status(Status(StatusCode.ERROR, description[:200]))


def remember(delivery_id: uuid.UUID) -> None:
    """Keep the current context (a webhook POST's) for the delivery's processing."""
    if _state["tracer"] is None:
        return
    _deliveries[delivery_id] = otel_context.get_current()
    while len(_deliveries) > MAX_REMEMBERED:
        _deliveries.popitem(last=False)


def recall(delivery_id: uuid.UUID) -> otel_context.Context | None:
    """The context `remember` kept for this delivery (once), or None."""
    if not _deliveries:
        return None
    return _deliveries.pop(delivery_id, None)


SpanScope = AbstractContextManager[Span | None]
