"""The arq worker: `wagraph worker`.

- `messages.deliver` — one deferred job per scheduled message, enqueued for its time;
- a sweep of due scheduled messages (every 5 s; also retries and crash recovery);
- the webhook inbox retry sweep and automation runs (every second);
- the template sync (hourly).
Cron jobs are unique per tick across workers; the claims inside the functions make any overlap
harmless. Tortoise is opened and closed with the worker.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from typing import Any

from arq import cron, func
from arq.worker import Worker
from tortoise import Tortoise

from app.db import close_db, init_db
from app.server import build_runtime
from app.settings import Settings, get_settings
from jobs.queue import DELIVER_JOB, JobQueue, redis_settings
from whatsapp.automations import engine as automations
from whatsapp.inbound import inbox
from whatsapp.messages import scheduling
from whatsapp.runtime import Runtime
from whatsapp.templates import sync as template_sync

log = logging.getLogger("wagraph.worker")
EVERY_SECOND = set(range(60))
EVERY_5_SECONDS = set(range(0, 60, 5))


def _rt(ctx: dict[str, Any]) -> Runtime:
    return ctx["rt"]  # type: ignore[no-any-return]


async def startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx.get("settings") or get_settings()
    ctx["settings"] = settings
    # A worker embedded in a process that already has the database (tests) leaves it open.
    ctx["owns_db"] = not Tortoise._inited
    await init_db(settings.database_url)
    queue = JobQueue(ctx["redis"], settings.queue_name)
    ctx["rt"] = build_runtime(settings, on_scheduled=queue.schedule_delivery)
    log.info("worker started (rate limit %.0f msg/s per number)", settings.rate_limit_mps)


async def shutdown(ctx: dict[str, Any]) -> None:
    await _rt(ctx).aclose()
    if ctx.get("owns_db"):
        await close_db()


async def deliver_message(ctx: dict[str, Any], message_id: str) -> bool:
    return await scheduling.deliver_due_message(_rt(ctx), uuid.UUID(message_id))


async def sweep_scheduled(ctx: dict[str, Any]) -> dict[str, int]:
    settings: Settings = ctx["settings"]
    result = await scheduling.flush_scheduled_messages(
        _rt(ctx), batch=settings.scheduled_batch, concurrency=settings.scheduled_concurrency
    )
    return {name: getattr(result, name) for name in ("claimed", "sent", "failed", "retried")}


async def sweep_inbox(ctx: dict[str, Any]) -> int:
    return await inbox.process_due()


async def run_automations(ctx: dict[str, Any]) -> int:
    return await automations.run_pending(_rt(ctx))


async def sync_templates(ctx: dict[str, Any]) -> Any:
    if not _rt(ctx).business_id:
        return None
    result = await template_sync.sync_templates(_rt(ctx), source="worker")
    return dataclasses.asdict(result)


def worker_settings(settings: Settings | None = None) -> dict[str, Any]:
    """The WorkerSettings of arq, as keyword arguments for `arq.worker.Worker`."""
    settings = settings or get_settings()
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set: without Redis, `wagraph serve` does this work")
    return {
        "functions": [func(deliver_message, name=DELIVER_JOB)],
        "cron_jobs": [
            cron(
                sweep_scheduled,
                name="messages.sweep",
                second=EVERY_5_SECONDS,
                run_at_startup=True,
                timeout=600,
            ),
            cron(sweep_inbox, name="webhooks.sweep", second=EVERY_SECOND),
            cron(run_automations, name="automations.run", second=EVERY_SECOND),
            cron(sync_templates, name="templates.sync", minute=0, second=0),
        ],
        "on_startup": startup,
        "on_shutdown": shutdown,
        "redis_settings": redis_settings(settings.redis_url),
        "queue_name": settings.queue_name,
        "ctx": {"settings": settings},
        "max_jobs": 50,
        "job_timeout": 600,
        "keep_result": 60,
    }


def build_worker(settings: Settings | None = None, **overrides: Any) -> Worker:
    return Worker(**{**worker_settings(settings), **overrides})
