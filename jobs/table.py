"""Every background job, once: what it runs, when, and where.

Both runners read `JOBS`: the arq worker (`jobs.worker`, with Redis) registers each row as a
cron job or an enqueued function, and the server's in-process runner (`jobs.inprocess`) loops
over the rows it is meant to run. Adding a job is adding a row. Each job calls one
`whatsapp.*` function; periodic jobs are sweeps whose claims make overlapping runs harmless,
and enqueued jobs take ids and are idempotent.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from app.settings import Settings
from whatsapp.analytics import rollup
from whatsapp.automations import runner as automations
from whatsapp.inbound import inbox
from whatsapp.messages import flush, scheduling
from whatsapp.runtime import Runtime
from whatsapp.templates import sync as template_sync

EVERY_SECOND = frozenset(range(60))
EVERY_5_SECONDS = frozenset(range(0, 60, 5))


@dataclass(frozen=True, slots=True)
class JobContext:
    """What every job gets: the process's runtime and settings, and `stopping`, set when the
    process begins to shut down (a sweep stops claiming and gives back what it has not sent)."""

    rt: Runtime
    settings: Settings
    stopping: asyncio.Event = field(default_factory=asyncio.Event)


class InProcess(enum.Enum):
    """Whether the server runs a periodic job itself, on `WAGRAPH_BACKGROUND_INTERVAL`."""

    ALWAYS = "always"  # cheap, and running it next to the requests keeps latency low
    WITHOUT_REDIS = "without redis"  # the server's job only when no arq worker does it
    NEVER = "never"  # arq workers only


@dataclass(frozen=True, slots=True)
class Cron:
    """When arq workers run a periodic job (arq's cron fields; None is every value)."""

    second: frozenset[int]
    minute: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    run: Callable[..., Awaitable[Any]]
    """`run(ctx: JobContext, *args)`: the args of an enqueued job are ids, as strings."""
    cron: Cron | None
    """None for a job that is enqueued (by id) rather than run on a schedule."""
    in_process: InProcess = InProcess.NEVER
    run_at_startup: bool = False
    timeout_s: int | None = None
    in_process_every_s: float = 0.0
    """In the server, run at most this often (the loop's interval when it is longer)."""


async def deliver_message(ctx: JobContext, message_id: str) -> bool:
    return await scheduling.deliver_due_message(ctx.rt, uuid.UUID(message_id), stop=ctx.stopping)


async def sweep_scheduled(ctx: JobContext) -> dict[str, int]:
    result = await flush.flush_scheduled_messages(
        ctx.rt,
        batch=ctx.settings.scheduled_batch,
        concurrency=ctx.settings.scheduled_concurrency,
        stop=ctx.stopping,
    )
    counts = ("claimed", "sent", "failed", "retried", "released")
    return {name: getattr(result, name) for name in counts}


async def sweep_inbox(ctx: JobContext) -> int:
    return await inbox.process_due(settled_for=inbox.SETTLED)


async def run_automations(ctx: JobContext) -> int:
    return await automations.run_pending(ctx.rt)


async def roll_up_events(ctx: JobContext) -> dict[str, Any]:
    done = await rollup.roll_up()
    return {"hours": done.hours_counted, "behind_s": done.behind.total_seconds()}


async def sync_templates(ctx: JobContext) -> dict[str, Any] | None:
    if not ctx.rt.business_id:
        return None
    return dataclasses.asdict(await template_sync.sync_templates(ctx.rt, source="worker"))


# One deferred job per scheduled message, enqueued for its time (punctuality); the sweep
# below catches whatever it misses and retries failures.
DELIVER_MESSAGE = Job("messages.deliver", deliver_message, cron=None)

JOBS: tuple[Job, ...] = (
    DELIVER_MESSAGE,
    Job(
        "messages.sweep",
        sweep_scheduled,
        Cron(second=EVERY_5_SECONDS),
        InProcess.WITHOUT_REDIS,
        run_at_startup=True,
        timeout_s=600,
    ),
    Job("webhooks.sweep", sweep_inbox, Cron(second=EVERY_SECOND), InProcess.ALWAYS),
    Job("automations.run", run_automations, Cron(second=EVERY_SECOND), InProcess.ALWAYS),
    Job(
        "analytics.rollup",
        roll_up_events,
        Cron(second=frozenset({30})),
        InProcess.WITHOUT_REDIS,
        timeout_s=600,
        in_process_every_s=60.0,
    ),
    Job("templates.sync", sync_templates, Cron(second=frozenset({0}), minute=frozenset({0}))),
)
