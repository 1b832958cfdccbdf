"""`/webhooks/whatsapp`: Meta's verification handshake and signed deliveries.

Verify, store, acknowledge, process: the raw body is in the inbox before Meta gets its 200,
and processing happens after the answer, off the request path. The endpoints get what they
need when the app is composed (`WhatsAppWebhook`), not from untyped application state.
"""

from __future__ import annotations

import hmac
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from whatsapp.inbound import inbox

log = logging.getLogger("wagraph.webhooks")


@dataclass(frozen=True, slots=True)
class WhatsAppWebhook:
    verify_token: str | None
    """Meta's hub.verify_token for the GET handshake; None refuses every handshake."""
    app_secret: str
    """Signs each delivery (X-Hub-Signature-256)."""
    max_bytes: int
    delivery_arrived: Callable[[uuid.UUID], None]
    """Told about each newly stored delivery, so it is processed soon after the 200."""

    def routes(self, path: str = "/webhooks/whatsapp") -> list[Route]:
        return [
            Route(path, self.verify, methods=["GET"]),
            Route(path, self.receive, methods=["POST"]),
        ]

    async def verify(self, request: Request) -> Response:
        """Meta's GET handshake: echo hub.challenge when the verify token matches."""
        params = request.query_params
        token = params.get("hub.verify_token", "")
        if (
            params.get("hub.mode") == "subscribe"
            and self.verify_token
            and hmac.compare_digest(token.encode(), self.verify_token.encode())
        ):
            return PlainTextResponse(params.get("hub.challenge", ""))
        return PlainTextResponse("Forbidden", status_code=403)

    async def receive(self, request: Request) -> Response:
        body = await read_bounded(request, self.max_bytes)
        if body is None:
            return PlainTextResponse("Payload too large", status_code=413)
        signature = request.headers.get("x-hub-signature-256")
        if not inbox.signature_valid(body, signature, self.app_secret):
            log.warning("webhook with a missing or bad signature refused")
            return PlainTextResponse("Invalid signature", status_code=401)
        delivery, is_new = await inbox.store_delivery(body)
        if is_new:
            self.delivery_arrived(delivery.id)
        return PlainTextResponse("OK")


async def read_bounded(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
