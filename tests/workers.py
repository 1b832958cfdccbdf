"""Workers in tests: the Redis they need, a queue of their own, an arq worker run in the test's
event loop and stopped deterministically, and a rate limiter that cannot decide.

Shared by the worker tests so their teardown is the same everywhere: a worker is stopped the
way SIGTERM stops it (pick nothing new, running jobs finish), then closed; nothing is cancelled
half-way through arq's own bookkeeping (a cancelled `finish_job` outlives the test and fails a
later one), and every Redis client is closed (an unclosed one is a ResourceWarning, an error
under `filterwarnings = error`, in whichever test the garbage collector happens to run).

A test module takes a fixture by naming it: `redis_url = workers.redis_url`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import AsyncIterator

import pytest

from jobs.worker import Worker
from tests.services import throwaway_redis
from whatsapp.cloud.ratelimit import RedisLimiter

STOP_TIMEOUT_S = 30.0


def require_redis() -> str:
    """REDIS_URL; without it a skip, or a failure when WAGRAPH_REQUIRE_SERVICES says CI runs."""
    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("WAGRAPH_REQUIRE_SERVICES"):
            pytest.fail("REDIS_URL must be set when WAGRAPH_REQUIRE_SERVICES is")
        pytest.skip("REDIS_URL is not set (CI's second pass runs these against Redis)")
    return url


@pytest.fixture
def redis_url() -> str:
    return require_redis()


async def forget_queue(redis_url: str, name: str) -> None:
    """Remove every key a deployment with this queue name left on Redis."""
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    try:
        keys = [key async for key in redis.scan_iter(f"*{name}*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


def new_queue_name() -> str:
    return f"wagraph:test:{secrets.token_hex(4)}"


@pytest.fixture
async def queue_name(redis_url: str) -> AsyncIterator[str]:
    """A queue of this test's own, so parallel runs and leftovers never meet."""
    name = new_queue_name()
    yield name
    await forget_queue(redis_url, name)


async def stop_worker(worker: Worker, run: asyncio.Task[None]) -> None:
    """Stop a worker run with `async_run` as SIGTERM would, then close it.

    Its poll loop is cancelled first (no job is picked or booked after that), the jobs it
    started finish (sweeps stop claiming at once: `stopping` is set), and only then is it
    closed — so arq cancels nothing and no task of it outlives the test."""
    stopping: asyncio.Event | None = worker.ctx.get("stopping")
    if stopping is not None:
        stopping.set()
    worker.allow_pick_jobs = False
    # Before `async_run` has started, its task is cancelled instead (it never starts).
    (worker.main_task or run).cancel()
    await asyncio.wait([run])
    jobs = list(worker.tasks.values())
    if jobs:
        _, pending = await asyncio.wait(jobs, timeout=STOP_TIMEOUT_S)
        for job in pending:
            job.cancel()
        if pending:
            await asyncio.wait(pending)
            raise AssertionError(f"{len(pending)} worker jobs still ran {STOP_TIMEOUT_S}s on")
    await worker.close()
    assert not worker.job_tasks, f"worker jobs left running: {list(worker.job_tasks)}"
    error = None if run.cancelled() else run.exception()
    if error is not None:
        raise error


@contextlib.asynccontextmanager
async def running(worker: Worker) -> AsyncIterator[Worker]:
    """The worker runs in this loop for the block, and is stopped and closed after it."""
    run = asyncio.create_task(worker.async_run())
    try:
        yield worker
    finally:
        await stop_worker(worker, run)


async def run_burst(worker: Worker) -> None:
    """A `burst=True` worker runs until its queue is empty, then is closed."""
    try:
        await worker.async_run()
    finally:
        await worker.close()


@contextlib.asynccontextmanager
async def limiter_that_cannot_decide(rate: float = 80) -> AsyncIterator[RedisLimiter]:
    """A limiter whose Redis answers but refuses its writes: a read-only replica (of a master
    that never answers). Not an outage, so it does not fall back to pacing in-process: it
    cannot decide, and raises. Closed after the block."""
    with throwaway_redis("--replicaof", "127.0.0.1", "1") as replica:
        limiter = RedisLimiter(replica.url, rate)
        try:
            yield limiter
        finally:
            await limiter.aclose()
