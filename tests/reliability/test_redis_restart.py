"""Redis restarted mid-flush of 2,000 scheduled messages: the two workers keep running through
the outage (no one restarts them), and every message is delivered, once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import wait_for as poll
from tests.processes import Processes
from tests.reliability.deployment import due_messages, logged, settled, start_sandbox, worker
from tests.services import ThrowawayRedis, throwaway_redis
from tests.workers import new_queue_name

pytestmark = pytest.mark.reliability

MESSAGES = 2000


@pytest.fixture
def redis() -> Iterator[ThrowawayRedis]:
    with throwaway_redis() as server:
        yield server


async def test_redis_restarted_mid_flush_every_message_is_delivered_once(
    db: str, processes: Processes, redis: ThrowawayRedis
) -> None:
    # given: 2,000 due messages and two workers flushing them, 400 a second between them
    sandbox = await start_sandbox(processes)
    due = await due_messages(db, sandbox.url, MESSAGES)
    queue = new_queue_name()
    pace = {"WAGRAPH_RATE_LIMIT_MPS": "400", "WAGRAPH_SHUTDOWN_GRACE": "30"}
    workers = [
        worker(processes, f"worker-{i}", db, sandbox, redis.url, queue, **pace) for i in (1, 2)
    ]
    await poll(lambda: sandbox.received_at_least(300), timeout=60)

    # when: Redis dies under them (its data gone) and comes back once both have noticed
    redis.stop()
    for each in workers:
        await logged(each, f"127.0.0.1:{redis.port}", "unreachable", timeout=30)
    redis.start()
    at_restart = sum((await sandbox.received()).values())

    # then: the same two processes finish the flush; Meta received every message exactly once
    await settled(due, processes, timeout=90)
    assert at_restart < MESSAGES, "the flush was over before Redis came back: nothing proven"
    assert all(each.running for each in workers), processes.tails()
    got = await sandbox.received()
    assert [got[str(m)] for m in due] == [1] * MESSAGES
    assert sum(got.values()) == MESSAGES

    for each in workers:
        each.terminate()
    for each in workers:
        assert await each.exited(60) == 0, each.tail()
