"""process_scheduled_messages(): claimed once, sent once, retried, paced, recovered."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.runtime import build_runtime
from models import MessageStatus, WhatsAppAnalyticsEvent, WhatsAppMessage
from sandbox import Sandbox
from tests.conftest import make_settings, open_service_window
from whatsapp.kit.clock import utcnow
from whatsapp.messages import flush, scheduling
from whatsapp.messages import sending as messaging
from whatsapp.runtime import Runtime


@pytest.fixture
async def rt(db: str, sandbox: Sandbox, sandbox_url: str) -> AsyncIterator[Runtime]:
    runtime = build_runtime(make_settings(db, sandbox_url, rate_limit_mps=1000))
    yield runtime
    await runtime.aclose()


async def due_messages(rt: Runtime, n: int, *, template: bool = True) -> list[WhatsAppMessage]:
    """n scheduled messages (to n different customers), then made due."""
    ids = []
    for i in range(n):
        to = f"1555{i:07d}"
        if template:
            result = await messaging.send_template(
                rt,
                to=to,
                name="hello_world",
                language="en_US",
                schedule_for=utcnow() + timedelta(minutes=5),
            )
        else:
            await open_service_window(to)
            result = await messaging.send_message(
                rt,
                to=to,
                content={"text": {"body": f"m{i}"}},
                schedule_for=utcnow() + timedelta(minutes=5),
            )
        ids.append(result.message.id)
    await WhatsAppMessage.filter(id__in=ids).update(next_attempt_at=utcnow() - timedelta(seconds=1))
    return await WhatsAppMessage.filter(id__in=ids)


def sent_once(sandbox: Sandbox, messages: list[WhatsAppMessage]) -> bool:
    counts = sandbox.stats()["sends_per_callback_data"]
    return (
        all(counts.get(str(m.id)) == 1 for m in messages)
        and not sandbox.stats()["duplicate_callback_data"]
    )


async def statuses(messages: list[WhatsAppMessage]) -> dict[MessageStatus, int]:
    rows = await WhatsAppMessage.filter(id__in=[m.id for m in messages]).values_list(
        "status", flat=True
    )
    counts: dict[MessageStatus, int] = {}
    for status in rows:
        counts[status] = counts.get(status, 0) + 1  # type: ignore[index]
    return counts


async def set_faults(sandbox_url: str, body: dict[str, Any]) -> None:
    async with httpx.AsyncClient() as http:
        (await http.post(f"{sandbox_url}/_sandbox/faults", json=body)).raise_for_status()


async def test_due_messages_are_sent_and_future_ones_wait(rt: Runtime, sandbox: Sandbox) -> None:
    due = await due_messages(rt, 5)
    later = await messaging.send_template(
        rt,
        to="15559999999",
        name="hello_world",
        language="en_US",
        schedule_for=utcnow() + timedelta(hours=1),
    )

    result = await scheduling.process_scheduled_messages(rt)

    assert (result.claimed, result.sent) == (5, 5)
    assert await statuses(due) == {MessageStatus.SENT: 5}
    assert sent_once(sandbox, due)
    await later.message.refresh_from_db()
    assert later.message.status == MessageStatus.SCHEDULED
    assert await WhatsAppAnalyticsEvent.filter(name="template.sent").count() == 5


async def test_two_flushers_on_one_due_set_send_each_message_once(
    db: str, rt: Runtime, sandbox: Sandbox, sandbox_url: str
) -> None:
    due = await due_messages(rt, 40)
    other = build_runtime(make_settings(db, sandbox_url, rate_limit_mps=1000))

    try:
        one, two = await asyncio.gather(
            flush.flush_scheduled_messages(rt, batch=7, concurrency=4),
            flush.flush_scheduled_messages(other, batch=7, concurrency=4),
        )
    finally:
        await other.aclose()

    assert one.claimed + two.claimed == 40
    assert await statuses(due) == {MessageStatus.SENT: 40}
    assert sent_once(sandbox, due)


async def test_injected_5xx_are_retried_until_all_are_delivered_none_twice(
    rt: Runtime, sandbox: Sandbox, sandbox_url: str
) -> None:
    due = await due_messages(rt, 30)
    await set_faults(sandbox_url, {"rate": 0.3, "kind": "5xx", "path_contains": "/messages"})
    rt.max_attempts = 20

    for _ in range(40):
        # each pass claims what is due, pretending the backoff has elapsed
        await scheduling.process_scheduled_messages(rt, now=utcnow() + timedelta(hours=1))
        if (await statuses(due)).get(MessageStatus.SENT) == 30:
            break

    assert await statuses(due) == {MessageStatus.SENT: 30}
    assert sandbox.stats()["faulted"] > 0
    assert sent_once(sandbox, due)
    attempts = await WhatsAppMessage.filter(id__in=[m.id for m in due]).values_list(
        "attempts", flat=True
    )
    assert max(attempts) > 1


async def test_a_permanent_refusal_fails_with_metas_code(
    rt: Runtime, sandbox: Sandbox, sandbox_url: str
) -> None:
    [message] = await due_messages(rt, 1)
    await set_faults(sandbox_url, {"queue": [{"status": 400, "code": 131009}]})

    result = await scheduling.process_scheduled_messages(rt)

    assert result.failed == 1
    await message.refresh_from_db()
    assert (message.status, message.error_code) == (MessageStatus.FAILED, 131009)
    assert await WhatsAppAnalyticsEvent.filter(name="template.failed").count() == 1


async def test_retries_stop_at_the_attempt_limit(
    rt: Runtime, sandbox: Sandbox, sandbox_url: str
) -> None:
    [message] = await due_messages(rt, 1)
    await set_faults(sandbox_url, {"queue": [{"status": 503, "code": 131016}] * 10})
    rt.max_attempts = 3

    for _ in range(5):
        await scheduling.process_scheduled_messages(rt, now=utcnow() + timedelta(hours=1))

    await message.refresh_from_db()
    assert (message.status, message.attempts, message.error_code) == (
        MessageStatus.FAILED,
        3,
        131016,
    )


async def test_throttling_slows_down_without_using_an_attempt(
    rt: Runtime, sandbox: Sandbox, sandbox_url: str
) -> None:
    [message] = await due_messages(rt, 1)
    await set_faults(
        sandbox_url, {"queue": [{"status": 400, "code": 130429}, {"status": 400, "code": 131056}]}
    )

    first = await scheduling.process_scheduled_messages(rt)
    await message.refresh_from_db()
    assert first.retried == 1
    assert (message.status, message.attempts) == (MessageStatus.SCHEDULED, 0)
    assert message.next_attempt_at > utcnow()  # type: ignore[operator]

    await scheduling.process_scheduled_messages(rt, now=utcnow() + timedelta(minutes=1))
    await scheduling.process_scheduled_messages(rt, now=utcnow() + timedelta(minutes=2))

    await message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 1


async def test_the_rate_limit_is_never_exceeded(
    db: str, sandbox: Sandbox, sandbox_url: str
) -> None:
    async with httpx.AsyncClient() as http:
        await http.put(f"{sandbox_url}/_sandbox/config", json={"rate_limit_mps": 25})
    rt = build_runtime(make_settings(db, sandbox_url, rate_limit_mps=25))
    try:
        due = await due_messages(rt, 60)
        await flush.flush_scheduled_messages(rt, concurrency=32)
    finally:
        await rt.aclose()
        async with httpx.AsyncClient() as http:
            await http.put(f"{sandbox_url}/_sandbox/config", json={"rate_limit_mps": 80})

    stats = sandbox.stats()["per_phone_number"]
    [number] = stats.values()
    assert await statuses(due) == {MessageStatus.SENT: 60}
    assert number["rate_limited"] == 0
    assert number["peak_mps"] <= 25


async def test_a_message_whose_window_closed_fails_without_calling_meta(
    rt: Runtime, sandbox: Sandbox
) -> None:
    [message] = await due_messages(rt, 1, template=False)
    await WhatsAppMessage.filter(direction="INBOUND").update(
        received_at=utcnow() - timedelta(hours=25)
    )

    await scheduling.process_scheduled_messages(rt)

    await message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "24-hour" in (message.error_title or "")
    assert sandbox.stats()["messages"]["accepted"] == 0


async def test_an_abandoned_send_fails_by_default(rt: Runtime, sandbox: Sandbox) -> None:
    [message] = await due_messages(rt, 1)
    await WhatsAppMessage.filter(id=message.id).update(  # claimed, as a sweep claims
        status=MessageStatus.SENDING, attempts=1, lease_expires_at=utcnow() - timedelta(seconds=1)
    )

    result = await scheduling.process_scheduled_messages(rt)

    assert result.recovered == 1
    await message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.error_title == scheduling.LEASE_LOST_TITLE
    assert sandbox.stats()["messages"]["accepted"] == 0


async def test_an_abandoned_send_is_retried_when_configured(rt: Runtime, sandbox: Sandbox) -> None:
    [message] = await due_messages(rt, 1)
    await WhatsAppMessage.filter(id=message.id).update(  # claimed, as a sweep claims
        status=MessageStatus.SENDING, attempts=1, lease_expires_at=utcnow() - timedelta(seconds=1)
    )
    rt.lease_recovery = "retry"

    await scheduling.process_scheduled_messages(rt)
    await scheduling.process_scheduled_messages(rt)

    await message.refresh_from_db()
    assert message.status == MessageStatus.SENT


async def test_the_per_message_job_sends_only_a_due_scheduled_message(
    rt: Runtime, sandbox: Sandbox
) -> None:
    [due] = await due_messages(rt, 1)
    future = await messaging.send_template(
        rt,
        to="15558888888",
        name="hello_world",
        language="en_US",
        schedule_for=utcnow() + timedelta(hours=1),
    )

    assert await scheduling.deliver_due_message(rt, due.id)
    assert not await scheduling.deliver_due_message(rt, due.id)  # already sent
    assert not await scheduling.deliver_due_message(rt, future.message.id)  # not due yet
    assert sent_once(sandbox, [due])
