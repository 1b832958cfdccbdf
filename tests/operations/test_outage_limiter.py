"""The shared rate limiter while its Redis is away: sends go on, each process paced at its
share of the limit (never faster), and the shared budget is used again once Redis answers;
one log line each way."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from app.runtime import build_runtime
from models import MessageStatus
from sandbox import Sandbox
from tests.conftest import make_settings
from tests.conftest import wait_for as poll
from tests.services import ThrowawayRedis, throwaway_redis
from tests.whatsapp.messages.test_scheduling import due_messages, sent_once, statuses
from whatsapp.cloud import ratelimit
from whatsapp.cloud.ratelimit import HEADROOM, RedisLimiter
from whatsapp.messages import flush
from whatsapp.runtime import Runtime

NUMBER = "106540352242922"


@pytest.fixture
def redis() -> Iterator[ThrowawayRedis]:
    with throwaway_redis() as server:
        yield server


@pytest.fixture
def quick_registration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "REGISTER_EVERY_S", 0.05)


@pytest.fixture
async def two_processes(
    redis: ThrowawayRedis, quick_registration: None
) -> AsyncIterator[tuple[RedisLimiter, RedisLimiter]]:
    """Two limiters on one Redis, as two workers would have, each knowing of the other."""
    first, second = RedisLimiter(redis.url, 100), RedisLimiter(redis.url, 100)
    try:
        await poll(lambda: first.known_processes == second.known_processes == 2)
        yield first, second
    finally:
        await first.aclose()
        await second.aclose()


def lines(caplog: pytest.LogCaptureFixture, words: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if words in r.getMessage()]


async def paced(limiter: RedisLimiter, n: int) -> float:
    """Seconds taken by n sends' worth of slots on one number."""
    started = time.monotonic()
    for _ in range(n):
        await limiter.acquire(NUMBER)
    return time.monotonic() - started


async def test_redis_away_paces_each_process_at_its_share_then_shares_again(
    two_processes: tuple[RedisLimiter, RedisLimiter],
    redis: ThrowawayRedis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first, second = two_processes
    share_interval = 1 / (100 * HEADROOM / 2)

    redis.stop()
    took = await paced(first, 21)  # no exception: degraded, not failing

    # 20 intervals at half the rate: the two processes together stay under the limit
    assert first.degraded is not None
    assert took >= 20 * share_interval * 0.98, took
    # one line per process (the second notices through its registration), not per send
    assert len(lines(caplog, "unreachable")) == 2
    assert "1/2 of the limit, 50 msg/s per number" in lines(caplog, "unreachable")[0]

    # back: probed within a second or so, the shared budget is used again
    redis.start()

    async def shared_again() -> bool:
        await first.acquire(NUMBER)
        return first.degraded is None

    await poll(shared_again, timeout=5)
    await poll(lambda: second.degraded is None, timeout=5)
    assert len(lines(caplog, "is back after")) == 2
    assert len(lines(caplog, "unreachable")) == 2


async def test_while_degraded_redis_is_probed_at_most_every_second(
    redis: ThrowawayRedis, quick_registration: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    limiter = RedisLimiter(redis.url, 1000)
    calls = 0
    script = limiter._script

    async def counted(**kwargs: object) -> object:
        nonlocal calls
        calls += 1
        return await script(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(limiter, "_script", counted)
    try:
        redis.stop()
        started = time.monotonic()
        await paced(limiter, 200)  # about 0.2 s of sends
        elapsed = time.monotonic() - started
    finally:
        await limiter.aclose()
    assert calls <= 2 + elapsed / ratelimit.PROBE_EVERY_S, (calls, elapsed)


@pytest.fixture
async def rt(db: str, sandbox: Sandbox, sandbox_url: str) -> AsyncIterator[Runtime]:
    runtime = build_runtime(make_settings(db, sandbox_url, rate_limit_mps=1000))
    yield runtime
    await runtime.aclose()


async def test_a_sweep_whose_limiter_lost_redis_sends_everything_once(
    rt: Runtime, sandbox: Sandbox, redis: ThrowawayRedis
) -> None:
    due = await due_messages(rt, 5)
    working = rt.limiter
    rt.limiter = RedisLimiter(redis.url, 1000)
    redis.stop()
    try:
        result = await flush.flush_scheduled_messages(rt)
    finally:
        await rt.limiter.aclose()
        rt.limiter = working

    assert (result.claimed, result.sent, result.failed, result.released) == (5, 5, 0, 0)
    assert await statuses(due) == {MessageStatus.SENT: 5}
    assert sent_once(sandbox, due)


async def test_the_registry_forgets_a_process_that_stopped(
    two_processes: tuple[RedisLimiter, RedisLimiter],
) -> None:
    first, second = two_processes
    await second.aclose()  # deregisters
    await poll(lambda: first.known_processes == 1)


def test_limiter_log_names_the_redis_without_password() -> None:
    limiter_location = ratelimit.redis_location("redis://:secret@cache.internal:6380/2")
    assert limiter_location == "redis://cache.internal:6380/2"
    assert logging.getLogger(ratelimit.__name__).name == "whatsapp.cloud.ratelimit"


def test_a_redis_outage_is_told_from_a_redis_that_answers_no() -> None:
    from redis import exceptions as redis_errors

    from whatsapp.kit.outages import is_redis_outage

    outages = [
        redis_errors.ConnectionError("Error 111 connecting"),
        redis_errors.TimeoutError("Timeout reading from socket"),
        redis_errors.BusyLoadingError("Redis is loading the dataset in memory"),
        ConnectionResetError(104, "Connection reset by peer"),
    ]
    answers = [
        redis_errors.ResponseError("READONLY You can't write against a read only replica."),
        redis_errors.AuthenticationError("invalid password"),
        ValueError("a bug"),
    ]
    assert all(is_redis_outage(exc) for exc in outages)
    assert not any(is_redis_outage(exc) for exc in answers)
