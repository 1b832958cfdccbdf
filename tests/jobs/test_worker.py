"""Workers for real: an arq worker on Redis, flush processes racing, and one killed mid-flush."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from app.runtime import build_runtime
from jobs.queue import JobQueue
from jobs.worker import build_worker
from models import MessageStatus, WhatsAppMessage
from sandbox import Sandbox
from tests import workers
from tests.conftest import make_settings
from tests.conftest import wait_for as poll
from tests.processes import ROOT, Process, Processes, deployment_env
from tests.whatsapp.messages.test_scheduling import due_messages, sent_once, statuses
from tests.workers import run_burst
from whatsapp.kit.clock import utcnow
from whatsapp.messages import scheduling
from whatsapp.messages import sending as messaging
from whatsapp.messages.flush import flush_scheduled_messages

redis_url = workers.redis_url
queue_name = workers.queue_name


async def test_an_arq_worker_delivers_a_scheduled_message_on_time(
    db: str, sandbox: Sandbox, sandbox_url: str, redis_url: str, queue_name: str
) -> None:
    # given: the server side books a deferred job when it schedules
    settings = make_settings(db, sandbox_url, redis_url=redis_url, queue_name=queue_name)
    queue = await JobQueue.connect(redis_url, queue_name)
    rt = build_runtime(settings, on_scheduled=queue.schedule_delivery)
    when = utcnow() + timedelta(seconds=1)
    result = await messaging.send_template(
        rt, to="15551112222", name="hello_world", language="en_US", schedule_for=when
    )

    # when: a real worker runs until its queue is empty (burst waits for deferred jobs)
    worker = build_worker(settings, burst=True, handle_signals=False, poll_delay=0.05, cron_jobs=[])
    try:
        await run_burst(worker)
    finally:
        await queue.aclose()
        await rt.aclose()

    # then
    message = await WhatsAppMessage.get(id=result.message.id)
    assert message.status == MessageStatus.SENT
    assert message.sent_at is not None
    assert message.sent_at >= when
    assert sent_once(sandbox, [message])


def flush_process(processes: Processes, name: str, db: str, sandbox_url: str, rate: int) -> Process:
    """`wagraph scheduled flush` in a process of its own, `rate` messages a second; with
    REDIS_URL it shares its rate limit through Redis, like a deployment's workers."""
    extra = {"WAGRAPH_RATE_LIMIT_MPS": str(rate)}
    env = deployment_env(db, sandbox_url, redis_url=os.environ.get("REDIS_URL"), extra=extra)
    return processes.wagraph(
        name, "scheduled", "flush", "--batch", "10", "--concurrency", "4", env=env
    )


async def test_two_worker_processes_send_every_message_exactly_once(
    db: str, sandbox: Sandbox, sandbox_url: str, tmp_path: Path
) -> None:
    rt = build_runtime(make_settings(db, sandbox_url))
    try:
        due = await due_messages(rt, 60)
    finally:
        await rt.aclose()

    with Processes(tmp_path) as processes:
        flushes = [flush_process(processes, f"flush{i}", db, sandbox_url, 1000) for i in range(2)]
        for flush in flushes:
            assert await flush.exited() == 0, flush.tail()

    assert await statuses(due) == {MessageStatus.SENT: 60}
    assert sent_once(sandbox, due)


async def test_a_worker_killed_mid_flush_loses_nothing_and_sends_nothing_twice(
    db: str, sandbox: Sandbox, sandbox_url: str, tmp_path: Path
) -> None:
    # given: 80 due messages and a worker slowed to 20/s by the rate limit
    rt = build_runtime(make_settings(db, sandbox_url))
    try:
        due = await due_messages(rt, 80)
    finally:
        await rt.aclose()
    with Processes(tmp_path) as processes:
        flush = flush_process(processes, "flush", db, sandbox_url, 20)

        # when: it is killed with SIGKILL part-way through
        await poll(lambda: sandbox.stats()["messages"]["accepted"] >= 20, timeout=30)
        flush.kill()
    killed_at = await statuses(due)
    assert killed_at.get(MessageStatus.SENT, 0) < 80

    # then: after the lease expires, another flush accounts for every message
    rt = build_runtime(make_settings(db, sandbox_url, rate_limit_mps=1000))
    try:
        later = utcnow() + timedelta(minutes=5)
        await scheduling.process_scheduled_messages(rt, now=later, limit=1000)
        await flush_scheduled_messages(rt)
    finally:
        await rt.aclose()
    final = await statuses(due)
    assert sum(final.values()) == 80
    assert set(final) <= {MessageStatus.SENT, MessageStatus.FAILED}
    # at most once: nothing was sent twice; whatever was in flight at the kill is FAILED
    # with "outcome unknown", unless Meta's answer had already been recorded
    counts = sandbox.stats()["sends_per_callback_data"]
    assert not sandbox.stats()["duplicate_callback_data"]
    for message in await WhatsAppMessage.filter(id__in=[m.id for m in due]):
        if message.status == MessageStatus.SENT:
            assert counts.get(str(message.id)) == 1
        else:
            assert message.error_title == scheduling.LEASE_LOST_TITLE
            assert counts.get(str(message.id), 0) <= 1


async def test_worker_without_redis_says_so(db: str) -> None:
    env = {**os.environ, "DATABASE_URL": db}
    env.pop("REDIS_URL", None)
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "app.cli", "worker"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert "REDIS_URL is not set" in result.stderr


async def test_scheduled_list_shows_what_waits(db: str, sandbox: Sandbox, sandbox_url: str) -> None:
    rt = build_runtime(make_settings(db, sandbox_url))
    try:
        await messaging.send_template(
            rt,
            to="15553334444",
            name="hello_world",
            language="en_US",
            schedule_for=utcnow() + timedelta(hours=3),
        )
    finally:
        await rt.aclose()
    env = {**os.environ, "DATABASE_URL": db, "COLUMNS": "200"}

    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "app.cli", "scheduled", "list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "15553334444" in result.stdout
