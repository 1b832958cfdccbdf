"""Background work inside the server process: the rows of `jobs.table` the server runs itself.

Each periodic row marked to run in-process gets a loop on the settings' interval (without
Redis that includes the scheduled-message sweep; with Redis the arq workers own it). Webhook
deliveries are also processed as soon as they arrive (`delivery_arrived`), by a few consumers;
the inbox sweep retries failures and picks up anything left by a crashed process. Everything
runs through the same job functions the arq worker calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

from app.settings import Settings
from jobs.table import JOBS, InProcess, Job, JobContext
from whatsapp.inbound import inbox
from whatsapp.runtime import Runtime

log = logging.getLogger("wagraph.background")


def in_process_jobs(*, with_redis: bool) -> list[Job]:
    """The periodic rows this server runs itself, given whether arq workers are about."""
    wanted = {InProcess.ALWAYS} if with_redis else {InProcess.ALWAYS, InProcess.WITHOUT_REDIS}
    return [job for job in JOBS if job.cron is not None and job.in_process in wanted]


class BackgroundWork:
    # Deliveries are processed by a few consumers rather than one task each: under a burst,
    # acknowledging (one insert) must not queue behind processing (a dozen statements) for
    # the database connection.
    INBOX_CONSUMERS = 2

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._arrived: asyncio.Queue[uuid.UUID] = asyncio.Queue()
        self._loops: list[asyncio.Task[None]] = []
        self._consumers: list[asyncio.Task[None]] = []
        self._stop = asyncio.Event()

    def start(self, rt: Runtime) -> None:
        """Start a loop per in-process job; none when the interval is 0 (work is driven by
        hand then, or by arq workers)."""
        if self.settings.background_interval_s <= 0:
            return
        ctx = JobContext(rt, self.settings, stopping=self._stop)
        for job in in_process_jobs(with_redis=bool(self.settings.redis_url)):
            self._loops.append(asyncio.create_task(self._every(job, ctx)))

    def delivery_arrived(self, delivery_id: uuid.UUID) -> None:
        """Process a delivery soon after it was acknowledged."""
        if not self._consumers:
            self._consumers = [
                asyncio.create_task(self._consume()) for _ in range(self.INBOX_CONSUMERS)
            ]
        self._arrived.put_nowait(delivery_id)

    async def drain(self) -> None:
        """Wait until every arrived delivery has been processed (shutdown, and tests)."""
        await self._arrived.join()

    async def stop(self) -> None:
        """Stop the loops: a running sweep stops claiming and gives back what it has not sent;
        sends on their way to Meta get `shutdown_grace_s` to finish before being cancelled."""
        self._stop.set()
        await self.drain()
        running = [task for task in self._loops if not task.done()]
        if running and self.settings.shutdown_grace_s > 0:
            await asyncio.wait(running, timeout=self.settings.shutdown_grace_s)
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

    async def _every(self, job: Job, ctx: JobContext) -> None:
        while not self._stop.is_set():
            try:
                await job.run(ctx)
            except Exception:  # a failing sweep must not stop the loop
                log.exception("%s failed", job.name)
            with contextlib.suppress(TimeoutError):
                interval = max(self.settings.background_interval_s, job.in_process_every_s)
                await asyncio.wait_for(self._stop.wait(), interval)
