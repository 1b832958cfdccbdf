"""With REDIS_URL set, scheduled delivery does not hang on a worker being up: a server that
has seen no worker heartbeat for WAGRAPH_WORKER_TIMEOUT (or cannot reach Redis) sends the
due messages itself and hands back when a worker reappears; /readyz says what it knows."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from redis.asyncio import Redis
from starlette.applications import Starlette

from app.cli import serve
from app.runtime import build_runtime
from app.server import create_app
from jobs.watch import Heartbeat
from models import MessageStatus
from sandbox import Sandbox
from tests.conftest import make_settings
from tests.conftest import wait_for as poll
from tests.services import ThrowawayRedis
from tests.services import redis as redis  # a fixture
from tests.whatsapp.messages.test_scheduling import due_messages, sent_once, statuses
from whatsapp.runtime import Runtime

QUEUE = "wagraph:test:watch"


@pytest.fixture
async def rt(db: str, sandbox: Sandbox, sandbox_url: str) -> AsyncIterator[Runtime]:
    runtime = build_runtime(make_settings(db, sandbox_url, rate_limit_mps=1000))
    yield runtime
    await runtime.aclose()


@asynccontextmanager
async def server(
    db: str, sandbox_url: str, redis: ThrowawayRedis, **settings: Any
) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    app = create_app(
        make_settings(
            db,
            sandbox_url,
            redis_url=redis.url,
            queue_name=QUEUE,
            rate_limit_mps=1000,
            worker_timeout_s=1.0,
            redis_retry_max_s=0.5,
            **settings,
        )
    )
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://wagraph") as client:
            yield app, client


async def beat(redis: ThrowawayRedis) -> None:
    """What a worker writes after each poll."""
    client = Redis.from_url(redis.url)
    try:
        await Heartbeat(QUEUE, every_s=0).beat(client)
    finally:
        await client.aclose()


async def keep_beating(redis: ThrowawayRedis) -> None:
    while True:
        await beat(redis)
        await asyncio.sleep(0.1)  # a worker's poll interval


def lines(caplog: pytest.LogCaptureFixture, words: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if words in r.getMessage()]


async def all_sent(messages: list[Any]) -> bool:
    return await statuses(messages) == {MessageStatus.SENT: len(messages)}


async def test_without_a_worker_the_server_sends_then_hands_back_when_one_appears(
    db: str,
    sandbox: Sandbox,
    sandbox_url: str,
    rt: Runtime,
    redis: ThrowawayRedis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    due = await due_messages(rt, 3)
    async with server(db, sandbox_url, redis, background_interval_s=0.1) as (app, _):
        # no worker for longer than the timeout: this server sweeps
        await poll(lambda: all_sent(due), timeout=10)
        assert sent_once(sandbox, due)
        takeover = lines(caplog, "this server sends the due scheduled messages itself")
        assert len(takeover) == 1 and "no worker seen for" in takeover[0]

        # a worker appears (and keeps beating): the server hands back, once
        worker = asyncio.create_task(keep_beating(redis))
        try:
            await poll(lambda: lines(caplog, "a worker is back (seen"), timeout=10)
            assert app.state.background.watch.sweeping is False
            later = await due_messages(rt, 1)
            watch = app.state.background.watch
            checks_then = watch.checks
            await poll(lambda: watch.checks >= checks_then + 2)  # the sweep loop ran meanwhile
            assert await statuses(later) == {MessageStatus.SCHEDULED: 1}
        finally:
            worker.cancel()
    assert len(lines(caplog, "a worker is back (seen")) == 1
    assert len(lines(caplog, "this server sends the due scheduled messages itself")) == 1


async def test_with_redis_down_the_server_sweeps(
    db: str,
    sandbox: Sandbox,
    sandbox_url: str,
    rt: Runtime,
    redis: ThrowawayRedis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await beat(redis)  # a worker was about, then Redis went
    async with server(db, sandbox_url, redis, background_interval_s=0.1) as (_, client):
        redis.stop()
        due = await due_messages(rt, 2)
        await poll(lambda: all_sent(due), timeout=10)
        ready = (await client.get("/readyz")).json()
    assert ready["status"] == "ready" and ready["redis"] == "down"
    assert lines(caplog, "Redis is unreachable, so no worker can send")
    assert sent_once(sandbox, due)


async def test_readyz_warns_when_scheduled_messages_wait_on_a_worker_nobody_has_seen(
    db: str, sandbox: Sandbox, sandbox_url: str, rt: Runtime, redis: ThrowawayRedis
) -> None:
    async with server(db, sandbox_url, redis) as (_, client):
        quiet = await client.get("/readyz")
        assert quiet.status_code == 200
        assert quiet.json() == {
            "status": "ready",
            "database": "up",
            "redis": "up",
            "worker": {"seen": False, "last_seen_s": None},
            "scheduled_due": 0,
            "warnings": [],
        }

        await due_messages(rt, 2)
        waiting = (await client.get("/readyz")).json()
        assert waiting["scheduled_due"] == 2
        assert len(waiting["warnings"]) == 1
        assert waiting["warnings"][0].startswith(
            "2 scheduled messages are due and no worker has been seen: start `wagraph worker`"
        )

        await beat(redis)
        seen = (await client.get("/readyz")).json()
        assert seen["worker"]["seen"] is True
        assert 0 <= seen["worker"]["last_seen_s"] < 5
        assert seen["warnings"] == []


async def test_readyz_without_redis_says_not_configured(
    db: str, sandbox: Sandbox, sandbox_url: str
) -> None:
    app = create_app(make_settings(db, sandbox_url, redis_url=None))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://wagraph") as client:
            body = (await client.get("/readyz")).json()
    assert body["redis"] == "not configured"
    assert body["warnings"] == []


async def test_the_serve_banner_warns_when_due_messages_wait_on_no_worker(
    db: str,
    sandbox: Sandbox,
    sandbox_url: str,
    rt: Runtime,
    redis: ThrowawayRedis,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings(db, sandbox_url, redis_url=redis.url, queue_name=QUEUE)
    assert await serve.worker_warning(settings) is None  # nothing due: nothing to say

    await due_messages(rt, 1)
    warning = await serve.worker_warning(settings)
    serve.banner(settings, None, warning)
    out = capsys.readouterr().err  # the console writes to stderr
    assert "warning: 1 scheduled messages are due and no worker has been seen" in out

    await beat(redis)
    assert await serve.worker_warning(settings) is None
    no_redis = make_settings(db, sandbox_url, redis_url=None)
    assert await serve.worker_warning(no_redis) is None
