"""`wagraph worker`: an arq worker running `jobs.table` on REDIS_URL."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from app import loop
from app.cli.common import console, setup_logging
from app.settings import get_settings


def worker(
    burst: Annotated[bool, typer.Option(help="Stop when the queue is empty.")] = False,
    log_level: Annotated[str, typer.Option(help="Log level.")] = "info",
) -> None:
    """Run an arq worker on REDIS_URL: scheduled delivery, sweeps, automations, template sync.

    Start as many as you like; they share the work and the per-number rate limit. SIGINT or
    SIGTERM stops one gracefully: it takes no new work, sends already on their way to Meta
    finish (within WAGRAPH_SHUTDOWN_GRACE, 30 s by default), claimed messages not yet sent go
    back to SCHEDULED, and it exits 0.

    If Redis goes away, the worker keeps running: it logs one line, retries (every
    WAGRAPH_REDIS_RETRY_MAX seconds at most), logs one line when Redis is back, and its sweeps
    send what fell due meanwhile. A database outage is one line too; the sweeps resume after it.
    While no worker is seen for WAGRAPH_WORKER_TIMEOUT, `wagraph serve` sends scheduled
    messages itself."""
    from jobs.worker import build_worker

    settings = get_settings()
    setup_logging(log_level)
    if not settings.redis_url:
        console.print(
            "[red]REDIS_URL is not set[/]: without Redis, `wagraph serve` delivers "
            "scheduled messages itself"
        )
        raise typer.Exit(2)
    console.print(
        f"worker on {settings.redis_url.split('@')[-1]}, "
        f"{settings.rate_limit_mps:.0f} msg/s per number"
    )
    # arq runs on the thread's current loop: uvloop's (app.loop)
    asyncio.set_event_loop(loop.new_event_loop())
    build_worker(settings, burst=burst).run()
