"""The arq worker (`wagraph worker`): every row of `jobs.table`, on Redis.

Periodic rows become arq cron jobs (unique per tick across workers; the claims inside the
functions make any overlap harmless); the others are functions that the server enqueues by id.
Tortoise is opened and closed with the worker, unless the process already had it open.

Several deployments may share one Redis: every cron job's name (and so its per-tick job id,
its in-progress lock and its result key) carries the deployment's queue name, like the ids
`jobs.queue` books, so one deployment's workers never take another's ticks.

SIGTERM (or SIGINT) stops a worker gracefully: it picks no new job, the running sweeps stop
claiming and give back what they have not sent (`JobContext.stopping`), sends already on
their way to Meta finish within `WAGRAPH_SHUTDOWN_GRACE` seconds, and it exits 0. A job still
running after that is cancelled; a message it had not handed to Meta goes back to SCHEDULED.

Redis going away does not stop a worker: arq's poll loop would raise and end the process, so
`Worker` catches a Redis outage in each poll (and while connecting at start), logs one line
when it starts and one when it ends (`whatsapp.kit.outages`), retries with a doubling delay
capped at `WAGRAPH_REDIS_RETRY_MAX`, and carries on; the cron sweeps then deliver whatever
fell due meanwhile. A signal during an outage still stops it promptly, with exit code 0.
After each poll it also beats `jobs.watch`'s heartbeat, which servers read to know a worker
is about.
"""

from __future__ import annotations

import asyncio
import logging
from signal import Signals
from typing import Any

from arq import cron, func
from arq import worker as arq_worker
from arq.connections import create_pool
from arq.cron import CronJob
from arq.typing import WorkerCoroutine
from arq.worker import Function
from tortoise import Tortoise

from app.db import close_db, init_db
from app.observability.traces import start_tracing, stop_tracing
from app.observability.worker_metrics import MetricsServer, start_worker_metrics
from app.runtime import build_runtime, live_broker
from app.settings import Settings
from jobs.queue import JobQueue, namespaced, redis_settings
from jobs.table import JOBS, Job, JobContext
from jobs.watch import Heartbeat
from whatsapp.kit.outages import (
    Backoff,
    Outage,
    database_location,
    is_database_outage,
    is_redis_outage,
    redis_location,
)

log = logging.getLogger("wagraph.worker")


async def startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx["settings"]
    ctx["owns_db"] = not Tortoise._inited
    await init_db(settings.database_url)
    queue = JobQueue(ctx["redis"], settings.queue_name)
    rt = build_runtime(settings, on_scheduled=queue.schedule_delivery)
    ctx["job"] = JobContext(rt, settings, stopping=ctx["stopping"])
    # What the worker applies (statuses, scheduled sends, automation runs) reaches the servers'
    # subscribers through Redis: the worker only publishes.
    ctx["live"] = live_broker(settings)
    await ctx["live"].start()
    # Its own counters on its own port; its spans (if an exporter is set) as wagraph-worker.
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    ctx["metrics"] = start_worker_metrics(settings.host, settings.worker_metrics_port, token)
    start_tracing(settings, "wagraph-worker")
    log.info("worker started (rate limit %.0f msg/s per number)", settings.rate_limit_mps)


async def shutdown(ctx: dict[str, Any]) -> None:
    job: JobContext = ctx["job"]
    metrics: MetricsServer | None = ctx.get("metrics")
    if metrics is not None:
        await asyncio.to_thread(metrics.stop)
    await asyncio.to_thread(stop_tracing)  # the spans still queued go out before the exit
    await ctx["live"].aclose()
    await job.rt.aclose()
    if ctx["owns_db"]:
        await close_db()


def _arq_coroutine(job: Job) -> WorkerCoroutine:
    """The row's function as arq calls it: with arq's context dict, whose "job" is ours.

    A database outage ends the job quietly (one line per outage, not arq's traceback per
    tick): the next tick of the sweep, or the sweep for a booked message, tries again."""

    async def run(ctx: dict[Any, Any], *args: Any, **kwargs: Any) -> Any:
        database: Outage = ctx.setdefault(
            "database", Outage("The database", "DATABASE_URL", log, retry_every_s=1)
        )
        try:
            result = await job.run(ctx["job"], *args, **kwargs)
        except Exception as exc:
            if not is_database_outage(exc):
                raise
            database.failed(exc, doing=job.name)
            return None
        database.recovered()
        return result

    return run


def _arq_job(job: Job, queue_name: str) -> Function | CronJob:
    if job.cron is None:
        return func(_arq_coroutine(job), name=job.name)
    return cron(
        _arq_coroutine(job),
        # arq's cron job ids are "{name}:{tick}" with no queue in them: the name carries it.
        name=namespaced(queue_name, job.name),
        second=set(job.cron.second),
        minute=set(job.cron.minute) if job.cron.minute is not None else None,
        run_at_startup=job.run_at_startup,
        timeout=job.timeout_s,
    )


def worker_settings(settings: Settings) -> dict[str, Any]:
    """The WorkerSettings of arq, as keyword arguments for `arq.worker.Worker`."""
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set: without Redis, `wagraph serve` does this work")
    arq_jobs = [_arq_job(job, settings.queue_name) for job in JOBS]
    return {
        "functions": [job for job in arq_jobs if isinstance(job, Function)],
        "cron_jobs": [job for job in arq_jobs if isinstance(job, CronJob)],
        "on_startup": startup,
        "on_shutdown": shutdown,
        "redis_settings": redis_settings(settings.redis_url),
        "queue_name": settings.queue_name,
        "ctx": {
            "settings": settings,
            "stopping": asyncio.Event(),
            "database": Outage(
                "The database", database_location(settings.database_url), log, retry_every_s=1
            ),
        },
        "max_jobs": 50,
        "job_timeout": 600,
        "keep_result": 60,
        # On a signal: pick nothing new and wait this long for running jobs (0: cancel them).
        "job_completion_wait": settings.shutdown_grace_s,
    }


class Worker(arq_worker.Worker):
    """arq's worker, which rides out Redis outages, beats a heartbeat, and tells the running
    jobs as soon as a signal asks it to stop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings: Settings | None = self.ctx.get("settings")
        cap = settings.redis_retry_max_s if settings is not None else 5.0
        where = redis_location(settings.redis_url or "") if settings is not None else "Redis"
        self.redis_outage = Outage("Redis", where, log, retry_every_s=cap)
        self._backoff = Backoff(0.25, cap)
        self._heartbeat = Heartbeat(self.queue_name)

    async def main(self) -> None:
        """arq's main loop, once connected: until then, retry (Redis may be restarting)."""
        while self._pool is None and self.redis_settings is not None:
            try:
                self._pool = await create_pool(
                    self.redis_settings,
                    job_deserializer=self.job_deserializer,
                    job_serializer=self.job_serializer,
                    default_queue_name=self.queue_name,
                    expires_extra_ms=self.expires_extra_ms,
                )
            except Exception as exc:
                await self._redis_failed(exc, doing="starting")
        self.redis_outage.recovered()
        await super().main()

    async def _poll_iteration(self) -> None:
        """One poll; a Redis outage in it is waited out (one log line), not raised."""
        try:
            await super()._poll_iteration()
            await self._heartbeat.beat(self.pool)
        except Exception as exc:
            await self._redis_failed(exc)
            return
        if self.redis_outage.recovered():
            self._backoff.reset()

    async def _redis_failed(self, exc: Exception, *, doing: str = "") -> None:
        if not is_redis_outage(exc):
            raise exc
        self.redis_outage.failed(exc, doing=doing)
        await asyncio.sleep(self._backoff.next_delay())

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        """arq's, one job at a time: a Redis error between taking a slot and starting the
        job gives the slot back (arq's would keep it, and a few outages would leave the
        worker with no slots)."""
        for job_id in job_ids:
            if self.job_counter >= self.max_jobs:
                return
            counted = self.job_counter
            try:
                await super().start_jobs([job_id])
            except Exception:
                if self.job_counter > counted and job_id.decode() not in self.tasks:
                    self.job_counter -= 1
                    self.sem.release()
                raise

    async def close(self) -> None:
        """arq's, except that Redis being away while closing does not fail the exit."""
        if not self._handle_signals:
            self.handle_sig(Signals.SIGUSR1)
        if not self._pool:
            return
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        try:
            await self.pool.delete(self.health_check_key)
        except Exception as exc:
            if not is_redis_outage(exc):
                raise
        if self.on_shutdown:
            await self.on_shutdown(self.ctx)
        await self.pool.close(close_connection_pool=True)
        self._pool = None

    def handle_sig_wait_for_completion(self, signum: Signals) -> None:
        self._stopping(signum)
        super().handle_sig_wait_for_completion(signum)

    def handle_sig(self, signum: Signals) -> None:
        self._stopping(signum)
        super().handle_sig(signum)

    def _stopping(self, signum: Signals) -> None:
        stopping: asyncio.Event | None = self.ctx.get("stopping")
        if stopping is None or stopping.is_set():
            return
        stopping.set()
        log.info(
            "stopping on %s: no new work; sends on their way finish (up to %gs), claimed "
            "messages not yet sent go back to SCHEDULED",
            Signals(signum).name,
            self._job_completion_wait,
        )


def build_worker(settings: Settings, **overrides: Any) -> Worker:
    """An arq worker for these settings; `overrides` are arq's own options (`burst`, …)."""
    return Worker(**{**worker_settings(settings), **overrides})
