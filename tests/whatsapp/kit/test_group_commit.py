"""GroupCommit: concurrent callers share batch calls, each gets its own answer or the batch's
error, and no caller's cancellation costs the others theirs."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from whatsapp.kit.group_commit import GroupCommit


class Recorder:
    """A batch call that doubles each item, after a gate the test opens."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail_next = False

    async def __call__(self, items: Sequence[int]) -> list[int]:
        self.batches.append(list(items))
        await self.gate.wait()
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("the database went away")
        return [item * 2 for item in items]


async def test_a_lone_caller_is_a_batch_of_one() -> None:
    call = Recorder()
    group: GroupCommit[int, int] = GroupCommit(call)

    assert await group(21) == 42
    assert call.batches == [[21]]


async def test_callers_arriving_during_a_batch_share_the_next_one_in_order() -> None:
    # given: the first write is on its way
    call = Recorder()
    call.gate.clear()
    group: GroupCommit[int, int] = GroupCommit(call)
    first = asyncio.create_task(group(1))
    await asyncio.sleep(0)

    # when: nine more arrive before it returns
    rest = [asyncio.create_task(group(n)) for n in range(2, 11)]
    await asyncio.sleep(0)
    call.gate.set()
    answers = await asyncio.gather(first, *rest)

    # then: two batch calls, each caller its own answer
    assert call.batches == [[1], list(range(2, 11))]
    assert answers == [n * 2 for n in range(1, 11)]
    assert group.batches == 2


async def test_batches_never_exceed_max_batch() -> None:
    call = Recorder()
    call.gate.clear()
    group: GroupCommit[int, int] = GroupCommit(call, max_batch=4)
    tasks = [asyncio.create_task(group(n)) for n in range(10)]
    await asyncio.sleep(0)
    call.gate.set()

    assert await asyncio.gather(*tasks) == [n * 2 for n in range(10)]
    assert [len(batch) for batch in call.batches] == [4, 4, 2]


async def test_a_failed_batch_fails_its_callers_only() -> None:
    # given: the next batch will fail
    call = Recorder()
    call.gate.clear()
    call.fail_next = True
    group: GroupCommit[int, int] = GroupCommit(call)
    doomed = [asyncio.create_task(group(n)) for n in (1, 2)]
    await asyncio.sleep(0)

    # when
    call.gate.set()
    results = await asyncio.gather(*doomed, return_exceptions=True)

    # then: both callers see the error, and the next caller is written afresh
    assert [type(r) for r in results] == [ConnectionError, ConnectionError]
    assert await group(3) == 6


async def test_a_cancelled_caller_leaves_the_batch_to_the_others() -> None:
    call = Recorder()
    call.gate.clear()
    group: GroupCommit[int, int] = GroupCommit(call)
    leaving = asyncio.create_task(group(1))
    staying = asyncio.create_task(group(2))
    await asyncio.sleep(0)

    leaving.cancel()
    call.gate.set()

    assert await staying == 4
    with pytest.raises(asyncio.CancelledError):
        await leaving
    assert call.batches == [[1, 2]]


async def test_a_batch_call_answering_the_wrong_number_of_items_is_an_error() -> None:
    async def short(items: Sequence[int]) -> list[int]:
        return []

    group: GroupCommit[int, int] = GroupCommit(short)

    with pytest.raises(RuntimeError, match="0 answers for a batch of 1"):
        await group(1)


def test_max_batch_must_be_positive() -> None:
    async def call(items: Sequence[int]) -> list[int]:
        return list(items)

    with pytest.raises(ValueError, match="at least 1"):
        GroupCommit(call, max_batch=0)
