"""A deploy stops a worker mid-flush (SIGTERM): it exits 0, nothing it did not hand to Meta is
failed, nothing is sent twice, and the next worker sends the rest — every message once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from models import MessageStatus
from tests.conftest import wait_for as poll
from tests.processes import Processes
from tests.reliability.deployment import by_status, due_messages, settled, start_sandbox, worker
from tests.workers import forget_queue, new_queue_name

pytestmark = pytest.mark.reliability

MESSAGES = 600


@pytest.fixture
async def queue_name(services: tuple[str, str]) -> AsyncIterator[str]:
    name = new_queue_name()
    yield name
    await forget_queue(services[1], name)


async def test_sigterm_mid_flush_fails_nothing_unsent_and_sends_each_message_once(
    db: str, services: tuple[str, str], processes: Processes, queue_name: str
) -> None:
    # given: 600 due messages and a worker flushing them at 200 a second
    _, redis_url = services
    sandbox = await start_sandbox(processes)
    due = await due_messages(db, sandbox.url, MESSAGES)
    pace = {"WAGRAPH_RATE_LIMIT_MPS": "200", "WAGRAPH_SHUTDOWN_GRACE": "30"}
    first = worker(processes, "worker-1", db, sandbox, redis_url, queue_name, **pace)

    # when: a deploy stops it about a second into the flush
    await poll(lambda: sandbox.received_at_least(150), timeout=60)
    first.terminate()

    # then: it exits 0; every message Meta did not receive is SCHEDULED, none failed or sent twice
    assert await first.exited(60) == 0, first.tail()
    got = await sandbox.received()
    assert not {m: n for m, n in got.items() if n > 1}, "sent twice"
    now = await by_status(due)
    assert set(now) <= {MessageStatus.SENT, MessageStatus.SCHEDULED}, processes.tails()
    assert all(got[m] == 1 for m in now.get(MessageStatus.SENT, []))
    assert not any(got[m] for m in now.get(MessageStatus.SCHEDULED, []))
    assert 150 <= len(now.get(MessageStatus.SENT, [])) < MESSAGES

    # and: the next worker sends the rest, each message received exactly once
    second = worker(processes, "worker-2", db, sandbox, redis_url, queue_name, **pace)
    await settled(due, processes, timeout=60)
    second.terminate()
    assert await second.exited(60) == 0, second.tail()
    got = await sandbox.received()
    assert [got[str(m)] for m in due] == [1] * MESSAGES
    assert sum(got.values()) == MESSAGES
