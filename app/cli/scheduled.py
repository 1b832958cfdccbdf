"""`wagraph scheduled`: list scheduled messages, or send the due ones now."""

from __future__ import annotations

import asyncio
import signal
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box

from app.cli.common import (
    console,
    run_explained,
    setup_logging,
    table_console,
    with_db,
    with_runtime,
)

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from app.settings import Settings
    from whatsapp.messages.scheduling import FlushResult
    from whatsapp.messages.scheduling import Progress as FlushProgress
    from whatsapp.runtime import Runtime

group = typer.Typer(help="Scheduled messages: list and flush.", no_args_is_help=True)


@group.command("flush")
def flush(
    batch: Annotated[int | None, typer.Option(min=1, help="Messages claimed per pass.")] = None,
    concurrency: Annotated[int | None, typer.Option(min=1, help="Sends in flight.")] = None,
) -> None:
    """Send every due scheduled message now, pass after pass, with progress."""
    setup_logging("WARNING")

    async def work(settings: Settings) -> tuple[FlushResult, str | None]:
        async def run(rt: Runtime) -> tuple[FlushResult, str | None]:
            from whatsapp.kit.clock import utcnow

            started = utcnow()
            result = await _flush_with_progress(
                rt,
                batch=batch or settings.scheduled_batch,
                concurrency=concurrency or settings.scheduled_concurrency,
            )
            return result, (await _last_retry_error(started) if result.retried else None)

        return await with_runtime(settings, run)

    result, last_error = run_explained(work)
    console.print(
        f"claimed {result.claimed}, sent {result.sent}, failed {result.failed}, "
        f"retrying later {result.retried}, recovered {result.recovered}"
        + (f", released {result.released} (scheduled again, not sent)" if result.released else "")
    )
    if last_error:
        from rich.text import Text

        from app.settings import get_settings

        base = get_settings().graph_base_url
        console.print(
            Text(
                f"last error: {last_error} (Graph API at {base}, META_GRAPH_API_BASE_URL)",
                style="yellow",
            )
        )


async def _flush_with_progress(rt: Runtime, *, batch: int, concurrency: int) -> FlushResult:
    """The flush, with a bar that moves as each message is settled (sent, failed or put back
    for later), not only when a pass of `batch` messages ends."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from whatsapp.messages import flush, scheduling

    due = await scheduling.count_due()
    stop = _stop_on_signals()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("flushing", total=due)
        return await flush.flush_scheduled_messages(
            rt,
            batch=batch,
            concurrency=concurrency,
            progress=_shown_on(progress, task),
            stop=stop,
        )


def _stop_on_signals() -> asyncio.Event:
    """SIGTERM or Ctrl-C stops the flush as they stop a worker: nothing new is claimed, sends
    on their way to Meta finish, and claimed messages not yet sent go back to SCHEDULED (the
    summary counts them as released). A second Ctrl-C interrupts at once."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def stopping(signum: signal.Signals) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        console.print(f"stopping on {signum.name}: finishing sends on their way to Meta")

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping, signum)
    return stop


def _shown_on(progress: Progress, task: TaskID) -> FlushProgress:
    def show(so_far: FlushResult) -> None:
        settled = so_far.sent + so_far.failed + so_far.retried
        total = progress.tasks[task].total or 0
        progress.update(
            task,
            completed=settled,
            total=max(total, settled),  # messages that came due during the flush
            description=f"sent {so_far.sent} failed {so_far.failed} retrying {so_far.retried}",
        )

    return show


async def _last_retry_error(since: datetime) -> str | None:
    """The error of the latest message this flush put back for later (why they wait)."""
    from models import MessageStatus, WhatsAppMessage

    row = (
        await WhatsAppMessage.filter(
            status=MessageStatus.SCHEDULED, error_title__isnull=False, next_attempt_at__gte=since
        )
        .order_by("-next_attempt_at")
        .first()
    )
    return row.error_title if row else None


@group.command("list")
def list_scheduled(
    due: Annotated[bool, typer.Option("--due", help="Only messages due now.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 50,
) -> None:
    """List scheduled messages, soonest first, with whole ids (for `cancelScheduledMessage`)."""
    from rich.table import Column, Table

    from whatsapp.messages import scheduling

    rows = run_explained(
        lambda settings: with_db(
            settings, lambda: scheduling.list_scheduled(due_only=due, limit=limit)
        )
    )
    if not rows:
        console.print("no scheduled messages" + (" due now" if due else ""))
        return
    table = Table(
        Column("id", no_wrap=True, min_width=36),
        Column("to", no_wrap=True),
        "type",
        Column("scheduled for", no_wrap=True),
        Column("next attempt", no_wrap=True),
        Column("attempts", justify="right"),
        box=box.SIMPLE_HEAD,
    )
    for row in rows:
        table.add_row(
            str(row.id),
            row.customer_wa_id,
            row.type.value,
            f"{row.scheduled_for:%Y-%m-%d %H:%M:%S}" if row.scheduled_for else "-",
            f"{row.next_attempt_at:%Y-%m-%d %H:%M:%S}" if row.next_attempt_at else "-",
            str(row.attempts),
        )
    table_console().print(table)
