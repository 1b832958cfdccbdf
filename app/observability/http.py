"""The server's side of observability: a request id on every request, and `GET /metrics`.

Request ids: a sane `X-Request-Id` from the client or the proxy is kept (so a line in a
proxy's log finds ours), anything else is replaced by a fresh one; it is bound for every log
line of the request (the Cloud API call's included) and echoed in the response. With tracing
on, each request is also a server span, continuing a W3C `traceparent` when one came in.

`/metrics`: prometheus_client's default registry (what this process counted) plus the backlog
gauges, read from the database at scrape time within `WAGRAPH_METRICS_DB_TIMEOUT` — a slow
database gives a scrape without them (`wagraph_backlog_up 0`), never a hung one. With
WAGRAPH_METRICS_TOKEN set it needs `Authorization: Bearer <token>` (401 otherwise).
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.bearer import presents
from whatsapp.backlog import Backlog, read_backlog
from whatsapp.kit import log_context, tracing

log = logging.getLogger("wagraph.metrics")
client_log = logging.getLogger("wagraph.graphql")

HEADER = b"x-request-id"
# Long enough for any tracing header's id, no spaces, quotes or newlines to forge a log line.
SANE_ID = re.compile(rb"[A-Za-z0-9._:+=/-]{1,128}")
_ROUTES = ("/graphql", "/webhooks/whatsapp", "/healthz", "/readyz", "/metrics")


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's id when it is sane, else a new one."""
    for name, value in headers:
        if name == HEADER and SANE_ID.fullmatch(value):
            return value.decode("ascii")
    return uuid.uuid4().hex


class RequestIds:
    """Binds the request id (and, with tracing on, a server span) around each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope.get("headers") or [])
        encoded = request_id.encode("ascii")
        status: list[int] = []

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                message["headers"] = [*message.get("headers", []), (HEADER, encoded)]
            await send(message)

        with log_context.bound(request_id=request_id):
            if not tracing.enabled():
                await self.app(scope, receive, send_with_id)
            else:
                with _server_span(scope, request_id) as span:
                    await self.app(scope, receive, send_with_id)
                    if span is not None and status:
                        span.set_attribute("http.response.status_code", status[0])
                        if status[0] >= 500:
                            tracing.failed(span, f"HTTP {status[0]}")
            if status and 400 <= status[0] < 500 and scope.get("path") == "/graphql":
                # Refused before GraphQL ran (no key, too large, not JSON): one line, as for
                # the errors GraphQL itself answers (`schema.observability`).
                client_log.info(
                    "client error HTTP %d on %s /graphql (request %s)",
                    status[0],
                    scope.get("method"),
                    request_id,
                )


def _server_span(scope: Scope, request_id: str) -> tracing.SpanScope:
    from opentelemetry.propagate import extract
    from opentelemetry.trace import SpanKind

    carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers") or []}
    path: str = scope.get("path", "")
    route = path if path in _ROUTES else "/flows/{flow}" if path.startswith("/flows/") else ""
    method = scope.get("method", "WEBSOCKET")
    return tracing.span(
        f"{method} {route}".strip(),
        kind=SpanKind.SERVER,
        parent=extract(carrier),
        attributes={
            "http.request.method": method,
            "url.path": path,
            "wagraph.request_id": request_id,
        },
    )


class MetricsEndpoint:
    """`GET /metrics` in Prometheus' text format."""

    def __init__(self, token: str | None, db_timeout_s: float) -> None:
        self.token = token.encode() if token else None
        self.db_timeout_s = db_timeout_s

    def route(self, path: str = "/metrics") -> Route:
        return Route(path, self.respond, methods=["GET"])

    async def respond(self, request: Request) -> Response:
        if self.token is not None and not self._authorized(request):
            return JSONResponse(
                {"error": "unauthorized", "message": "GET /metrics needs WAGRAPH_METRICS_TOKEN"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="wagraph-metrics"'},
            )
        backlog = await self._backlog()
        scrape = CollectorRegistry(auto_describe=False)
        scrape.register(BacklogCollector(backlog))
        body = generate_latest(REGISTRY) + generate_latest(scrape)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    def _authorized(self, request: Request) -> bool:
        assert self.token is not None
        return presents(request.headers.get("authorization"), self.token)

    async def _backlog(self) -> Backlog | None:
        try:
            return await asyncio.wait_for(read_backlog(), self.db_timeout_s)
        except Exception as exc:  # a slow or absent database: the rest of the scrape still counts
            log.warning("metrics: backlog not read (%s)", type(exc).__name__)
            return None


class BacklogCollector(Collector):
    """The backlog gauges of one scrape."""

    def __init__(self, backlog: Backlog | None) -> None:
        self.backlog = backlog

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "wagraph_backlog_up",
            "1 when the backlog gauges below were read from the database for this scrape.",
            value=0 if self.backlog is None else 1,
        )
        if self.backlog is None:
            return
        scheduled, inbox = self.backlog.scheduled_due, self.backlog.inbox_pending
        for name, help_text, value in (
            ("wagraph_scheduled_due", "Scheduled messages due and not sent yet.", scheduled.count),
            (
                "wagraph_scheduled_lateness_seconds",
                "How late the oldest due scheduled message is (0 when none is due).",
                scheduled.oldest_age_s,
            ),
            (
                "wagraph_webhook_inbox_pending",
                "Webhook deliveries acknowledged to Meta and not processed yet.",
                inbox.count,
            ),
            (
                "wagraph_webhook_inbox_oldest_age_seconds",
                "Age of the oldest pending webhook delivery (0 when none).",
                inbox.oldest_age_s,
            ),
        ):
            yield GaugeMetricFamily(name, help_text, value=value)
