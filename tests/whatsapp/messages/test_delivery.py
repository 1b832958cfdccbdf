"""Send outcomes: a scheduled send and an immediate one are recorded, and evented, alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.runtime import build_runtime
from models import (
    AutomationRunStatus,
    MessageStatus,
    MessageType,
    WhatsAppAnalyticsEvent,
    WhatsAppAutomationRun,
    WhatsAppMessage,
)
from sandbox import Sandbox
from tests.conftest import make_settings
from whatsapp.automations import definitions, runner
from whatsapp.cloud import codes
from whatsapp.kit.clock import utcnow
from whatsapp.messages import scheduling
from whatsapp.messages import sending as messaging
from whatsapp.messages.delivery import SCHEDULER, outcome_event
from whatsapp.messages.sending import SendResult
from whatsapp.runtime import Runtime

CUSTOMER = "15551230001"
OTHER_CUSTOMER = "15551230002"
METADATA = {"orderId": "42"}
SCHEDULED_ONLY = {"scheduledFor", "attempts"}


@pytest.fixture
async def rt(db: str, sandbox: Sandbox, sandbox_url: str) -> AsyncIterator[Runtime]:
    runtime = build_runtime(make_settings(db, sandbox_url, rate_limit_mps=1000))
    yield runtime
    await runtime.aclose()


async def send_now(rt: Runtime, to: str = CUSTOMER) -> SendResult:
    return await messaging.send_template(
        rt, to=to, name="hello_world", language="en_US", metadata=METADATA
    )


async def send_scheduled(rt: Runtime, to: str = CUSTOMER) -> WhatsAppMessage:
    """A scheduled template, made due and flushed by the scheduler."""
    result = await messaging.send_template(
        rt,
        to=to,
        name="hello_world",
        language="en_US",
        metadata=METADATA,
        schedule_for=utcnow() + timedelta(minutes=5),
    )
    await WhatsAppMessage.filter(id=result.message.id).update(
        next_attempt_at=utcnow() - timedelta(seconds=1)
    )
    await scheduling.process_scheduled_messages(rt)
    return await WhatsAppMessage.get(id=result.message.id)


async def event_of(message_id: Any, name: str) -> WhatsAppAnalyticsEvent:
    return await WhatsAppAnalyticsEvent.get(message_id=message_id, name=name)


async def refuse_next_send(sandbox_url: str, code: int) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{sandbox_url}/_sandbox/faults",
            json={"queue": [{"status": 400, "code": code}], "path_contains": "/messages"},
        )
    response.raise_for_status()


def without(properties: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in properties.items() if key not in keys}


async def test_an_automation_on_the_template_property_fires_for_scheduled_and_immediate_sends(
    rt: Runtime,
) -> None:
    # given: on template.sent of hello_world, tag the contact
    automation = await definitions.create_automation(
        name="Tag on hello_world",
        trigger="template.sent",
        conditions=[{"path": "properties.template", "op": "eq", "value": "hello_world"}],
        actions=[{"type": "tag", "add": ["greeted"], "target": "contact"}],
        cooldown_seconds=0,
    )

    # when
    immediate = await send_now(rt, CUSTOMER)
    scheduled = await send_scheduled(rt, OTHER_CUSTOMER)
    executed = await runner.run_pending(rt)

    # then: one run per send, each triggered by its own template.sent event
    runs = await WhatsAppAutomationRun.filter(automation_id=automation.id)
    assert executed == 2
    assert {run.status for run in runs} == {AutomationRunStatus.SUCCEEDED}
    triggering = {
        event.message_id: event.source
        for event in await WhatsAppAnalyticsEvent.filter(id__in=[run.event_id for run in runs])
    }
    assert triggering == {immediate.message.id: "api", scheduled.id: "scheduler"}


async def test_template_sent_events_of_immediate_and_scheduled_sends_carry_the_same_properties(
    rt: Runtime,
) -> None:
    # when
    immediate = await send_now(rt)
    scheduled = await send_scheduled(rt)

    # then
    now = (await event_of(immediate.message.id, "template.sent")).properties
    later = (await event_of(scheduled.id, "template.sent")).properties
    assert scheduled.status == MessageStatus.SENT
    assert without(now, "wamid") == without(later, "wamid", *SCHEDULED_ONLY)
    assert now["template"] == "hello_world" and now["language"] == "en_US"
    assert now["metadata"] == METADATA
    assert not SCHEDULED_ONLY & now.keys()
    assert later["attempts"] == 1
    assert later["scheduledFor"] == scheduled.scheduled_for.isoformat()  # type: ignore[union-attr]
    assert (now["wamid"], later["wamid"]) == (immediate.message.wamid, scheduled.wamid)


async def test_a_refusal_is_recorded_the_same_way_for_immediate_and_scheduled_sends(
    rt: Runtime, sandbox_url: str
) -> None:
    # when: Meta refuses both sends as undeliverable
    await refuse_next_send(sandbox_url, codes.UNDELIVERABLE)
    immediate = (await send_now(rt)).message
    await refuse_next_send(sandbox_url, codes.UNDELIVERABLE)
    scheduled = await send_scheduled(rt)

    # then: both FAILED with Meta's code and title, and a template.failed event saying so
    await immediate.refresh_from_db()
    for message in (immediate, scheduled):
        assert message.status == MessageStatus.FAILED
        assert message.error_code == codes.UNDELIVERABLE
        assert message.error_title and message.failed_at is not None
    assert immediate.error_title == scheduled.error_title
    now = (await event_of(immediate.id, "template.failed")).properties
    later = (await event_of(scheduled.id, "template.failed")).properties
    error = {"code": codes.UNDELIVERABLE, "title": immediate.error_title}
    assert now["error"] == later["error"] == error
    assert without(now, "wamid") == without(later, "wamid", *SCHEDULED_ONLY)


def test_a_scheduled_reaction_event_names_its_emoji_and_target() -> None:
    # given: a reaction row as the scheduler would hold it
    message = WhatsAppMessage(
        type=MessageType.REACTION,
        status=MessageStatus.SENDING,
        phone_number_id="106540352242922",
        customer_wa_id=CUSTOMER,
        wamid="wamid.REACTION",
        content={"reaction": {"messageId": "m-1", "emoji": "\N{THUMBS UP SIGN}"}},
        scheduled_for=utcnow(),
        attempts=1,
    )

    # when
    event = outcome_event(message, "sent", SCHEDULER, at=utcnow())

    # then
    assert event.name == "reaction.sent"
    assert event.source == "scheduler"
    assert event.properties["emoji"] == "\N{THUMBS UP SIGN}"
    assert event.properties["targetMessageId"] == "m-1"
