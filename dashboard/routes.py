"""`GET /dashboard` (the page) and `/dashboard/assets/…` (its scripts, styles and vendored
libraries), from `dashboard/static/`. No build step and no CDN: the files in the repository
are the files the browser gets, so the dashboard works offline.

Every answer here carries a strict Content-Security-Policy: the page runs only its own files
(no inline script or style, nothing from elsewhere), talks only to this server (HTTP and its
websocket), shows images only from here or from the blob/data URLs it makes of fetched media,
and cannot be framed. A page that holds an API key must not run anything it did not ship."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC = Path(__file__).parent / "static"
_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
)
# A Host header fit to be named in the policy (anything else is left out, 'self' remains).
_HOST = re.compile(r"[A-Za-z0-9.-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")
PAGE_CACHE = "no-cache"
# The files are not fingerprinted (no build step): a browser that kept app.js for minutes
# after an upgrade would run it against the new page. `no-cache` with the ETag StaticFiles
# sends keeps them cached yet revalidated on each load: a 304 when unchanged, never stale.
ASSET_CACHE = "public, no-cache"


def content_security_policy(host: str | None) -> str:
    """The page's policy. `connect-src` names this host's ws:// and wss:// beside 'self':
    CSP 3 lets 'self' match the websocket of the same origin, but older browsers (Safari
    before 15.4, Firefox before 117) do not, and the dashboard's live updates need it."""
    connect = "connect-src 'self'"
    if host and _HOST.fullmatch(host):
        connect += f" ws://{host} wss://{host}"
    return "; ".join((*_POLICY, connect))


def security_headers(host: str | None) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(host),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }


class Guarded:
    """An ASGI app whose every answer (its 404s included) carries the security headers and
    a Cache-Control, unless it set one itself."""

    def __init__(self, app: ASGIApp, cache_control: str) -> None:
        self.app = app
        self.cache_control = cache_control

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")

        async def guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.update(security_headers(host or None))
                headers.setdefault("Cache-Control", self.cache_control)
            await send(message)

        try:
            await self.app(scope, receive, guarded)
        except HTTPException as exc:  # StaticFiles' 404 and 405, answered here with headers
            answer = PlainTextResponse(exc.detail, exc.status_code, headers=exc.headers)
            await answer(scope, receive, guarded)


async def page(request: Request) -> Response:
    """The single page; the browser's hash route picks the screen (`#/sessions/…`)."""
    return FileResponse(STATIC / "index.html")


async def to_page(request: Request) -> Response:
    return RedirectResponse("/dashboard", status_code=307)


def routes(enabled: bool = True) -> list[BaseRoute]:
    """The dashboard's routes, none when `WAGRAPH_DASHBOARD` is off (everything 404s). They
    need no API key: the page holds no data; the key the person enters stays in the browser
    (sessionStorage) and goes only to /graphql and /media."""
    if not enabled:
        return []
    return [
        Route("/", to_page, methods=["GET", "HEAD"]),
        Route(
            "/dashboard",
            page,
            methods=["GET", "HEAD"],
            middleware=[Middleware(Guarded, cache_control=PAGE_CACHE)],
        ),
        Route("/dashboard/", to_page, methods=["GET", "HEAD"]),
        Mount(
            "/dashboard/assets",
            Guarded(StaticFiles(directory=STATIC), ASSET_CACHE),
            name="dashboard-assets",
        ),
    ]
