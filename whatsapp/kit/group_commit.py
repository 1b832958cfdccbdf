"""Group commit: concurrent callers' items written by one batch call, each caller its answer.

A burst of webhook deliveries is a burst of one-row INSERTs, each its own statement, round
trip and commit (a WAL flush on PostgreSQL). Here the first caller starts a flush at once;
callers arriving while it is on its way wait for the next one, which takes all of them. So a
lone caller waits for nothing more than its own write, and under load the batch grows with
the load: no timer, no added latency.

The batch call sees items in arrival order and returns one answer per item, in that order.
If it raises, every caller of that batch gets the exception (each then answers as it would
have for its own failed write); the next batch is tried afresh. A caller that stops waiting
(its request cancelled) does not cancel the batch, which runs in a task of its own: the other
callers still need it, and its item may already be written.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Answer = TypeVar("Answer")

BatchCall = Callable[[Sequence[Item]], Awaitable[Sequence[Answer]]]


class GroupCommit(Generic[Item, Answer]):
    """`await group(item)`: `item`'s answer from a batch call shared with concurrent callers.

    One instance per event loop and destination (it keeps the loop's futures); at most
    `max_batch` items per call, and one call at a time, so it also bounds the connections a
    burst takes from the pool to one."""

    def __init__(self, call: BatchCall[Item, Answer], *, max_batch: int = 64) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._call = call
        self._max_batch = max_batch
        self._waiting: list[tuple[Item, asyncio.Future[Answer]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.batches = 0
        """Batch calls made (for tests and benchmarks: how well writes were grouped)."""

    async def __call__(self, item: Item) -> Answer:
        answer: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, answer))
        if self._flusher is None or self._flusher.done():
            # A context of its own: the batch belongs to no one caller's request (log lines).
            self._flusher = asyncio.create_task(self._flush(), context=contextvars.Context())
        return await answer  # cancelling this caller cancels its answer, never the batch

    async def _flush(self) -> None:
        while self._waiting:
            batch = self._waiting[: self._max_batch]
            del self._waiting[: self._max_batch]
            self.batches += 1
            try:
                answers = await self._call([item for item, _ in batch])
                if len(answers) != len(batch):
                    raise RuntimeError(f"{len(answers)} answers for a batch of {len(batch)}")
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            except BaseException:  # cancelled (shutdown): nobody is left waiting in vain
                for _, future in [*batch, *self._waiting]:
                    future.cancel()
                self._waiting.clear()
                raise
            for (_, future), answer in zip(batch, answers, strict=True):
                if not future.done():
                    future.set_result(answer)
