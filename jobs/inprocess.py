"""Background work inside the server process.

Webhook deliveries are processed as soon as they arrive (and swept on an interval, which also
retries failures and picks up anything left by a crashed process); automation runs are worked
the same way; without Redis, due scheduled messages are flushed here too (with Redis the arq
workers do that). Everything runs through the same `whatsapp.*` functions the worker calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable

from whatsapp.automations import engine as automations
from whatsapp.inbound import inbox
from whatsapp.messages import scheduling
from whatsapp.runtime import Runtime

log = logging.getLogger("wagraph.background")


class BackgroundWork:
    # Deliveries are processed by a few consumers rather than one task each: under a burst,
    # acknowledging (one insert) must not queue behind processing (a dozen statements) for
    # the database connection.
    INBOX_CONSUMERS = 2

    def __init__(
        self,
        rt: Runtime,
        *,
        sweep_interval_s: float = 1.0,
        scheduled: bool = True,
        batch: int = 500,
        concurrency: int = 64,
    ) -> None:
        self.rt = rt
        self.sweep_interval_s = sweep_interval_s
        self.scheduled = scheduled
        self.batch = batch
        self.concurrency = concurrency
        self._arrived: asyncio.Queue[uuid.UUID] = asyncio.Queue()
        self._loops: list[asyncio.Task[None]] = []
        self._consumers: list[asyncio.Task[None]] = []
        self._stop = asyncio.Event()

    def start(self) -> None:
        self._loops.append(asyncio.create_task(self._every(inbox.process_due, "inbox sweep")))
        if self.scheduled:
            self._loops.append(asyncio.create_task(self._every(self._flush, "scheduled sweep")))
        self._loops.append(
            asyncio.create_task(
                self._every(lambda: automations.run_pending(self.rt), "automations")
            )
        )

    async def _flush(self) -> None:
        await scheduling.flush_scheduled_messages(
            self.rt, batch=self.batch, concurrency=self.concurrency
        )

    def inbox_arrived(self, delivery_id: uuid.UUID) -> None:
        """Process a delivery soon after it was acknowledged."""
        if not self._consumers:
            self._consumers = [
                asyncio.create_task(self._consume()) for _ in range(self.INBOX_CONSUMERS)
            ]
        self._arrived.put_nowait(delivery_id)

    async def drain(self) -> None:
        """Wait until every arrived delivery has been processed (tests and shutdown)."""
        await self._arrived.join()

    async def stop(self) -> None:
        self._stop.set()
        await self.drain()
        for task in [*self._loops, *self._consumers]:
            task.cancel()
        for task in [*self._loops, *self._consumers]:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _consume(self) -> None:
        while True:
            delivery_id = await self._arrived.get()
            try:
                await inbox.process_delivery(delivery_id)
            except Exception:  # a delivery left PENDING is retried by the sweep
                log.exception("processing delivery %s failed", delivery_id)
            finally:
                self._arrived.task_done()

    async def _every(self, work: Callable[[], Awaitable[object]], name: str) -> None:
        while not self._stop.is_set():
            try:
                await work()
            except Exception:  # a failing sweep must not stop the loop
                log.exception("%s failed", name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.sweep_interval_s)
