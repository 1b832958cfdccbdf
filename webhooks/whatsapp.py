"""`/webhooks/whatsapp`: Meta's verification handshake and signed deliveries.

Verify, store, acknowledge, process: the raw body is in the inbox before Meta gets its 200,
and processing happens after the answer, off the request path.
"""

from __future__ import annotations

import hmac
import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from whatsapp.inbound import inbox

log = logging.getLogger("wagraph.webhooks")


async def verify(request: Request) -> Response:
    """Meta's GET handshake: echo hub.challenge when the verify token matches."""
    params = request.query_params
    expected = request.app.state.settings.verify_token
    token = params.get("hub.verify_token", "")
    if (
        params.get("hub.mode") == "subscribe"
        and expected
        and hmac.compare_digest(token.encode(), expected.encode())
    ):
        return PlainTextResponse(params.get("hub.challenge", ""))
    return PlainTextResponse("Forbidden", status_code=403)


async def receive(request: Request) -> Response:
    settings = request.app.state.settings
    body = await _read_bounded(request, settings.max_webhook_bytes)
    if body is None:
        return PlainTextResponse("Payload too large", status_code=413)
    if not inbox.signature_valid(
        body, request.headers.get("x-hub-signature-256"), settings.app_secret or ""
    ):
        log.warning("webhook with a missing or bad signature refused")
        return PlainTextResponse("Invalid signature", status_code=401)
    delivery, is_new = await inbox.store_delivery(body)
    if is_new:
        request.app.state.background.inbox_arrived(delivery.id)
    return PlainTextResponse("OK")


async def _read_bounded(request: Request, limit: int) -> bytes | None:
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
