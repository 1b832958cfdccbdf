"""Redis restarted under a running worker: the worker keeps running, says so once, and the
scheduled messages that fell due are delivered once Redis is back — without a restart. A
signal during the outage still stops it at once, with exit code 0. The server's booking of a
scheduled message does not fail the mutation while Redis is away."""

from __future__ import annotations

import asyncio
import logging
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.runtime import build_runtime
from jobs.queue import JobQueue
from jobs.watch import seen_key
from jobs.worker import Worker, build_worker
from models import MessageStatus, WhatsAppMessage
from sandbox import Sandbox
from tests.conftest import make_settings
from tests.conftest import wait_for as poll
from tests.processes import deployment_env
from tests.services import ThrowawayRedis
from tests.services import redis as redis  # a fixture
from tests.whatsapp.messages.test_scheduling import due_messages, sent_once, statuses
from whatsapp.kit.clock import utcnow
from whatsapp.messages import sending as messaging
from whatsapp.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def rt(db: str, sandbox: Sandbox, sandbox_url: str) -> AsyncIterator[Runtime]:
    runtime = build_runtime(make_settings(db, sandbox_url, rate_limit_mps=1000))
    yield runtime
    await runtime.aclose()


def lines(
    caplog: pytest.LogCaptureFixture, words: str, logger: str = "wagraph.worker"
) -> list[str]:
    """The worker's own lines with these words. Each user of Redis in the process (arq, the
    rate limiter, the live-update channel) reports its outage once, in its own logger."""
    return [r.getMessage() for r in caplog.records if r.name == logger and words in r.getMessage()]


async def heartbeat_written(redis: ThrowawayRedis, queue_name: str) -> bool:
    from redis.asyncio import Redis

    client = Redis.from_url(redis.url)
    try:
        return bool(await client.exists(seen_key(queue_name)))
    finally:
        await client.aclose()


async def all_sent(messages: list[WhatsAppMessage]) -> bool:
    return await statuses(messages) == {MessageStatus.SENT: len(messages)}


async def stop_worker(worker: Worker, task: asyncio.Task[None]) -> None:
    worker.handle_sig(signal.SIGINT)
    with pytest.raises(asyncio.CancelledError):
        await task
    await worker.close()


async def test_a_worker_rides_out_a_redis_restart_and_delivers_what_fell_due(
    db: str,
    sandbox: Sandbox,
    sandbox_url: str,
    rt: Runtime,
    redis: ThrowawayRedis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given: a worker running (not burst) on a Redis of its own
    caplog.set_level(logging.INFO)
    settings = make_settings(
        db, sandbox_url, redis_url=redis.url, rate_limit_mps=1000, redis_retry_max_s=0.5
    )
    worker = build_worker(settings, handle_signals=False, poll_delay=0.05)
    task = asyncio.create_task(worker.async_run())
    await poll(lambda: heartbeat_written(redis, settings.queue_name), timeout=10)

    # when: Redis dies, messages fall due while it is away, and it comes back empty
    redis.stop()
    await poll(lambda: lines(caplog, "unreachable"), timeout=10)
    due = await due_messages(rt, 3)
    await poll(lambda: worker.redis_outage.down_for_s > 1.5, timeout=10)  # several retries
    redis.start()

    # then: the worker carries on, says so once each way, and the sweep sends each once
    try:
        await poll(lambda: lines(caplog, "is back after"), timeout=10)
        await poll(lambda: all_sent(due), timeout=20)
        assert not task.done()
        assert sent_once(sandbox, due)
        assert len(lines(caplog, "unreachable")) == 1, lines(caplog, "unreachable")
        assert "retrying every ≤0.5s" in lines(caplog, "unreachable")[0]
        assert len(lines(caplog, "is back after")) == 1
    finally:
        await stop_worker(worker, task)


def worker_process(db: str, sandbox_url: str, redis_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = deployment_env(
        db, sandbox_url, redis_url=redis_url, extra={"WAGRAPH_REDIS_RETRY_MAX": "1"}
    )
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker"], cwd=ROOT, env=env, stderr=out, stdout=out
        )


async def test_sigterm_during_a_redis_outage_exits_zero_at_once(
    db: str, sandbox_url: str, redis: ThrowawayRedis, tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    process = worker_process(db, sandbox_url, redis.url, log)
    try:
        await poll(lambda: heartbeat_written(redis, "wagraph:queue"), timeout=30)
        redis.stop()
        await poll(lambda: "unreachable" in log.read_text(), timeout=10)
        process.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(process.wait, 10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    text = log.read_text()
    assert code == 0, text
    assert text.count("unreachable") == 1, text
    assert "Traceback" not in text, text


async def test_scheduling_while_redis_is_away_stores_the_message_and_logs_once(
    db: str,
    sandbox: Sandbox,
    sandbox_url: str,
    redis: ThrowawayRedis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = make_settings(db, sandbox_url, redis_url=redis.url)
    queue = await JobQueue.connect(redis.url, "wagraph:test:away")
    rt = build_runtime(settings, on_scheduled=queue.schedule_delivery)
    redis.stop()
    try:
        scheduled = [
            await messaging.send_template(
                rt,
                to=f"1555000{i:04d}",
                name="hello_world",
                language="en_US",
                schedule_for=utcnow() + timedelta(minutes=10),
            )
            for i in range(3)
        ]
        redis.start()
        await messaging.send_template(
            rt,
            to="15550009999",
            name="hello_world",
            language="en_US",
            schedule_for=utcnow() + timedelta(minutes=10),
        )
    finally:
        await queue.aclose()
        await rt.aclose()

    for result in scheduled:
        row = await WhatsAppMessage.get(id=result.message.id)
        assert row.status == MessageStatus.SCHEDULED
    booking = [r.getMessage() for r in caplog.records if r.name == "wagraph.queue"]
    assert len(booking) == 2, booking  # one line when it went, one when it came back
    assert "while booking scheduled messages (the sweep sends them)" in booking[0]
    assert booking[1].startswith("Redis is back after")


async def test_a_worker_started_while_redis_is_away_waits_for_it(
    db: str, sandbox_url: str, redis: ThrowawayRedis, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(db, sandbox_url, redis_url=redis.url, redis_retry_max_s=0.5)
    redis.stop()
    worker = build_worker(settings, handle_signals=False, poll_delay=0.05, cron_jobs=[])
    task = asyncio.create_task(worker.async_run())
    try:
        await poll(lambda: lines(caplog, "while starting"), timeout=10)
        redis.start()
        await poll(lambda: heartbeat_written(redis, settings.queue_name), timeout=10)
        assert not task.done()
        assert len(lines(caplog, "unreachable")) == 1
        assert len(lines(caplog, "is back after")) == 1
    finally:
        await stop_worker(worker, task)
