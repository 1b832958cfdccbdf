"""Two deployments on one Redis database (each its own WAGRAPH_QUEUE_NAME) are isolated: each
one's workers run each of its periodic ticks, and each one's bookings are its own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from jobs.queue import JobQueue
from jobs.worker import build_worker
from sandbox import Sandbox
from tests import workers
from tests.conftest import make_settings
from tests.conftest import wait_for as poll
from tests.workers import forget_queue, new_queue_name, running
from whatsapp.kit.clock import utcnow

PERIODIC = "webhooks.sweep"  # every second, on both deployments

redis_url = workers.redis_url


@pytest.fixture
async def two_queues(redis_url: str) -> AsyncIterator[tuple[str, str]]:
    """Two deployments' queue names; every key either left behind is removed after."""
    names = (new_queue_name(), new_queue_name())
    yield names
    for name in names:
        await forget_queue(redis_url, name)


async def test_each_deployment_runs_its_own_periodic_ticks(
    db: str, sandbox: Sandbox, sandbox_url: str, redis_url: str, two_queues: tuple[str, str]
) -> None:
    # given: one worker per deployment, both on the same Redis database, each noting the
    # ticks (arq's per-tick job id ends with it) of the periodic job it runs
    ran: dict[str, set[str]] = {name: set() for name in two_queues}

    def noting(name: str) -> Callable[[dict[str, Any]], Awaitable[None]]:
        async def on_job_start(ctx: dict[str, Any]) -> None:
            if PERIODIC in ctx["job_id"]:
                ran[name].add(ctx["job_id"].rsplit(":", 1)[-1])

        return on_job_start

    workers = [
        build_worker(
            make_settings(db, sandbox_url, redis_url=redis_url, queue_name=name),
            handle_signals=False,
            poll_delay=0.05,
            on_job_start=noting(name),
        )
        for name in two_queues
    ]
    async with running(workers[0]), running(workers[1]):
        # when: they run side by side for a few ticks; then: the same second's sweep ran for
        # each deployment (with a shared job id only one of them books, so runs, each tick)
        a, b = two_queues
        await poll(lambda: len(ran[a] & ran[b]) >= 3, timeout=30)


async def test_each_deployment_books_its_own_delivery_jobs(
    redis_url: str, two_queues: tuple[str, str]
) -> None:
    queues = [await JobQueue.connect(redis_url, name) for name in two_queues]
    try:
        message_id, when = uuid.uuid4(), utcnow() + timedelta(hours=1)
        for queue in queues:
            await queue.schedule_delivery(message_id, when)
            await queue.schedule_delivery(message_id, when)  # a repeat is still a no-op

        booked = [await queue.pool.zrange(queue.queue_name, 0, -1) for queue in queues]
    finally:
        for queue in queues:
            await queue.aclose()

    assert [len(ids) for ids in booked] == [1, 1]
    assert all(name.encode() in ids[0] for name, ids in zip(two_queues, booked, strict=True))
