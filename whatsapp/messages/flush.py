"""Flushing: pass after pass of `process_scheduled_messages` until nothing is due, each pass
claiming its batch while the previous one's last sends are still on their way to Meta.

Passes one after the other left the sends idle between them: the last messages of a batch wait
a whole round trip to Meta (100 ms and more when Meta is remote), then the next batch is
claimed and read. So the next pass starts as soon as every message of the current one has had
its turn to send, and the passes share one gate of `concurrency` sends in flight: the new
batch is claimed and checked meanwhile, and its first sends take the places the old batch's
answers free. Never more than `concurrency` sends in flight, and what a worker holds stays
bounded: a batch is claimed only once the one before has had all its turns, so at most one
batch waits for the gate beside the `concurrency` messages on their way (memory flat in N).
"""

from __future__ import annotations

import asyncio
import itertools

from whatsapp.messages.scheduling import FlushResult, Progress, process_scheduled_messages
from whatsapp.runtime import Runtime


async def flush_scheduled_messages(
    rt: Runtime,
    *,
    batch: int = 500,
    concurrency: int = 32,
    progress: Progress | None = None,
    stop: asyncio.Event | None = None,
) -> FlushResult:
    """Pass after pass until nothing is due (the CLI's `scheduled flush`, the worker's sweep).

    `progress`, if given, sees the running totals after each message and after each pass.
    A pass that claimed nothing, or had to give messages back (`stop` was set, or the limiter
    failed), starts no further pass; those already running finish."""
    passes = _Passes(rt, batch, asyncio.Semaphore(concurrency), progress, stop)
    try:
        while passes.more or passes.running:
            waiting_for: list[asyncio.Task[object]] = [*passes.running]
            if passes.more and (stop is None or not stop.is_set()):
                waiting_for += passes.start()
            elif not passes.running:
                break
            else:
                passes.more = False
            done, _ = await asyncio.wait(waiting_for, return_when=asyncio.FIRST_COMPLETED)
            for waiter in set(waiting_for) - set(passes.running):
                waiter.cancel()  # the `underway` waiter, done or not
            passes.settle(done)
    finally:
        await passes.cancel()
    return passes.total


class _Passes:
    """The passes of one flush: those running, their totals so far, and whether to go on."""

    def __init__(
        self,
        rt: Runtime,
        batch: int,
        gate: asyncio.Semaphore,
        progress: Progress | None,
        stop: asyncio.Event | None,
    ) -> None:
        self.rt, self.batch, self.gate, self.progress, self.stop = rt, batch, gate, progress, stop
        self.total = FlushResult()
        self.running: dict[asyncio.Task[FlushResult], int] = {}
        self.more = True
        self._partial: dict[int, FlushResult] = {}
        self._numbers = itertools.count()

    def start(self) -> list[asyncio.Task[object]]:
        """A new pass, and a task that ends when its messages are all underway."""
        number = next(self._numbers)
        underway = asyncio.Event()
        task = asyncio.create_task(
            process_scheduled_messages(
                self.rt,
                limit=self.batch,
                progress=self._watched(number) if self.progress else None,
                stop=self.stop,
                gate=self.gate,
                underway=underway,
            )
        )
        self.running[task] = number
        return [task, asyncio.create_task(underway.wait())]

    def settle(self, done: set[asyncio.Task[object]]) -> None:
        """Count the passes that ended (raising what one raised)."""
        for finished in [task for task in self.running if task in done]:
            self._partial.pop(self.running.pop(finished), None)
            result = finished.result()
            self.total.add(result)
            self.more = self.more and result.claimed > 0 and not result.released
            if result.claimed:
                self._show()

    async def cancel(self) -> None:
        for task in self.running:
            task.cancel()
        await asyncio.gather(*self.running, return_exceptions=True)

    def _watched(self, number: int) -> Progress:
        def so_far(result: FlushResult) -> None:
            self._partial[number] = result
            self._show()

        return so_far

    def _show(self) -> None:
        if self.progress is not None:
            running = FlushResult()
            for one in [self.total, *self._partial.values()]:
                running.add(one)
            self.progress(running)
