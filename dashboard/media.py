"""`GET /media/{messageId}`: a message's picture, video, voice note, sticker or document, for
a holder of an API key (any scope reads). The dashboard fetches it with its key and shows it
through a blob URL; an integrator can do the same.

The work is the core's (`whatsapp.messages.media_fetch`: the message, Meta's URL, the
download, the cache); this face checks the key, says every refusal in words and serves the
bytes so that a file cannot act: `nosniff`, a sandboxing CSP, and only types a browser
renders harmlessly inline (an HTML or SVG "document" a customer sent is a download)."""

from __future__ import annotations

import logging
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from app.bearer import bearer
from app.settings import Settings
from whatsapp.access.cache import KeyCache
from whatsapp.kit.outages import is_database_outage
from whatsapp.messages.media_fetch import (
    FetchedMedia,
    MediaFetcher,
    MediaUnavailable,
    Unavailable,
)

log = logging.getLogger("wagraph.media")

STATUS = {
    Unavailable.NOT_FOUND: 404,
    Unavailable.PUBLIC_LINK: 404,
    Unavailable.TOO_LARGE: 502,
    Unavailable.CLOUD_REFUSED: 502,
    Unavailable.CLOUD_UNREACHABLE: 502,
}
# Shown inline: images, audio, video, PDF and plain text render without running anything.
INLINE = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf"})
INLINE_FAMILIES = ("audio/", "video/")
# The media's message never changes what it shows, so the browser may keep it: privately,
# since it was fetched with a key.
CACHE_CONTROL = "private, max-age=3600"
MEDIA_POLICY = (
    "default-src 'none'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'unsafe-inline'; sandbox"
)


class MediaRoute:
    def __init__(self, keys: KeyCache, fetcher: MediaFetcher, *, retry_after_s: int) -> None:
        self.keys = keys
        self.fetcher = fetcher
        self.retry_after_s = retry_after_s

    @classmethod
    def configured(cls, keys: KeyCache, settings: Settings) -> MediaRoute:
        """The route with its fetcher, whose cache lives as long as the app."""
        fetcher = MediaFetcher(
            max_bytes=settings.media_max_bytes, cache_bytes=settings.media_cache_bytes
        )
        return cls(keys, fetcher, retry_after_s=settings.retry_after_s)

    def routes(self) -> list[BaseRoute]:
        """Not behind `WAGRAPH_DASHBOARD`: an API for any key holder, not part of the page."""
        return [Route("/media/{message_id}", self.get, methods=["GET"])]

    async def get(self, request: Request) -> Response:
        """The bytes (200), or 401 (GraphQL's UNAUTHENTICATED shape), 404 / 502 / 503 with
        `{"error": words, "code": …}`: never a 500 for what a person can act on."""
        token = bearer(request.headers.get("authorization"))
        try:
            if await self.keys.authenticate(token) is None:
                return _unauthenticated(token)
            media = await self.fetcher.fetch(
                request.app.state.runtime, request.path_params["message_id"]
            )
        except MediaUnavailable as exc:
            return _refused(STATUS[exc.reason], str(exc), exc.reason.value, **exc.details)
        except Exception as exc:
            if not is_database_outage(exc):
                raise
            log.warning("media refused 503: the database is unreachable (%s)", exc)
            return _refused(
                503,
                "The database cannot be reached: retry shortly",
                "SERVICE_UNAVAILABLE",
                headers={"Retry-After": str(self.retry_after_s)},
            )
        return served(media)


def served(media: FetchedMedia) -> Response:
    """The bytes, with headers that keep them inert: a type a browser renders harmlessly is
    shown inline under its own name; anything else is a download of unknown type."""
    base = media.mime_type.split(";", 1)[0].strip().lower()
    inline = base in INLINE or base == "text/plain" or base.startswith(INLINE_FAMILIES)
    disposition = "inline" if inline else "attachment"
    if media.filename:
        disposition += f"; filename*=UTF-8''{quote(media.filename, safe='')}"
    return Response(
        media.data,
        media_type=base if inline else "application/octet-stream",
        headers={
            "Cache-Control": CACHE_CONTROL,
            "Vary": "Authorization",
            "Content-Disposition": disposition,
            "Content-Security-Policy": MEDIA_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def _refused(
    status: int, message: str, code: str, headers: dict[str, str] | None = None, **details: object
) -> JSONResponse:
    return JSONResponse(
        {"error": message, "code": code, **details},
        status_code=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _unauthenticated(token: str | None) -> JSONResponse:
    message = "Missing API key" if token is None else "Invalid, revoked or expired API key"
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="wagraph"', "Cache-Control": "no-store"},
    )
