"""Each action type firing from a real event, end to end: the sandbox as Meta, a real HTTP
receiver for webhooks, the database for tags."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models import (
    AutomationRunStatus,
    WhatsAppAnalyticsEvent,
    WhatsAppAutomationRun,
    WhatsAppContact,
    WhatsAppMessage,
    WhatsAppSession,
)
from sandbox import Sandbox
from tests.conftest import CUSTOMER, start_server, stop_server
from tests.resolvers.test_send_message import graph_requests
from tests.whatsapp.automations.test_automations import make_automation
from whatsapp.automations import engine as automations
from whatsapp.conversations import tags
from whatsapp.conversations.contacts import get_or_create_contact
from whatsapp.events.log import emit_event
from whatsapp.runtime import Runtime

SECRET = "receiver-secret"


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


@pytest.fixture
def rt(client: httpx.AsyncClient) -> Runtime:
    return client.app.state.runtime  # type: ignore[attr-defined, no-any-return]


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


async def shipped_event(properties: dict[str, Any] | None = None) -> WhatsAppAnalyticsEvent:
    contact = await get_or_create_contact(CUSTOMER, profile_name="Ana")
    return await emit_event(
        "order.shipped",
        source="shop",
        properties=properties
        if properties is not None
        else {"order": {"id": 42, "number": "#42"}, "eta": "March 3"},
        contact_id=contact.id,
    )


async def run_once(rt: Runtime) -> WhatsAppAutomationRun:
    assert await automations.run_pending(rt) == 1
    [run] = await WhatsAppAutomationRun.all()
    return run


# -- template ----------------------------------------------------------------------------------

ORDER_UPDATE = {
    "type": "template",
    "name": "order_update",
    "language": "en_US",
    "header": {"text": "{{event.properties.order.number}}"},
    "body": [
        {"text": "{{contact.profileName}}"},
        {"text": "{{event.properties.order.number}}"},
        {"dateTime": {"fallbackValue": "{{event.properties.eta}}"}},
    ],
    "buttons": [
        {"index": 0, "subType": "URL", "parameter": "{{event.properties.order.id}}"},
        {"index": 1, "subType": "QUICK_REPLY", "parameter": "SUPPORT"},
    ],
}


async def test_template_action_sends_the_template_filled_from_the_event(
    rt: Runtime, sandbox: Sandbox
) -> None:
    # given
    automation = await make_automation(trigger="order.shipped", actions=[ORDER_UPDATE])
    await shipped_event()

    # when
    run = await run_once(rt)

    # then: Meta received exactly this
    assert run.status == AutomationRunStatus.SUCCEEDED, run.error
    message_id = run.results[0]["detail"]["messageId"]
    assert graph_requests(sandbox) == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": CUSTOMER,
            "type": "template",
            "biz_opaque_callback_data": message_id,
            "template": {
                "name": "order_update",
                "language": {"code": "en_US", "policy": "deterministic"},
                "components": [
                    {"type": "header", "parameters": [{"type": "text", "text": "#42"}]},
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": "Ana"},
                            {"type": "text", "text": "#42"},
                            {"type": "date_time", "date_time": {"fallback_value": "March 3"}},
                        ],
                    },
                    {
                        "type": "button",
                        "sub_type": "url",
                        "index": "0",
                        "parameters": [{"type": "text", "text": "42"}],
                    },
                    {
                        "type": "button",
                        "sub_type": "quick_reply",
                        "index": "1",
                        "parameters": [{"type": "payload", "payload": "SUPPORT"}],
                    },
                ],
            },
        }
    ]
    message = await WhatsAppMessage.get(id=message_id)
    assert message.metadata == {
        "automationId": str(automation.id),
        "automationRunId": str(run.id),
    }
    sent = await WhatsAppAnalyticsEvent.get(message_id=message_id)
    assert (sent.name, sent.source, sent.caused_by_automation_run_id) == (
        "template.sent",
        "automation",
        run.id,
    )


async def test_template_refused_by_meta_fails_the_run_with_its_error(
    rt: Runtime, sandbox: Sandbox
) -> None:
    await make_automation(
        trigger="order.shipped",
        actions=[
            {"type": "template", "name": "no_such_template", "language": "en_US"},
            {"type": "tag", "add": ["notified"]},
        ],
    )
    await shipped_event()

    run = await run_once(rt)

    assert run.status == AutomationRunStatus.FAILED
    assert run.error is not None and run.error.startswith("Action 1 (template): ")
    failed, skipped = run.results
    assert failed["ok"] is False
    # refused by Meta (132001) or before Meta is called, depending on what is known locally
    assert failed["detail"]["code"] == "TEMPLATE_NOT_FOUND"
    assert failed["detail"]["error"] in run.error
    assert skipped == {
        "type": "tag",
        "ok": False,
        "detail": {"skipped": "an earlier action failed"},
    }
    assert run.duration_ms is not None and run.duration_ms >= 0
    assert run.started_at is not None and run.finished_at is not None


async def test_a_placeholder_without_a_value_fails_before_anything_is_sent(
    rt: Runtime, sandbox: Sandbox
) -> None:
    await make_automation(trigger="order.shipped", actions=[ORDER_UPDATE])
    await shipped_event(properties={"order": {"id": 42}})

    run = await run_once(rt)

    assert run.status == AutomationRunStatus.FAILED
    assert run.error == (
        "Action 1 (template): Placeholder {{event.properties.order.number}} has no value "
        "for this event"
    )
    assert graph_requests(sandbox) == []


# -- webhook -----------------------------------------------------------------------------------


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
    assert run.error == "Action 1 (webhook): Webhook answered HTTP 400 (attempt 1 of 3)"
    assert run.results[0]["detail"] == {
        "error": "Webhook answered HTTP 400 (attempt 1 of 3)",
        "status": 400,
        "attempts": 1,
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
    assert run.results[0]["detail"]["attempts"] == 2
    assert run.results[0]["detail"]["status"] is None
    assert "could not connect" in (run.error or "")


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
    counts = await asyncio.gather(automations.run_pending(rt), automations.run_pending(rt))

    # then
    runs = await WhatsAppAutomationRun.all()
    deliveries = Counter(headers["x-wagraph-delivery"] for headers, _ in receiver.received)
    assert sum(counts) == 8
    assert deliveries == Counter({str(run.id): 1 for run in runs})
    assert {run.status for run in runs} == {AutomationRunStatus.SUCCEEDED}


# -- tag ---------------------------------------------------------------------------------------


async def test_tag_action_tags_contact_and_session(rt: Runtime) -> None:
    # given
    contact = await get_or_create_contact(CUSTOMER)
    contact.tags = ["lead", "new"]
    await contact.save()
    session = await WhatsAppSession.create(contact=contact, tags=["new"])
    await make_automation(
        trigger="flow.completed", actions=[{"type": "tag", "add": ["customer"], "remove": ["new"]}]
    )
    await emit_event("flow.completed", source="flows", contact_id=contact.id, session_id=session.id)

    # when
    run = await run_once(rt)

    # then
    assert run.status == AutomationRunStatus.SUCCEEDED, run.error
    assert run.results[0]["detail"] == {
        "contactTags": ["customer", "lead"],
        "sessionTags": ["customer"],
    }
    await contact.refresh_from_db()
    await session.refresh_from_db()
    assert contact.tags == ["customer", "lead"]
    assert session.tags == ["customer"]


async def test_tag_action_can_target_the_session_only(rt: Runtime) -> None:
    contact = await get_or_create_contact(CUSTOMER)
    session = await WhatsAppSession.create(contact=contact)
    await make_automation(
        trigger="flow.completed",
        actions=[{"type": "tag", "add": ["done"], "target": "session"}],
    )
    await emit_event("flow.completed", source="flows", contact_id=contact.id, session_id=session.id)

    run = await run_once(rt)

    assert run.results[0]["detail"] == {"sessionTags": ["done"]}
    await contact.refresh_from_db()
    assert contact.tags == []


async def test_concurrent_tag_changes_lose_nothing() -> None:
    await get_or_create_contact(CUSTOMER)

    await asyncio.gather(*(tags.tag_contact(CUSTOMER, add=[f"t{i}"]) for i in range(8)))

    contact = await WhatsAppContact.get(wa_id=CUSTOMER)
    assert contact.tags == [f"t{i}" for i in range(8)]
