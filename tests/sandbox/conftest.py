"""Fixtures for the sandbox tests: a seeded sandbox behind httpx, a real webhook receiver.

Request/response tests go through `httpx.ASGITransport`; webhook delivery needs real sockets,
so a tiny Starlette receiver runs under uvicorn for the whole session and is emptied per test.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from sandbox import Sandbox, SandboxConfig
from tests.sandbox.flow_endpoint import FlowsEndpoint, endpoint_app

TOKEN = "sandbox-token"
SECRET = "sandbox-app-secret"
PNID = "106540352242922"
WABA = "102290129340398"
DISPLAY = "15550783881"
OPEN_CUSTOMER = "15551234567"  # seeded: window always open
CLOSED_CUSTOMER = "15557654321"  # never wrote in: free-form fails later with 131047
VERSION = "v23.0"
MESSAGES = f"/{VERSION}/{PNID}/messages"
VERIFY_TOKEN = "verify-me"

T = TypeVar("T")


async def wait_for(predicate: Callable[[], T], timeout: float = 5.0) -> T:
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.005)


class Clock:
    """Real time plus an offset; `freeze()` stops it so rate-limit tests are exact."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.frozen_at: float | None = None

    def __call__(self) -> float:
        if self.frozen_at is not None:
            return self.frozen_at + self.offset
        return time.time() + self.offset

    def freeze(self) -> None:
        self.frozen_at = time.time()

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class Delivery:
    body: bytes
    headers: dict[str, str]
    payload: dict[str, Any]


@dataclass
class Receiver:
    """Collects webhooks; `script` holds status codes to answer next (then 200)."""

    url: str = ""
    deliveries: list[Delivery] = field(default_factory=list)
    attempts: int = 0
    script: deque[int] = field(default_factory=deque)

    def reset(self) -> None:
        self.deliveries.clear()
        self.attempts = 0
        self.script.clear()

    def statuses(self, wamid: str | None = None) -> list[dict[str, Any]]:
        found = [
            status
            for d in self.deliveries
            for entry in d.payload["entry"]
            for change in entry["changes"]
            for status in change["value"].get("statuses", [])
        ]
        return [s for s in found if wamid is None or s["id"] == wamid]

    def of_field(self, name: str) -> list[dict[str, Any]]:
        return [
            change["value"]
            for d in self.deliveries
            for entry in d.payload["entry"]
            for change in entry["changes"]
            if change["field"] == name
        ]


def signature_ok(delivery: Delivery, secret: str = SECRET) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), delivery.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, delivery.headers.get("x-hub-signature-256", ""))


def receiver_app(receiver: Receiver) -> Starlette:
    async def webhook(request: Request) -> Response:
        receiver.attempts += 1
        body = await request.body()
        status = receiver.script.popleft() if receiver.script else 200
        if status == 200:
            receiver.deliveries.append(Delivery(body, dict(request.headers), json.loads(body)))
        return Response(status_code=status)

    async def verify(request: Request) -> Response:
        query = request.query_params
        if query.get("hub.mode") == "subscribe" and query.get("hub.verify_token") == VERIFY_TOKEN:
            return PlainTextResponse(query.get("hub.challenge", ""))
        return PlainTextResponse("forbidden", status_code=403)

    return Starlette(
        routes=[
            Route("/webhook", webhook, methods=["POST"]),
            Route("/webhook", verify, methods=["GET"]),
        ]
    )


def quiet_config(app: Any) -> uvicorn.Config:
    return uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", ws="none")


async def start_server(server: uvicorn.Server) -> tuple[asyncio.Task[None], int]:
    """Run a uvicorn server in a task; wait until it listens; return (task, port)."""
    task = asyncio.get_running_loop().create_task(server.serve())
    await wait_for(lambda: server.started or task.done())
    if task.done():
        task.result()
    port = server.servers[0].sockets[0].getsockname()[1]
    return task, port


async def stop_server(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    await asyncio.wait_for(task, timeout=10)


@pytest.fixture(scope="session")
async def receiver_session() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    server = uvicorn.Server(quiet_config(receiver_app(receiver)))
    task, port = await start_server(server)
    receiver.url = f"http://127.0.0.1:{port}/webhook"
    yield receiver
    await stop_server(server, task)


@pytest.fixture
def receiver(receiver_session: Receiver) -> Receiver:
    receiver_session.reset()
    return receiver_session


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_config(**overrides: Any) -> SandboxConfig:
    values: dict[str, Any] = {
        "seed": 1234,
        "status_delays_s": (0.0, 0.002, 0.004),
        "webhook_retry_base_s": 0.01,
        "webhook_retry_horizon_s": 0.3,
        "template_review_delay_s": 0.01,
        "fault_timeout_s": 5.0,
    }
    values.update(overrides)
    return SandboxConfig(**values)


@pytest.fixture
async def sandbox(clock: Clock) -> AsyncIterator[Sandbox]:
    sb = Sandbox(make_config(), clock=clock)
    yield sb
    await sb.aclose()


@pytest.fixture
def hooks(sandbox: Sandbox, receiver: Receiver) -> Receiver:
    """The receiver, wired as the sandbox's webhook URL."""
    sandbox.config.webhook_url = receiver.url
    return receiver


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sandbox.app())
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://sandbox.test",
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as http:
        yield http


def message(msg_type: str = "text", to: str = OPEN_CUSTOMER, **extra: Any) -> dict[str, Any]:
    """A valid send body of `msg_type`; `extra` adds/overrides top-level keys."""
    defaults: dict[str, Any] = {
        "text": {"body": "Hello from the sandbox tests"},
        "image": {"link": "https://cdn.example.com/p.jpg", "caption": "A photo"},
        "video": {"link": "https://cdn.example.com/v.mp4"},
        "audio": {"id": "1013859600285444"},
        "document": {"id": "1013859600285442", "filename": "invoice.pdf", "caption": "Invoice"},
        "sticker": {"id": "1013859600285445"},
        "location": {"latitude": 37.48, "longitude": -122.14, "name": "HQ", "address": "1 Way"},
        "contacts": [
            {
                "name": {"formatted_name": "Jane Doe", "first_name": "Jane"},
                "phones": [{"phone": "+1 555 000 1111", "type": "CELL"}],
            }
        ],
        "reaction": {"message_id": "wamid.unknown", "emoji": "\U0001f44d"},
        "interactive": {
            "type": "button",
            "body": {"text": "Pick"},
            "action": {"buttons": [{"type": "reply", "reply": {"id": "a", "title": "A"}}]},
        },
        "template": {"name": "hello_world", "language": {"code": "en_US"}},
    }
    body: dict[str, Any] = {"messaging_product": "whatsapp", "to": to, "type": msg_type}
    if msg_type in defaults:
        body[msg_type] = defaults[msg_type]
    body.update(extra)
    return body


def error_of(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    """Assert Meta's error envelope with this HTTP status and code; return the error object."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert isinstance(error["fbtrace_id"], str)
    assert error["fbtrace_id"]
    assert error["type"] in ("OAuthException", "GraphMethodException")
    if "error_data" in error:
        assert error["error_data"]["messaging_product"] == "whatsapp"
    return error


def details_of(error: dict[str, Any]) -> str:
    return str(error["error_data"]["details"])


async def inbound(client: httpx.AsyncClient, wa_id: str, **body: Any) -> dict[str, Any]:
    if body.setdefault("type", "text") == "text":
        body.setdefault("text", {"body": "hi"})
    response = await client.post(f"/_sandbox/customers/{wa_id}/messages", json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def control(
    client: httpx.AsyncClient, path: str, body: Any = None, *, status: int = 200
) -> dict[str, Any]:
    """POST a `/_sandbox` control request; assert its HTTP status; return the JSON answer."""
    response = await client.post(f"/_sandbox{path}", json={} if body is None else body)
    assert response.status_code == status, response.text
    return response.json()


def change_of(payload: dict[str, Any]) -> tuple[str, Any]:
    """The single change of a webhook payload: `(field, value)`."""
    assert payload["object"] == "whatsapp_business_account"
    (entry,) = payload["entry"]
    assert entry["id"] == WABA
    (change,) = entry["changes"]
    return change["field"], change["value"]


async def posted(sandbox: Sandbox, receiver: Receiver, payload: dict[str, Any]) -> Delivery:
    """Wait for the webhooks; the delivery of exactly `payload`, its signature checked."""
    assert await sandbox.drain(5)
    found = [d for d in receiver.deliveries if d.payload == payload]
    assert len(found) == 1, f"{payload} not delivered once"
    assert signature_ok(found[0])
    return found[0]


# -- Flows: a business endpoint written from §8 (flow_endpoint.py), on a real socket -----------

KEYS_EDGE = f"/{VERSION}/{PNID}/whatsapp_business_encryption"
FLOW_TOKEN = "sess-booking-1"
BOOKING = {
    "DESTINATION": {"destination": "lisbon"},
    "DATES": {"check_in": "2026-07-01"},
    "CONFIRM": {},
}


def pem_of(key: rsa.RSAPrivateKey) -> str:
    public = key.public_key()
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


@pytest.fixture(scope="session")
def key_a() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def key_b() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
async def endpoint_server() -> AsyncIterator[FlowsEndpoint]:
    ep = FlowsEndpoint(secret=SECRET)
    server = uvicorn.Server(quiet_config(endpoint_app(ep)))
    task, port = await start_server(server)
    ep.url = f"http://127.0.0.1:{port}/flows/booking"
    yield ep
    await stop_server(server, task)


@pytest.fixture
async def endpoint(
    endpoint_server: FlowsEndpoint, client: httpx.AsyncClient, key_a: rsa.RSAPrivateKey
) -> FlowsEndpoint:
    """The endpoint holds key A, the number's uploaded key; it issued FLOW_TOKEN."""
    endpoint_server.reset(SECRET)
    endpoint_server.keys.append(key_a)
    endpoint_server.tokens.add(FLOW_TOKEN)
    await upload_key(client, key_a)
    return endpoint_server


async def upload_key(client: httpx.AsyncClient, key: rsa.RSAPrivateKey) -> None:
    response = await client.post(KEYS_EDGE, data={"business_public_key": pem_of(key)})
    assert response.json() == {"success": True}, response.text


async def send_flow(client: httpx.AsyncClient, **parameters: Any) -> str:
    """The business sends the booking flow message through `/messages`; its wamid."""
    params = {
        "flow_message_version": "3",
        "flow_name": "booking",
        "flow_token": FLOW_TOKEN,
        "flow_cta": "Book",
        "flow_action": "data_exchange",
        **parameters,
    }
    interactive = {
        "type": "flow",
        "body": {"text": "Plan your trip"},
        "action": {"name": "flow", "parameters": params},
    }
    response = await client.post(MESSAGES, json=message("interactive", interactive=interactive))
    assert response.status_code == 200, response.text
    return str(response.json()["messages"][0]["id"])


async def run_flow(client: httpx.AsyncClient, body: dict[str, Any], status: int = 200) -> Any:
    return await control(client, "/flows/run", body, status=status)
