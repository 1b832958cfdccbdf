"""The WhatsApp Flows data-exchange endpoint (reference §8): one request in, one answer out.

In order, each failure answered with the status WhatsApp acts on and nothing stored:
1. the body's X-Hub-Signature-256 (the app secret) — 432 when missing or wrong;
2. the body's shape (`encrypted_flow_data`, `encrypted_aes_key`, `initial_vector`) — 400;
3. decryption with each configured key, current first — 421 when none opens it, so WhatsApp
   re-fetches the public key and retries;
4. `ping` is answered `active`; an error notification (the client refused our last answer) is
   acknowledged and recorded;
5. the flow token names a live session — 427 otherwise (unknown, finished or expired); and
   Data API 4.0's `flow_token_signature`, when the request carries one, is Meta's HS256 JWT
   over that token made with the app secret (`token_signature.py`, Meta's documented scheme)
   — 432 otherwise, as for a bad request signature (Meta names no status for it);
6. the handler registered for the flow answers; the step is stored (`journeys.record`) and the
   answer encrypted with the request's key and flipped IV, as base64 text.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from whatsapp.events.log import emit_event
from whatsapp.flows import crypto, journeys, token_signature
from whatsapp.flows.handlers import (
    Complete,
    FlowStep,
    NextScreen,
    Reply,
    ScreenError,
    handler_for,
)
from whatsapp.inbound.inbox import signature_valid

log = logging.getLogger(__name__)

STEP_ACTIONS = frozenset({"INIT", "data_exchange", "BACK"})
DEFAULT_VERSION = "3.0"


@dataclass(frozen=True, slots=True)
class FlowEndpoint:
    """What the endpoint needs, given when the app is composed."""

    keys: Sequence[rsa.RSAPrivateKey]  # current first, then previous ones (rotation, numbers)
    app_secret: str
    token_ttl: timedelta


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: str
    encrypted: bool = False


async def answer(endpoint: FlowEndpoint, flow: str, body: bytes, signature: str | None) -> Answer:
    """WhatsApp's request to `/flows/{flow}`, answered."""
    if not signature_valid(body, signature, endpoint.app_secret):
        return Answer(432, "Invalid signature")
    try:
        fields = crypto.read_request(body)
    except crypto.NotEncryptedRequest as exc:
        return Answer(400, f"Not a Flows request: {exc}")
    if not endpoint.keys:
        log.error("a Flows request arrived but no Flows private key is configured")
        return Answer(421, "No Flows key is configured")
    try:
        opened = crypto.decrypt_request(fields, endpoint.keys)
    except crypto.DecryptionFailed as exc:
        log.info("Flows request not decrypted (%s): 421 asks WhatsApp to re-fetch the key", exc)
        return Answer(421, "Cannot decrypt the request")
    if opened.key_index:
        log.info(
            "Flows request opened with configured key #%d (not the current one)", opened.key_index
        )
    reply = await _respond(endpoint, flow, opened.payload)
    if isinstance(reply, Answer):
        return reply
    status, payload = reply
    return Answer(status, crypto.encrypt_response(payload, opened.aes_key, opened.iv), True)


async def _respond(
    endpoint: FlowEndpoint, flow: str, request: Mapping[str, Any]
) -> tuple[int, dict[str, Any]] | Answer:
    """(status, the answer to encrypt), or an Answer sent as it is."""
    action = request.get("action")
    version = request.get("version") if isinstance(request.get("version"), str) else None
    found = request.get("data")
    data: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    if action == "ping":
        return 200, {"data": {"status": "active"}}
    token = request.get("flow_token")
    if action not in STEP_ACTIONS:
        return Answer(400, f"Unknown Flows action {str(action)[:40]!r}")
    if not isinstance(token, str) or not token:
        return 427, {"error_msg": "This flow has no token; please start it again."}
    signed = request.get("flow_token_signature")
    if signed is not None and not token_signature.verify(signed, token, endpoint.app_secret):
        log.warning("Flows request with a flow_token_signature that does not verify: 432")
        return Answer(432, "Invalid flow_token_signature")
    handler = handler_for(flow)
    if handler is None:
        return Answer(404, f"No Flow handler is registered as {flow[:64]!r}")
    try:
        journey = await journeys.find(token, ttl=endpoint.token_ttl)
    except journeys.StaleToken as exc:
        return 427, {"error_msg": _stale_message(str(exc))}
    if "error" in data:
        await _error_notified(flow, token, journey, data)
        return 200, {"version": version or DEFAULT_VERSION, "data": {"acknowledged": True}}
    screen = request.get("screen")
    step = FlowStep(
        flow=flow,
        action=str(action),
        screen=screen if isinstance(screen, str) and screen else None,  # INIT sends ""
        data=data,
        flow_token=token,
        state=journey.state,
        session_id=str(journey.session.id),
        contact_id=str(journey.session.contact_id) if journey.session.contact_id else None,
        token_signature="absent" if signed is None else "verified",
    )
    reply = await handler(step)
    try:
        await journeys.record(journey, step, reply, ttl=endpoint.token_ttl)
    except journeys.StaleToken as exc:  # finished by a concurrent request meanwhile
        return 427, {"error_msg": _stale_message(str(exc))}
    return 200, _screen_answer(reply, step, version or DEFAULT_VERSION)


def _screen_answer(reply: Reply, step: FlowStep, version: str) -> dict[str, Any]:
    if isinstance(reply, NextScreen):
        return {"version": version, "screen": reply.screen, "data": dict(reply.data)}
    if isinstance(reply, ScreenError):
        data = {**reply.data, "error_message": reply.message}
        return {"version": version, "screen": step.screen, "data": data}
    assert isinstance(reply, Complete)
    params = {**reply.params, "flow_token": step.flow_token}
    return {
        "version": version,
        "screen": reply.screen,
        "data": {"extension_message_response": {"params": params}},
    }


def _stale_message(reason: str) -> str:
    if "completed" in reason:
        return "This flow is already finished."
    return "This flow is no longer available; please ask for a new one."


async def _error_notified(
    flow: str, token: str, journey: journeys.Journey, data: Mapping[str, Any]
) -> None:
    """WhatsApp refused our last answer (a screen or data it could not show): recorded, for
    whoever maintains the handler."""
    log.warning("WhatsApp refused an answer of flow %s: %s", flow, dict(data))
    await emit_event(
        "flow.client_error",
        source="flow",
        properties={
            "flow": flow,
            "flowToken": token,
            "error": str(data.get("error")),
            "message": str(data.get("error_message") or ""),
        },
        session_id=journey.session.id,
        contact_id=journey.session.contact_id,
    )
