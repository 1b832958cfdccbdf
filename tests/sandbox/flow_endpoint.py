"""A minimal business Flows endpoint, written from the reference (§8) for the sandbox's tests:
signature check (432), RSA-OAEP + AES-GCM decryption with the keys it holds (421), unknown or
closed tokens (427 with an encrypted `error_msg`), ping, error notifications, and a three-screen
booking journey (DESTINATION → DATES → CONFIRM → SUCCESS) with a validation error and BACK.

It is deliberately not wagraph's endpoint: the sandbox plays WhatsApp, and must be checked
against Meta's description, not against the code it will talk to.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
DESTINATIONS = ("lisbon", "porto")


@dataclass
class FlowsEndpoint:
    """What the endpoint holds and what it saw (decrypted requests, in order)."""

    secret: str
    keys: list[rsa.RSAPrivateKey] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)  # tokens it issued
    closed: set[str] = field(default_factory=set)  # tokens whose flow completed
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen: list[dict[str, Any]] = field(default_factory=list)
    hub_headers: list[str | None] = field(default_factory=list)
    plain_answers: bool = False  # answer unencrypted JSON (a broken endpoint)
    url: str = ""

    def reset(self, secret: str) -> None:
        self.secret = secret
        self.keys.clear()
        self.tokens.clear()
        self.closed.clear()
        self.answers.clear()
        self.seen.clear()
        self.hub_headers.clear()
        self.plain_answers = False


def open_request(
    body: dict[str, Any], keys: list[rsa.RSAPrivateKey]
) -> tuple[dict[str, Any], bytes, bytes] | None:
    """§8.3 with each key in turn: (request, AES key, IV), or None when none opens it."""
    iv = base64.b64decode(body["initial_vector"])
    data = base64.b64decode(body["encrypted_flow_data"])
    for key in keys:
        try:
            aes_key = key.decrypt(base64.b64decode(body["encrypted_aes_key"]), OAEP)
            plain = AESGCM(aes_key).decrypt(iv, data, None)
        except (ValueError, InvalidTag):
            continue
        return json.loads(plain), aes_key, iv
    return None


def seal_answer(answer: Any, aes_key: bytes, iv: bytes) -> str:
    """§8.4: AES-GCM under the flipped IV, tag appended, base64 text."""
    flipped = bytes(b ^ 0xFF for b in iv)
    return base64.b64encode(
        AESGCM(aes_key).encrypt(flipped, json.dumps(answer).encode(), None)
    ).decode()


def journey(ep: FlowsEndpoint, request: dict[str, Any]) -> dict[str, Any]:
    """The booking journey's next screen for one decrypted request."""
    token, action = request["flow_token"], request["action"]
    data = request.get("data") or {}
    if "error" in data:
        return {"data": {"acknowledged": True}}
    if action == "INIT":
        return {"screen": "DESTINATION", "data": {"destinations": list(DESTINATIONS)}}
    screen = request["screen"]
    if action == "BACK":
        previous = {"DATES": "DESTINATION", "CONFIRM": "DATES"}.get(screen, "DESTINATION")
        return {"screen": previous, "data": {"refreshed": True}}
    answers = ep.answers.setdefault(token, {})
    if screen == "DESTINATION":
        if data.get("destination") not in DESTINATIONS:
            return {"screen": "DESTINATION", "data": {"error_message": "Pick Lisbon or Porto"}}
        answers["destination"] = data["destination"]
        return {"screen": "DATES", "data": {"destination": data["destination"]}}
    if screen == "DATES":
        answers["check_in"] = data["check_in"]
        return {"screen": "CONFIRM", "data": dict(answers)}
    ep.closed.add(token)
    params = {"flow_token": token, "booking": "BK-1", **answers}
    return {"screen": "SUCCESS", "data": {"extension_message_response": {"params": params}}}


def endpoint_app(ep: FlowsEndpoint) -> Starlette:
    async def flows(request: Request) -> Response:
        raw = await request.body()
        header = request.headers.get("x-hub-signature-256")
        ep.hub_headers.append(header)
        expected = "sha256=" + hmac.new(ep.secret.encode(), raw, hashlib.sha256).hexdigest()
        if header is None or not hmac.compare_digest(expected, header):
            return Response(status_code=432)
        opened = open_request(json.loads(raw), ep.keys)
        if opened is None:
            return Response(status_code=421)
        payload, aes_key, iv = opened
        ep.seen.append(payload)
        if payload["action"] == "ping":
            return PlainTextResponse(seal_answer({"data": {"status": "active"}}, aes_key, iv))
        token = payload.get("flow_token")
        if token not in ep.tokens or token in ep.closed:
            closed = seal_answer({"error_msg": "This booking is closed"}, aes_key, iv)
            return PlainTextResponse(closed, status_code=427)
        answer = journey(ep, payload)
        if ep.plain_answers:
            return PlainTextResponse(json.dumps(answer))
        return PlainTextResponse(seal_answer(answer, aes_key, iv))

    return Starlette(routes=[Route("/flows/{flow}", flows, methods=["POST"])])
