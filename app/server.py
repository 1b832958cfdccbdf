"""The composition root of the HTTP server: routes, lifespan, and the guards around GraphQL."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from tortoise import Tortoise

from app.db import close_db, init_db
from app.settings import Settings, get_settings
from jobs.inprocess import BackgroundWork
from jobs.queue import JobQueue
from schema.context import Context
from schema.root import build_schema
from webhooks import whatsapp as webhooks
from whatsapp.access import api_keys
from whatsapp.cloud.client import CloudClient, CloudConfig
from whatsapp.cloud.ratelimit import build_limiter
from whatsapp.runtime import Runtime, ScheduleHook

log = logging.getLogger("wagraph.server")


def cloud_config(settings: Settings) -> CloudConfig:
    return CloudConfig(
        base_url=settings.graph_base_url,
        version=settings.graph_api_version,
        access_token=settings.meta_access_token.get_secret_value(),
        timeout_s=settings.http_timeout_s,
        max_connections=settings.http_max_connections,
        max_attempts=settings.cloud_max_attempts,
        backoff_base_s=settings.cloud_backoff_base_s,
        backoff_max_s=settings.cloud_backoff_max_s,
    )


def build_runtime(settings: Settings, *, on_scheduled: ScheduleHook | None = None) -> Runtime:
    return Runtime(
        cloud=CloudClient(cloud_config(settings)),
        phone_number_id=settings.meta_phone_number_id,
        business_id=settings.meta_business_id,
        enforce_service_window=settings.enforce_service_window,
        http=httpx.AsyncClient(timeout=settings.automation_webhook_timeout_s),
        webhook_signing_secret=settings.automation_webhook_secret.get_secret_value(),
        limiter=build_limiter(settings.rate_limit_mps, settings.redis_url),
        on_scheduled=on_scheduled,
        max_attempts=settings.scheduled_max_attempts,
        lease_recovery=settings.lease_recovery,
    )


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, schema: Any, settings: Settings) -> None:
        super().__init__(schema, graphql_ide="graphiql", multipart_uploads_enabled=True)
        self.settings = settings

    async def get_context(self, request: Request | WebSocket, response: Any = None) -> Context:
        return Context(
            request=request,
            response=response,
            runtime=request.app.state.runtime,
            api_key=request.scope.get("state", {}).get("api_key"),
            max_upload_bytes=self.settings.max_upload_bytes,
        )


def _bearer(value: str | None) -> str | None:
    if value and value[:7].lower() == "bearer ":
        return value[7:].strip()
    return None


def _unauthenticated(message: str) -> JSONResponse:
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="wagraph"'},
    )


class ApiKeyGate:
    """Every GraphQL request needs a valid API key; only the GraphiQL page itself is open."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if scope["type"] == "http" and _is_ide_page(scope, headers):
            await self.app(scope, receive, send)
            return
        token = _bearer(headers.get(b"authorization", b"").decode("latin-1") or None)
        key = await api_keys.authenticate(token)
        if key is None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4401})
                return
            message = "Missing API key" if token is None else "Invalid or revoked API key"
            await _unauthenticated(message)(scope, receive, send)
            return
        scope.setdefault("state", {})["api_key"] = key
        await self.app(scope, receive, send)


def _is_ide_page(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    return (
        scope["method"] == "GET"
        and b"text/html" in headers.get(b"accept", b"")
        and not scope.get("query_string")
    )


class BodyLimit:
    """Refuse oversized bodies with 413 before they are read into memory."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_multipart_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_multipart_bytes = max_multipart_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = self.max_multipart_bytes if multipart else self.max_bytes
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _BodyTooLarge:
            await _too_large(limit)(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        {
            "errors": [
                {
                    "message": f"Request body exceeds {limit} bytes",
                    "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                }
            ]
        },
        status_code=413,
    )


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Ready when the database answers; a load balancer should stop sending otherwise."""
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as exc:
        log.warning("readiness check failed: %s", exc)
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ready", "database": "up"})


def create_app(settings: Settings | None = None, *, manage_db: bool = True) -> Starlette:
    """The ASGI app. `manage_db=False` when the caller (a test) owns the Tortoise connection."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db:
            await init_db(settings.database_url)
        queue = (
            await JobQueue.connect(settings.redis_url, settings.queue_name)
            if settings.redis_url
            else None
        )
        app.state.runtime = build_runtime(
            settings, on_scheduled=queue.schedule_delivery if queue else None
        )
        # With Redis, arq workers own scheduled delivery; without it, this process does.
        app.state.background = BackgroundWork(
            app.state.runtime,
            sweep_interval_s=settings.background_interval_s,
            scheduled=queue is None,
            batch=settings.scheduled_batch,
            concurrency=settings.scheduled_concurrency,
        )
        if settings.background_interval_s > 0:
            app.state.background.start()
        try:
            yield
        finally:
            await app.state.background.stop()
            await app.state.runtime.aclose()
            if queue is not None:
                await queue.aclose()
            if manage_db:
                await close_db()

    schema = build_schema(max_depth=settings.max_query_depth, max_tokens=settings.max_query_tokens)
    graphql: ASGIApp = BodyLimit(
        ApiKeyGate(GraphQLApp(schema, settings)),
        max_bytes=settings.max_body_bytes,
        max_multipart_bytes=settings.max_upload_bytes + 64 * 1024,
    )
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/webhooks/whatsapp", webhooks.verify, methods=["GET"]),
            Route("/webhooks/whatsapp", webhooks.receive, methods=["POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
