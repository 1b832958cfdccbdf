"""The HTTP face of an outage: what the server answers while the database is away, and what
`/readyz` says about the database, Redis and the workers.

A request that fails because PostgreSQL cannot be reached is answered 503 with `Retry-After`
(clients and load balancers retry; Meta retries a webhook), in JSON on GraphQL and `/readyz`
— never a plain-text 500. Whether a failure was an outage is decided by the exception when
we see it (`whatsapp.kit.outages.is_database_outage`), or, for GraphQL errors the schema has
already masked, by asking the database (`DatabaseProbe`, at most once a second).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise import Tortoise

from jobs.watch import Sighting, WorkerWatch
from whatsapp.kit.outages import is_database_outage
from whatsapp.messages import scheduling

log = logging.getLogger("wagraph.server")

UNAVAILABLE = "The database is unavailable; retry shortly."
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
PROBE_TIMEOUT_S = 2.0


def graphql_unavailable_body() -> dict[str, Any]:
    return {
        "data": None,
        "errors": [{"message": UNAVAILABLE, "extensions": {"code": SERVICE_UNAVAILABLE}}],
    }


def _codes(data: object) -> list[object]:
    errors = data.get("errors") if isinstance(data, dict) else None
    return [
        (e.get("extensions") or {}).get("code") if isinstance(e, dict) else None
        for e in errors or []
    ]


def has_error_code(data: object, code: str) -> bool:
    return code in _codes(data)


def is_unavailable_body(data: object) -> bool:
    codes = _codes(data)
    return bool(codes) and all(code == SERVICE_UNAVAILABLE for code in codes)


def graphql_unavailable(retry_after_s: int) -> JSONResponse:
    return JSONResponse(
        graphql_unavailable_body(),
        status_code=503,
        headers={"Retry-After": str(retry_after_s)},
    )


async def database_answers(timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """`SELECT 1` within `timeout_s`."""
    try:
        async with asyncio.timeout(timeout_s):
            await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception:
        return False
    return True


class DatabaseProbe:
    """`down()`: whether the database answers, asked at most every `every_s` seconds (many
    requests failing at once during an outage share one probe)."""

    def __init__(self, every_s: float = 1.0) -> None:
        self.every_s = every_s
        self._checked_at = float("-inf")
        self._down = False
        self._lock = asyncio.Lock()

    async def down(self) -> bool:
        async with self._lock:
            if time.monotonic() - self._checked_at >= self.every_s:
                self._down = not await database_answers()
                self._checked_at = time.monotonic()
            return self._down


class DatabaseOutageGuard:
    """Around an ASGI app (GraphQL, behind its key check): an exception that is a database
    outage, raised before the response started, is answered 503 JSON with Retry-After."""

    def __init__(self, app: ASGIApp, *, retry_after_s: int) -> None:
        self.app = app
        self.retry_after_s = retry_after_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if started or not is_database_outage(exc):
                raise
            log.warning("answered 503: the database is unreachable (%s)", exc)
            await graphql_unavailable(self.retry_after_s)(scope, receive, send)


async def readiness(
    watch: WorkerWatch | None, *, timeout_s: float, retry_after_s: int
) -> JSONResponse:
    """/readyz: 200 when the database answers (with what is known of Redis and the
    workers, and a warning when scheduled work waits on a worker nobody has seen); else 503."""
    if not await database_answers():
        log.warning("readiness check failed: the database does not answer")
        return JSONResponse(
            {"status": "unavailable", "database": "down"},
            status_code=503,
            headers={"Retry-After": str(retry_after_s)},
        )
    try:
        due = await scheduling.count_due()
    except Exception as exc:  # gone between the two statements: the same outage
        if not is_database_outage(exc):
            raise
        return JSONResponse(
            {"status": "unavailable", "database": "down"},
            status_code=503,
            headers={"Retry-After": str(retry_after_s)},
        )
    body: dict[str, Any] = {"status": "ready", "database": "up", "scheduled_due": due}
    if watch is None:
        body |= {"redis": "not configured", "worker": {"seen": False, "last_seen_s": None}}
        body["warnings"] = []
        return JSONResponse(body)
    sighting = await watch.look()
    body["redis"] = sighting.redis
    body["worker"] = {"seen": sighting.seen, "last_seen_s": sighting.last_seen_s}
    warning = worker_warning(sighting, due=due, timeout_s=timeout_s)
    body["warnings"] = [warning] if warning else []
    return JSONResponse(body)


def worker_warning(sighting: Sighting, *, due: int, timeout_s: float) -> str | None:
    """The warning for /readyz and the banner: scheduled messages are due and no worker has
    been seen lately (or Redis, through which workers get their work, is down)."""
    if due <= 0:
        return None
    if sighting.redis == "down":
        absent = "Redis is unreachable, so no worker can send them"
    elif sighting.last_seen_s is None:
        absent = "no worker has been seen"
    elif sighting.last_seen_s >= timeout_s:
        absent = f"no worker has been seen for {sighting.last_seen_s:.0f}s"
    else:
        return None
    who = (
        "this server is sending them"
        if sighting.sweeping
        else "start `wagraph worker` (this server sends them itself after "
        f"WAGRAPH_WORKER_TIMEOUT, {timeout_s:g}s, when its background work runs)"
    )
    return f"{due} scheduled messages are due and {absent}: {who}"
