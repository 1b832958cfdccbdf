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
"""

from __future__ import annotations

import asyncio
import logging
from signal import Signals
from typing import Any

from arq import cron, func
from arq import worker as arq_worker
from arq.cron import CronJob
from arq.typing import WorkerCoroutine
from arq.worker import Function
from tortoise import Tortoise

from app.db import close_db, init_db
from app.runtime import build_runtime, live_broker
from app.settings import Settings
from jobs.queue import JobQueue, namespaced, redis_settings
from jobs.table import JOBS, Job, JobContext

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
    log.info("worker started (rate limit %.0f msg/s per number)", settings.rate_limit_mps)


async def shutdown(ctx: dict[str, Any]) -> None:
    job: JobContext = ctx["job"]
    await ctx["live"].aclose()
    await job.rt.aclose()
    if ctx["owns_db"]:
        await close_db()


def _arq_coroutine(job: Job) -> WorkerCoroutine:
    """The row's function as arq calls it: with arq's context dict, whose "job" is ours."""

    async def run(ctx: dict[Any, Any], *args: Any, **kwargs: Any) -> Any:
        return await job.run(ctx["job"], *args, **kwargs)

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
        "ctx": {"settings": settings, "stopping": asyncio.Event()},
        "max_jobs": 50,
        "job_timeout": 600,
        "keep_result": 60,
        # On a signal: pick nothing new and wait this long for running jobs (0: cancel them).
        "job_completion_wait": settings.shutdown_grace_s,
    }


class Worker(arq_worker.Worker):
    """arq's worker, which also tells the running jobs as soon as a signal asks it to stop."""

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
