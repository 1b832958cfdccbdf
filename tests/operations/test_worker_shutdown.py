"""Nothing is failed that was not attempted: a send counts as "outcome unknown" only if its
request may have reached Meta. Whatever is interrupted before — a SIGTERM, a rate limiter that
cannot decide, a database error, a cancelled task — goes back to SCHEDULED untouched; an
immediate send interrupted before its hand-over is withdrawn, or sent by its retry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.runtime import build_runtime
from models import MessageDirection, MessageStatus, WhatsAppMessage
from sandbox import Sandbox
from tests import workers
from tests.conftest import make_settings
from tests.conftest import wait_for as poll
from tests.processes import Process, Processes, deployment_env
from tests.whatsapp.messages.test_scheduling import due_messages, sent_once, statuses
from tests.workers import limiter_that_cannot_decide
from whatsapp.cloud.ratelimit import InProcessLimiter
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.messages import delivery, flush, scheduling
from whatsapp.messages import sending as messaging
from whatsapp.runtime import Runtime

redis_url = workers.redis_url
queue_name = workers.queue_name


@pytest.fixture
async def rt(db: str, sandbox: Sandbox, sandbox_url: str) -> AsyncIterator[Runtime]:
    runtime = build_runtime(make_settings(db, sandbox_url, rate_limit_mps=1000))
    yield runtime
    await runtime.aclose()


async def paced_at(rt: Runtime, rate: float) -> None:
    """Slow the runtime's sends to `rate` a second (its own limiter, closed first)."""
    await rt.limiter.aclose()
    rt.limiter = InProcessLimiter(rate)


async def rows(messages: list[WhatsAppMessage]) -> list[WhatsAppMessage]:
    return await WhatsAppMessage.filter(id__in=[m.id for m in messages])


def only_what_was_sent(sandbox: Sandbox, stored: list[WhatsAppMessage]) -> None:
    """Every message SENT once (and Meta got it once) or SCHEDULED as it was (Meta never got
    it, no attempt used, no error); none FAILED, none sent twice."""
    counts = sandbox.stats()["sends_per_callback_data"]
    assert not sandbox.stats()["duplicate_callback_data"]
    for message in stored:
        if message.status == MessageStatus.SENT:
            assert counts.get(str(message.id)) == 1
        else:
            assert message.status == MessageStatus.SCHEDULED, (message.status, message.error_title)
            assert str(message.id) not in counts
            assert message.attempts == 0
            assert message.error_title is None
            assert message.lease_expires_at is None


# -- the rate limiter cannot decide (its Redis refuses writes) -------------------------------


async def test_a_failing_limiter_gives_claimed_messages_back_unsent(
    rt: Runtime, sandbox: Sandbox
) -> None:
    due = await due_messages(rt, 5)
    working = rt.limiter
    async with limiter_that_cannot_decide() as undecided:
        rt.limiter = undecided
        try:
            result = await flush.flush_scheduled_messages(rt)
        finally:
            rt.limiter = working

    assert (result.claimed, result.sent, result.failed, result.released) == (5, 0, 0, 5)
    assert await statuses(due) == {MessageStatus.SCHEDULED: 5}
    only_what_was_sent(sandbox, await rows(due))

    # once the lease would have run out, nothing is failed "outcome unknown"; and once the
    # limiter answers again, every message goes, once
    later = await scheduling.process_scheduled_messages(
        rt, now=utcnow() + timedelta(minutes=5), limit=0
    )
    assert later.recovered == 0
    await flush.flush_scheduled_messages(rt)
    assert await statuses(due) == {MessageStatus.SENT: 5}
    assert sent_once(sandbox, due)


async def test_a_send_now_whose_limiter_fails_is_a_retryable_error_and_sends_nothing(
    rt: Runtime, sandbox: Sandbox, customer: str
) -> None:
    working = rt.limiter
    async with limiter_that_cannot_decide() as undecided:
        rt.limiter = undecided
        try:
            with pytest.raises(WagraphError) as refused:
                await messaging.send_message(
                    rt, to=customer, content={"text": {"body": "hi"}}, idempotency_key="k-1"
                )
        finally:
            rt.limiter = working

    assert refused.value.code == ErrorCode.RATE_LIMITED
    assert "try again" in str(refused.value)
    assert (
        await WhatsAppMessage.filter(
            customer_wa_id=customer, direction=MessageDirection.OUTBOUND
        ).count()
        == 0
    )
    assert sandbox.stats()["messages"]["accepted"] == 0

    # the retry, under the same idempotency key, sends it
    retried = await messaging.send_message(
        rt, to=customer, content={"text": {"body": "hi"}}, idempotency_key="k-1"
    )
    assert retried.problem is None and not retried.replayed
    assert retried.message.status == MessageStatus.SENT


async def test_graphql_send_message_says_rate_limited_not_internal(
    client: Any, gql: Any, customer: str, sandbox: Sandbox
) -> None:
    runtime: Runtime = client.app.state.runtime
    working = runtime.limiter
    async with limiter_that_cannot_decide() as undecided:
        runtime.limiter = undecided
        try:
            body = await gql(
                """mutation($input: SendMessageInput!) {
                     sendMessage(input: $input) { message { id } errors { code message } } }""",
                {"input": {"to": customer, "content": {"text": {"body": "hi"}}}},
            )
        finally:
            runtime.limiter = working

    codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
    codes += [
        e["code"] for e in ((body.get("data") or {}).get("sendMessage") or {}).get("errors") or []
    ]
    assert codes == ["RATE_LIMITED"], body
    assert sandbox.stats()["messages"]["accepted"] == 0


# -- a database error, or a cancelled sender, before the call ---------------------------------


async def test_a_database_error_before_sending_gives_the_batch_back(
    rt: Runtime, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    due = await due_messages(rt, 4)

    async def database_gone(*args: Any) -> Any:
        raise ConnectionError("database connection lost")

    monkeypatch.setattr(scheduling, "marketing_templates", database_gone)
    with pytest.raises(ConnectionError):
        await scheduling.process_scheduled_messages(rt)

    assert await statuses(due) == {MessageStatus.SCHEDULED: 4}
    only_what_was_sent(sandbox, await rows(due))


async def the_database_dies_at_hand_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """The request's row is stored, then the database goes away before it is handed over (as
    when PostgreSQL stops between the INSERT's commit and the next statement)."""

    async def database_gone(*args: Any) -> Any:
        raise ConnectionError("database connection lost")

    monkeypatch.setattr(delivery, "_hand_over", database_gone)


async def test_a_send_whose_request_died_before_hand_over_is_sent_by_its_retry(
    rt: Runtime, sandbox: Sandbox, customer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = {"to": customer, "content": {"text": {"body": "hi"}}, "idempotency_key": "k-died"}
    with monkeypatch.context() as patched:
        await the_database_dies_at_hand_over(patched)
        with pytest.raises(ConnectionError):
            await messaging.send_message(rt, **send)
    [stored] = await WhatsAppMessage.filter(idempotency_key="k-died")
    assert (stored.status, stored.attempts) == (MessageStatus.SENDING, 0)
    assert sandbox.stats()["messages"]["accepted"] == 0

    # the client retries under the same key: that retry sends the stored message, once
    retried = await messaging.send_message(rt, **send)
    assert retried.replayed and retried.problem is None
    assert retried.message.id == stored.id
    assert retried.message.status == MessageStatus.SENT
    assert sent_once(sandbox, [stored])

    # and a further retry only reads the outcome
    again = await messaging.send_message(rt, **send)
    assert again.replayed and again.message.status == MessageStatus.SENT
    assert sent_once(sandbox, [stored])


async def test_a_send_never_handed_over_and_never_retried_is_withdrawn_not_failed(
    rt: Runtime, sandbox: Sandbox, customer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patched:
        await the_database_dies_at_hand_over(patched)
        with pytest.raises(ConnectionError):
            await messaging.send_message(
                rt, to=customer, content={"text": {"body": "hi"}}, idempotency_key="k-gone"
            )

    result = await scheduling.process_scheduled_messages(
        rt, now=utcnow() + timedelta(minutes=5), limit=0
    )

    assert result.recovered == 0  # nothing failed as "outcome unknown"
    assert not await WhatsAppMessage.filter(idempotency_key="k-gone").exists()
    assert sandbox.stats()["messages"]["accepted"] == 0


async def test_a_cancelled_sweep_fails_nothing_it_did_not_send(
    rt: Runtime, sandbox: Sandbox
) -> None:
    # given: a sweep paced at 5 messages a second, part-way through
    due = await due_messages(rt, 20)
    await paced_at(rt, 5)
    sweep = asyncio.create_task(flush.flush_scheduled_messages(rt, concurrency=20))
    await poll(lambda: sandbox.stats()["messages"]["accepted"] >= 3, timeout=30)

    # when: it is cancelled
    sweep.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sweep

    # then: what Meta got is SENT (or, at worst, SENDING: its answer may not have been
    # recorded); everything else is SCHEDULED, untouched
    stored = await rows(due)
    in_flight = [m for m in stored if m.status == MessageStatus.SENDING]
    assert all(str(m.id) in sandbox.stats()["sends_per_callback_data"] for m in in_flight)
    only_what_was_sent(sandbox, [m for m in stored if m.status != MessageStatus.SENDING])
    assert await statuses(due) != {MessageStatus.SENT: 20}


async def test_a_stopping_sweep_claims_nothing_more_and_gives_back_the_rest(
    rt: Runtime, sandbox: Sandbox
) -> None:
    due = await due_messages(rt, 20)
    await paced_at(rt, 5)
    stop = asyncio.Event()
    sweep = asyncio.create_task(
        flush.flush_scheduled_messages(rt, batch=5, concurrency=5, stop=stop)
    )
    await poll(lambda: sandbox.stats()["messages"]["accepted"] >= 3, timeout=30)

    stop.set()
    result = await sweep

    stored = await rows(due)
    only_what_was_sent(sandbox, stored)
    sent = sum(m.status == MessageStatus.SENT for m in stored)
    assert result.sent == sent < 20
    assert result.released + sent <= result.claimed


# -- SIGTERM on `wagraph worker` --------------------------------------------------------------


def worker_process(
    processes: Processes, db: str, sandbox_url: str, redis_url: str, queue_name: str
) -> Process:
    """`wagraph worker` in a process of its own, sending 20 messages a second."""
    extra = {
        "WAGRAPH_QUEUE_NAME": queue_name,
        "WAGRAPH_RATE_LIMIT_MPS": "20",
        "WAGRAPH_SHUTDOWN_GRACE": "30",
    }
    env = deployment_env(db, sandbox_url, redis_url=redis_url, extra=extra)
    return processes.wagraph("worker", "worker", env=env)


async def test_sigterm_mid_flush_sends_or_gives_back_every_message_and_exits_0(
    db: str,
    sandbox: Sandbox,
    sandbox_url: str,
    redis_url: str,
    queue_name: str,
    tmp_path: Path,
) -> None:
    # given: 200 due messages, and a worker flushing them at 20 a second
    rt = build_runtime(make_settings(db, sandbox_url))
    try:
        due = await due_messages(rt, 200)
    finally:
        await rt.aclose()
    with Processes(tmp_path) as processes:
        worker = worker_process(processes, db, sandbox_url, redis_url, queue_name)
        await poll(lambda: sandbox.stats()["messages"]["accepted"] >= 20, timeout=60)

        # when: it gets SIGTERM part-way through
        worker.terminate()
        code = await worker.exited(60)

    # then: it exits 0; every message is SENT (Meta got it once) or SCHEDULED untouched
    assert code == 0, worker.tail()
    stored = await rows(due)
    only_what_was_sent(sandbox, stored)
    assert 20 <= sum(m.status == MessageStatus.SENT for m in stored) < 200

    # and the next flush sends the rest, once (at Meta's pace, so none is throttled)
    rt = build_runtime(make_settings(db, sandbox_url))
    try:
        await flush.flush_scheduled_messages(rt)
    finally:
        await rt.aclose()
    assert await statuses(due) == {MessageStatus.SENT: 200}
    assert sent_once(sandbox, due)
