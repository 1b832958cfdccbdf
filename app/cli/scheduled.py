"""`wagraph scheduled`: list scheduled messages, or send the due ones now."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from app.cli.common import console, setup_logging, with_db, with_runtime
from app.settings import get_settings

if TYPE_CHECKING:
    from whatsapp.messages.scheduling import FlushResult
    from whatsapp.runtime import Runtime

group = typer.Typer(help="Scheduled messages: list and flush.", no_args_is_help=True)


@group.command("flush")
def flush(
    batch: Annotated[int | None, typer.Option(help="Messages claimed per pass.")] = None,
    concurrency: Annotated[int | None, typer.Option(help="Sends in flight.")] = None,
) -> None:
    """Send every due scheduled message now, pass after pass, with progress."""
    settings = get_settings()
    setup_logging("WARNING")

    async def run(rt: Runtime) -> FlushResult:
        return await _flush_with_progress(
            rt,
            batch=batch or settings.scheduled_batch,
            concurrency=concurrency or settings.scheduled_concurrency,
        )

    result = asyncio.run(with_runtime(settings, run))
    console.print(
        f"claimed {result.claimed}, sent {result.sent}, failed {result.failed}, "
        f"retrying later {result.retried}, recovered {result.recovered}"
    )


async def _flush_with_progress(rt: Runtime, *, batch: int, concurrency: int) -> FlushResult:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from whatsapp.messages import scheduling

    due = await scheduling.count_due()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("flushing", total=due)

        def show(total: FlushResult) -> None:
            progress.update(
                task,
                completed=total.sent + total.failed,
                description=f"sent {total.sent} failed {total.failed} retrying {total.retried}",
            )

        return await scheduling.flush_scheduled_messages(
            rt, batch=batch, concurrency=concurrency, progress=show
        )


@group.command("list")
def list_scheduled(
    due: Annotated[bool, typer.Option("--due", help="Only messages due now.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
) -> None:
    """List scheduled messages, soonest first."""
    from rich.table import Table

    from whatsapp.messages import scheduling

    rows = asyncio.run(
        with_db(get_settings(), lambda: scheduling.list_scheduled(due_only=due, limit=limit))
    )
    table = Table("id", "to", "type", "scheduled for", "next attempt", "attempts")
    for row in rows:
        table.add_row(
            str(row.id),
            row.customer_wa_id,
            row.type.value,
            f"{row.scheduled_for:%Y-%m-%d %H:%M:%S}" if row.scheduled_for else "-",
            f"{row.next_attempt_at:%Y-%m-%d %H:%M:%S}" if row.next_attempt_at else "-",
            str(row.attempts),
        )
    Console().print(table)
