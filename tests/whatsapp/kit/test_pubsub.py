"""A Redis pub/sub channel through a Redis outage: whoever starts or publishes is never held
up, the outage is one line when it starts and one when it ends, and the receiver hears the
channel again once Redis is back."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.conftest import wait_for
from tests.services import ThrowawayRedis
from tests.services import redis as redis  # a fixture
from whatsapp.kit.pubsub import FLUSH_S, RedisChannel


def outage_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "whatsapp.kit.pubsub" and r.levelno >= logging.WARNING
    ]


async def test_a_channel_rides_out_a_redis_outage_with_one_line_each_way(
    redis: ThrowawayRedis, caplog: pytest.LogCaptureFixture
) -> None:
    heard: list[bytes | str] = []
    channel = RedisChannel(redis.url, "test:outage", outbox=100, what="test", receive=heard.append)
    redis.stop()
    loop = asyncio.get_running_loop()
    try:
        # starting while Redis is away gives up waiting for the subscription, and serves
        started = loop.time()
        await channel.start(subscribed_within=FLUSH_S)
        assert loop.time() - started < FLUSH_S + 1

        # many messages published into the outage: one line, not one per message or retry
        for i in range(20):
            assert channel.publish(f"lost {i}")
        await wait_for(lambda: channel._outbox.empty(), timeout=10)
        lines = outage_lines(caplog)
        assert len(lines) == 1, lines
        assert "unreachable" in lines[0] and str(redis.port) in lines[0]

        # Redis is back: the receiver is subscribed again and hears what is published now
        redis.start()

        async def heard_after_return() -> bool:
            channel.publish("after")
            await asyncio.sleep(0.05)
            return any(m in (b"after", "after") for m in heard)

        await wait_for(heard_after_return, timeout=15)
        lines = outage_lines(caplog)
        assert len(lines) == 2, lines
        assert "is back after" in lines[1]
    finally:
        await channel.aclose()
