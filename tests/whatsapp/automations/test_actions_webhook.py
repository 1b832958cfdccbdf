"""The `webhook` action firing from a real event, against a real HTTP receiver.

The receiver listens on 127.0.0.1, which the allow-list names for these tests (by default an
internal address is refused: tests/hardening/test_outbound.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models import AutomationRunStatus, WhatsAppAutomationRun
from tests.conftest import CUSTOMER, start_server, stop_server
from tests.whatsapp.automations.factories import make_automation, run_once, shipped_event
from whatsapp.automations import runner
from whatsapp.runtime import Runtime

SECRET = "receiver-secret"
pytestmark = pytest.mark.usefixtures("loopback_allowed")


@dataclass
class Receiver:
    """An integrator's endpoint: checks the signature, answers from a script of statuses."""

    secret: str = SECRET
    statuses: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def reset(self, *statuses: int, secret: str = SECRET) -> None:
        self.secret = secret
        self.statuses = list(statuses)
        self.received = []

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            body = await request.body()
            self.received.append((dict(request.headers), body))
            expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            signature = request.headers.get("x-wagraph-signature-256", "")
            if not hmac.compare_digest(expected, signature):
                return Response("bad signature", status_code=401)
            return Response(status_code=self.statuses.pop(0) if self.statuses else 200)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


@pytest.fixture(scope="module")
async def receiver_server() -> AsyncIterator[tuple[Receiver, str]]:
    receiver = Receiver()
    server, task, url = await start_server(receiver.app())
    try:
        yield receiver, f"{url}/hook"
    finally:
        await stop_server(server, task)


@pytest.fixture
def receiver(receiver_server: tuple[Receiver, str]) -> Receiver:
    receiver_server[0].reset()
    return receiver_server[0]


@pytest.fixture
def hook_url(receiver_server: tuple[Receiver, str]) -> str:
    return receiver_server[1]


async def test_webhook_action_posts_the_signed_event(
    rt: Runtime, receiver: Receiver, hook_url: str
) -> None:
    # given
    automation = await make_automation(
        trigger="order.*",
        actions=[
            {
                "type": "webhook",
                "url": hook_url,
                "secret": SECRET,
                "headers": {"Authorization": "Bearer integrator"},
            }
        ],
    )
    event = await shipped_event()

    # when
    run = await run_once(rt)

    # then
    assert run.status == AutomationRunStatus.SUCCEEDED, run.error
    assert run.results[0]["detail"] == {"status": 200, "attempts": 1}
    [(headers, body)] = receiver.received
    assert headers["content-type"] == "application/json"
    assert headers["x-wagraph-event"] == "order.shipped"
    assert headers["x-wagraph-delivery"] == str(run.id)
    assert headers["authorization"] == "Bearer integrator"
    assert json.loads(body) == {
        "id": str(run.id),
        "automation": {"id": str(automation.id), "name": automation.name},
        "event": {
            "id": str(event.id),
            "name": "order.shipped",
            "source": "shop",
            "properties": {"order": {"id": 42, "number": "#42"}, "eta": "March 3"},
            "createdAt": event.created_at.isoformat(),
        },
        "contact": {"waId": CUSTOMER, "profileName": "Ana", "tags": []},
    }


async def test_webhook_without_its_own_secret_is_signed_with_the_servers(
    rt: Runtime, receiver: Receiver, hook_url: str
) -> None:
    receiver.reset(secret=rt.webhook_signing_secret)
    await make_automation(trigger="order.shipped", actions=[{"type": "webhook", "url": hook_url}])
    await shipped_event()

    run = await run_once(rt)

    assert run.status == AutomationRunStatus.SUCCEEDED, run.error


async def test_webhook_5xx_is_retried_with_the_same_delivery_id(
    rt: Runtime, receiver: Receiver, hook_url: str
) -> None:
    receiver.reset(500, 200)
    await make_automation(
        trigger="order.shipped", actions=[{"type": "webhook", "url": hook_url, "secret": SECRET}]
    )
    await shipped_event()

    run = await run_once(rt)

    assert run.status == AutomationRunStatus.SUCCEEDED, run.error
    assert run.results[0]["detail"] == {"status": 200, "attempts": 2}
    (first_headers, first_body), (second_headers, second_body) = receiver.received
    assert first_body == second_body
    assert first_headers["x-wagraph-delivery"] == second_headers["x-wagraph-delivery"]


async def test_webhook_4xx_is_final(rt: Runtime, receiver: Receiver, hook_url: str) -> None:
    receiver.reset(400, 200)
    await make_automation(
        trigger="order.shipped", actions=[{"type": "webhook", "url": hook_url, "secret": SECRET}]
    )
    await shipped_event()

    run = await run_once(rt)

    assert len(receiver.received) == 1
    assert run.status == AutomationRunStatus.FAILED
    assert run.error == "Action 1 (webhook): Webhook delivery failed"
    assert run.results[0]["detail"] == {
        "error": "Webhook delivery failed",
        "operator": {
            "reason": "answered HTTP 400",
            "status": 400,
            "attempts": 1,
            "host": "127.0.0.1",
            "response": "",
        },
    }


async def test_webhook_that_cannot_connect_gives_up_after_max_attempts(rt: Runtime) -> None:
    await make_automation(
        trigger="order.shipped",
        actions=[
            {
                "type": "webhook",
                "url": "http://127.0.0.1:9/hook",
                "maxAttempts": 2,
                "timeoutSeconds": 1,
            }
        ],
    )
    await shipped_event()

    run = await run_once(rt)

    assert run.status == AutomationRunStatus.FAILED
    assert run.error == "Action 1 (webhook): Webhook delivery failed"
    operator = run.results[0]["detail"]["operator"]
    assert operator["attempts"] == 2
    assert operator["status"] is None
    assert operator["reason"].startswith("could not connect")


async def test_concurrent_runners_deliver_each_webhook_once(
    rt: Runtime, receiver: Receiver, hook_url: str
) -> None:
    # given
    await make_automation(
        trigger="order.shipped", actions=[{"type": "webhook", "url": hook_url, "secret": SECRET}]
    )
    for _ in range(8):
        await shipped_event()

    # when
    counts = await asyncio.gather(runner.run_pending(rt), runner.run_pending(rt))

    # then
    runs = await WhatsAppAutomationRun.all()
    deliveries = Counter(headers["x-wagraph-delivery"] for headers, _ in receiver.received)
    assert sum(counts) == 8
    assert deliveries == Counter({str(run.id): 1 for run in runs})
    assert {run.status for run in runs} == {AutomationRunStatus.SUCCEEDED}
