"""The composition root of the HTTP server: routes, lifespan, and the guards around GraphQL."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType
from tortoise import Tortoise

from app.bearer import bearer
from app.db import close_db, init_db
from app.dev_flows import flows_keys
from app.graphiql import dev_ide_key, with_key
from app.observability.http import MetricsEndpoint, RequestIds
from app.observability.traces import start_tracing
from app.outages import (
    DatabaseOutageGuard,
    DatabaseProbe,
    graphql_unavailable_body,
    has_error_code,
    is_unavailable_body,
    readiness,
)
from app.runtime import build_runtime, live_broker
from app.settings import Settings, get_settings
from app.socket_keys import KeyCheckingHandler
from dashboard import routes as dashboard_routes
from dashboard.media import MediaRoute
from jobs.inprocess import BackgroundWork
from jobs.queue import JobQueue
from schema.context import Context
from schema.root import build_schema
from webhooks.bodies import Door, UnverifiedBudget
from webhooks.flows import FlowsRoute
from webhooks.whatsapp import WhatsAppWebhook
from whatsapp.access.cache import KeyCache
from whatsapp.access.feed import KeyChangeFeed
from whatsapp.flows.endpoint import FlowEndpoint
from whatsapp.kit import json_depth
from whatsapp.live.hub import Hub

log = logging.getLogger("wagraph.server")


@dataclass(slots=True)
class SocketContext(Context):
    """A websocket's context: `connection_init`'s payload is where a browser puts its key."""

    connection_params: dict[str, Any] | None = None


class GraphQLApp(GraphQL[Context, None]):
    # Sockets re-check their key before each operation and every `keys.ttl_s` (socket_keys).
    graphql_transport_ws_handler_class = KeyCheckingHandler

    def __init__(self, schema: Any, settings: Settings, keys: KeyCache) -> None:
        super().__init__(
            schema,
            # Without GraphiQL a browser's GET /graphql is a 404 like any unknown page.
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            multipart_uploads_enabled=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=settings.live_max_subscriptions,
            connection_init_wait_timeout=timedelta(seconds=10),
        )
        self.settings = settings
        self.keys = keys
        self.database = DatabaseProbe()

    def decode_json(self, data: str | bytes) -> object:
        """Every JSON the view reads (bodies, query parameters, websocket messages): orjson,
        after a pre-scan bounding its nesting (`json_depth`), so a deep document is refused
        before anything recurses through it. Too deep is a JSONDecodeError: a websocket
        message is refused as invalid JSON."""
        return json_depth.loads(data, max_depth=self.settings.max_json_depth)

    def parse_json(self, data: str | bytes) -> Any:
        """An HTTP body or query parameter: too deep is answered 400 with a JSON error (by
        BodyLimit); any other error is strawberry's own 400."""
        try:
            return self.decode_json(data)
        except json_depth.JsonTooDeep as exc:
            raise _BodyTooDeep(exc) from exc
        except ValueError:
            return super().parse_json(data)

    async def parse_multipart(self, request: Any) -> dict[str, str]:
        """An upload whose operations are refused still has its files closed."""
        try:
            return await super().parse_multipart(request)
        except _BodyTooDeep:
            await (await request.get_form_data()).form.close()
            raise

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        """An HTTP response within `max_response_bytes`, or an error that says it is not.

        The query cost bounds how many values a response holds, not how long each is (a
        message's payload, a dead letter's raw item): this bounds what is sent.

        A result that failed because the database is away (`process_result`) is a 503 with
        Retry-After, so clients retry rather than take it for a bug."""
        if is_unavailable_body(response_data):
            sub_response.status_code = 503
            sub_response.headers["Retry-After"] = str(self.settings.retry_after_s)
        response = super().create_response(response_data, sub_response)
        size, limit = len(response.body), self.settings.max_response_bytes
        if size > limit:
            log.warning("refused a %d-byte GraphQL response (limit %d)", size, limit)
            too_large = {
                "data": None,
                "errors": [
                    {
                        "message": f"The response would be {size:,} bytes, more than the "
                        f"{limit:,} allowed: ask for fewer items or fields.",
                        "extensions": {
                            "code": "RESPONSE_TOO_LARGE",
                            "bytes": size,
                            "maxBytes": limit,
                        },
                    }
                ],
            }
            response = super().create_response(too_large, sub_response)  # type: ignore[arg-type]
        return response

    async def process_result(self, request: Any, result: Any) -> GraphQLHTTPResponse:
        """An operation whose unexpected errors came while the database does not answer
        failed for that reason: SERVICE_UNAVAILABLE instead of INTERNAL_SERVER_ERROR (the
        schema has masked the original error by now, so the database is asked, at most once
        a second across requests)."""
        data = await super().process_result(request, result)
        if has_error_code(data, "INTERNAL_SERVER_ERROR") and await self.database.down():
            return graphql_unavailable_body()  # type: ignore[return-value]
        return data

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL, signed in with the development key when there is one (`dev_ide_key`), so
        its schema docs and autocomplete work on first load instead of a 401."""
        key = dev_ide_key(self.settings, request)
        if key is None:
            return HTMLResponse(self.graphql_ide_html)
        return HTMLResponse(
            with_key(self.graphql_ide_html, key), headers={"Cache-Control": "no-store"}
        )

    async def get_context(self, request: Request | WebSocket, response: Any = None) -> Context:
        kind = SocketContext if isinstance(request, WebSocket) else Context
        return kind(
            request=request,
            response=response,
            runtime=request.app.state.runtime,
            api_key=request.scope.get("state", {}).get("api_key"),
            max_upload_bytes=self.settings.max_upload_bytes,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """graphql-transport-ws: the key comes in `connection_init` (`{"Authorization":
        "Bearer <key>"}` or `{"apiKey": "<key>"}`) unless the upgrade request carried it;
        without a valid one the socket is closed with 4403 Forbidden."""
        if context.api_key is None:
            params = getattr(context, "connection_params", None) or {}
            token = bearer(_text(params.get("Authorization") or params.get("authorization")))
            token = token or _text(params.get("apiKey"))
            context.api_key = await self.keys.authenticate(token)
            if context.api_key is None:
                raise ConnectionRejectionError()
        return await super().on_ws_connect(context)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _unauthenticated(message: str) -> JSONResponse:
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="wagraph"'},
    )


class ApiKeyGate:
    """Every GraphQL request needs a valid API key; only the GraphiQL page itself is open.
    Keys are checked through the process's `KeyCache`: most requests run no key query."""

    def __init__(self, app: ASGIApp, keys: KeyCache) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if scope["type"] == "http" and _is_ide_page(scope, headers):
            await self.app(scope, receive, send)
            return
        token = bearer(headers.get(b"authorization", b"").decode("latin-1") or None)
        if scope["type"] == "websocket" and token is None:
            # Browsers cannot set headers on a websocket: the key comes in connection_init.
            await self.app(scope, receive, send)
            return
        key = await self.keys.authenticate(token)
        if key is None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4401})
                return
            message = "Missing API key" if token is None else "Invalid, revoked or expired API key"
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
        except _BodyTooDeep as exc:
            await _too_deep(exc.cause)(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


class _BodyTooDeep(Exception):
    def __init__(self, cause: json_depth.JsonTooDeep) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _too_deep(cause: json_depth.JsonTooDeep) -> JSONResponse:
    return JSONResponse(
        {
            "data": None,
            "errors": [
                {
                    "message": f"Request body refused: {cause}",
                    "extensions": {
                        "code": "INVALID_INPUT",
                        "depth": cause.depth,
                        "maxDepth": cause.limit,
                    },
                }
            ],
        },
        status_code=400,
    )


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
    """Ready (200) when the database answers, else 503 with Retry-After: a load balancer
    should stop sending. The body tells Redis and the workers apart (`app.outages`)."""
    background: BackgroundWork = request.app.state.background
    return await readiness(
        background.watch,
        timeout_s=background.settings.worker_timeout_s,
        retry_after_s=background.settings.retry_after_s,
    )


def _graphql_app(settings: Settings, keys: KeyCache) -> ASGIApp:
    """/graphql: bounded bodies, a database outage answered 503, a key, then the schema."""
    schema = build_schema(
        max_depth=settings.max_query_depth,
        max_tokens=settings.max_query_tokens,
        max_cost=settings.max_query_cost,
        introspection=settings.introspection_enabled,
    )
    return BodyLimit(
        DatabaseOutageGuard(
            ApiKeyGate(GraphQLApp(schema, settings, keys), keys),
            retry_after_s=settings.retry_after_s,
        ),
        max_bytes=settings.max_body_bytes,
        max_multipart_bytes=settings.max_upload_bytes + 64 * 1024,
    )


def create_app(settings: Settings | None = None) -> Starlette:
    """The ASGI app. It opens the database unless the process already has (`wagraph serve`,
    tests), and then leaves closing it to whoever opened it."""
    settings = settings or get_settings()
    start_tracing(settings, "wagraph")
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    background = BackgroundWork(settings)
    # One budget for every body read before its signature is checked (webhooks and Flows).
    unverified = UnverifiedBudget(
        max(
            settings.unverified_body_budget_bytes,
            settings.max_webhook_bytes,
            settings.max_flow_request_bytes,
        )
    )
    webhook = WhatsAppWebhook(
        verify_token=settings.verify_token,
        app_secret=settings.app_secret or "",
        door=Door(settings.max_webhook_bytes, unverified, settings.unverified_body_timeout_s),
        max_json_depth=settings.max_json_depth,
        delivery_arrived=background.delivery_arrived,
        retry_after_s=settings.retry_after_s,
    )
    flows = FlowsRoute(
        FlowEndpoint(
            keys=flows_keys(settings),
            app_secret=settings.app_secret or "",
            token_ttl=timedelta(days=settings.flow_token_ttl_days),
        ),
        door=Door(settings.max_flow_request_bytes, unverified, settings.unverified_body_timeout_s),
        retry_after_s=settings.retry_after_s,
    )
    keys = KeyCache(ttl_s=settings.key_cache_ttl_s, max_entries=settings.key_cache_size)
    graphql = _graphql_app(settings, keys)
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *webhook.routes(),
            *flows.routes(),
            *dashboard_routes.routes(settings.dashboard_enabled),
            *MediaRoute.configured(keys, settings).routes(),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            MetricsEndpoint(token, settings.metrics_db_timeout_s).route(),
        ],
        middleware=[Middleware(RequestIds)],
        lifespan=_lifespan(settings, background),
    )
    app.state.background = background
    app.state.keys = keys
    return app


def _lifespan(
    settings: Settings, background: BackgroundWork
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """Start: the database, the job queue (with Redis), the runtime, the background work.
    Stop: the same, in reverse."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owns_db = not Tortoise._inited
        await init_db(settings.database_url)
        queue = (
            await JobQueue.connect(settings.redis_url, settings.queue_name)
            if settings.redis_url
            else None
        )
        # With Redis, arq workers own scheduled delivery (booked per message through the
        # queue); without it, the background work here does it.
        app.state.runtime = build_runtime(
            settings, on_scheduled=queue.schedule_delivery if queue else None
        )
        background.start(app.state.runtime)
        app.state.live_hub = Hub(max_queue=settings.live_queue_size)
        live = live_broker(settings, app.state.live_hub)
        await live.start()
        # With Redis, revokes and scope changes reach every process's key cache at once.
        key_feed = (
            KeyChangeFeed(settings.redis_url, channel=settings.key_changes_channel)
            if settings.redis_url
            else None
        )
        if key_feed is not None:
            await key_feed.start()
        try:
            yield
        finally:
            if key_feed is not None:
                await key_feed.aclose()
            await live.aclose()
            await background.stop()
            await app.state.runtime.aclose()
            if queue is not None:
                await queue.aclose()
            if owns_db:
                await close_db()

    return lifespan
