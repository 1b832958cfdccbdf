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
from dataclasses import dataclass, field

import orjson
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from webhooks.bodies import BodyRefused, Door
from webhooks.unavailable import database_unavailable
from whatsapp.inbound import inbox
from whatsapp.kit import json_depth
from whatsapp.kit.group_commit import GroupCommit
from whatsapp.kit.outages import is_database_outage

log = logging.getLogger("wagraph.webhooks")


@dataclass(frozen=True, slots=True)
class WhatsAppWebhook:
    verify_token: str | None
    """Meta's hub.verify_token for the GET handshake; None refuses every handshake."""
    app_secret: str
    """Signs each delivery (X-Hub-Signature-256)."""
    door: Door
    """How a body is read before its signature is checked (size, shared budget, time)."""
    max_json_depth: int
    """Deeper signed bodies are refused (400): nothing Meta sends nests that deep."""
    delivery_arrived: Callable[[uuid.UUID], None]
    """Told about each newly stored delivery, so it is processed soon after the 200."""
    retry_after_s: int = 5
    """The Retry-After of the 503 answered when the database cannot store a delivery."""
    store: GroupCommit[inbox.Arrival, tuple[uuid.UUID, bool]] = field(
        default_factory=lambda: GroupCommit(inbox.store_deliveries, max_batch=64)
    )
    """Concurrent deliveries stored in one statement (a burst from Meta is one commit)."""

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
        """Refused at the door (size, budget, time, signature, nesting) stores nothing;
        anything else signed is stored, acknowledged, then processed."""
        try:
            async with self.door.read(request) as body:
                signature = request.headers.get("x-hub-signature-256")
                if not inbox.signature_valid(body, signature, self.app_secret):
                    log.warning("webhook with a missing or bad signature refused")
                    return PlainTextResponse("Invalid signature", status_code=401)
        except BodyRefused as refused:
            return refused.response()
        try:
            json_depth.check_depth(body, self.max_json_depth)
        except json_depth.JsonTooDeep as exc:
            log.warning("signed webhook refused: %s", exc)
            return PlainTextResponse(str(exc), status_code=400)
        try:  # a few microseconds: better a 400 now than a stored delivery that can never apply
            orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            log.warning("signed webhook refused, not JSON: %s", exc)
            return PlainTextResponse(f"Not a JSON document: {exc}", status_code=400)
        try:
            delivery_id, is_new = await self.store((body, "whatsapp"))
        except Exception as exc:
            if not is_database_outage(exc):
                raise
            # Not stored, so not acknowledged: Meta retries a delivery it did not get a 200 for.
            log.warning("webhook answered 503: the database is unreachable (%s)", exc)
            return database_unavailable(self.retry_after_s)
        if is_new:
            inbox.arrived(delivery_id)
            self.delivery_arrived(delivery_id)
        return PlainTextResponse("OK")
