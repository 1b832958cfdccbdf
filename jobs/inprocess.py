"""Background work inside the server process: the rows of `jobs.table` the server runs itself.

Each periodic row marked to run in-process gets a loop on the settings' interval (without
Redis that includes the scheduled-message sweep; with Redis the arq workers own it). Webhook
deliveries are also processed as soon as they arrive (`delivery_arrived`), by a few consumers;
the inbox sweep retries failures and picks up anything left by a crashed process. Everything
runs through the same job functions the arq worker calls.

With Redis, the rows the workers own (the scheduled sweep, the roll-up) still get loops here,
idle unless `jobs.watch.WorkerWatch` says no worker has been seen for `WAGRAPH_WORKER_TIMEOUT`
or Redis is down: then this server runs them itself (claims make an overlap harmless) until a
worker is back. A database outage is one line when it starts and one when it ends, not a
traceback per tick; the loops carry on and resume when it answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import uuid
from collections.abc import Callable

from app.settings import Settings
from jobs.table import JOBS, InProcess, Job, JobContext
from jobs.watch import BEAT_EVERY_S, WorkerWatch
from whatsapp.inbound import inbox
from whatsapp.kit.outages import Outage, database_location, is_database_outage
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
        self.watch: WorkerWatch | None = None
        """With Redis: whether a worker is about, and whether this server sweeps instead."""
        self.database = Outage(
            "The database",
            database_location(settings.database_url),
            log,
            retry_every_s=settings.background_interval_s,
        )

    def start(self, rt: Runtime) -> None:
        """Start a loop per in-process job; none when the interval is 0 (work is driven by
        hand then, or by arq workers). With Redis, also the worker watch, and loops for the
        workers' rows that run only while no worker is seen."""
        settings = self.settings
        if settings.redis_url:
            self.watch = WorkerWatch(
                settings.redis_url,
                settings.queue_name,
                timeout_s=settings.worker_timeout_s,
                retry_s=settings.redis_retry_max_s,
            )
        if settings.background_interval_s <= 0:
            return
        ctx = JobContext(rt, settings, stopping=self._stop)
        for job in in_process_jobs(with_redis=bool(settings.redis_url)):
            self._loops.append(asyncio.create_task(self._every(job, ctx)))
        if self.watch is not None:
            watch = self.watch
            self._loops.append(asyncio.create_task(self._watch_workers(watch)))
            for job in in_process_jobs(with_redis=False):
                if job.in_process is InProcess.WITHOUT_REDIS:
                    task = self._every(job, ctx, only_if=lambda: watch.sweeping)
                    self._loops.append(asyncio.create_task(task))

    def delivery_arrived(self, delivery_id: uuid.UUID) -> None:
        """Process a delivery soon after it was acknowledged."""
        if not self._consumers:
            # Started inside the first webhook's request: a fresh context, so the consumers'
            # own lines never carry that request's id.
            self._consumers = [
                asyncio.create_task(self._consume(), context=contextvars.Context())
                for _ in range(self.INBOX_CONSUMERS)
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
        if self.watch is not None:
            await self.watch.aclose()

    async def _consume(self) -> None:
        while True:
            delivery_id = await self._arrived.get()
            try:
                await inbox.process_delivery(delivery_id)
                self.database.recovered()
            except Exception as exc:  # a delivery left PENDING is retried by the sweep
                self._failed(exc, f"processing delivery {delivery_id}")
            finally:
                self._arrived.task_done()

    async def _every(
        self, job: Job, ctx: JobContext, *, only_if: Callable[[], bool] | None = None
    ) -> None:
        """Run the job every interval (when `only_if` allows), whatever it raises."""
        while not self._stop.is_set():
            if only_if is None or only_if():
                try:
                    await job.run(ctx)
                    self.database.recovered()
                except Exception as exc:  # a failing sweep must not stop the loop
                    self._failed(exc, job.name)
            with contextlib.suppress(TimeoutError):
                interval = max(self.settings.background_interval_s, job.in_process_every_s)
                await asyncio.wait_for(self._stop.wait(), interval)

    async def _watch_workers(self, watch: WorkerWatch) -> None:
        """Look for workers every few seconds; `watch.sweeping` turns the takeover loops on."""
        every = min(BEAT_EVERY_S, self.settings.worker_timeout_s / 3)
        while not self._stop.is_set():
            try:
                await watch.check()
            except Exception:
                log.exception("looking for workers failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), every)

    def _failed(self, exc: Exception, doing: str) -> None:
        """A database outage: one line per outage; anything else: logged with its traceback."""
        if is_database_outage(exc):
            self.database.failed(exc, doing=doing)
        else:
            log.exception("%s failed", doing)
