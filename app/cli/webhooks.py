"""`wagraph webhooks`: the inbox of Meta's deliveries and its dead letters, counted and replayed.

Every command here that opens the database runs through `run_explained`, so an unreachable or
unmigrated database, Redis or Graph API ends in one line naming the URL and its setting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box

from app.cli.common import console, run_explained, table_console, with_db, with_runtime
from models.enums import DeadLetterStatus

if TYPE_CHECKING:
    from models import WebhookDelivery

ERROR_WIDTH = 160

group = typer.Typer(help="Inspect and replay the webhook inbox.", no_args_is_help=True)


@group.command("replay")
def replay(
    delivery_id: Annotated[
        list[str] | None, typer.Option("--id", help="A delivery id (repeatable).")
    ] = None,
    failed: Annotated[bool, typer.Option("--failed", help="Every FAILED delivery.")] = False,
) -> None:
    """Process stored deliveries again (idempotent: already-applied items change nothing)."""
    import uuid

    from rich.progress import Progress

    from whatsapp.inbound import inbox

    try:
        ids = [uuid.UUID(value) for value in delivery_id or []]
    except ValueError:
        console.print("[red]--id must be a delivery id (a UUID)[/]")
        raise typer.Exit(2) from None
    if not ids and not failed:
        console.print("[red]say which deliveries: --id ID (repeatable) or --failed[/]")
        raise typer.Exit(2)

    async def run() -> tuple[int, dict[str, int]]:
        chosen = await inbox.replay(ids=ids, failed=failed)
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("replaying", total=len(chosen))
            for one in chosen:
                await inbox.process_delivery(one)
                progress.advance(task)
        return len(chosen), await inbox.inbox_counts()

    count, counts = run_explained(lambda settings: with_db(settings, run))
    console.print(f"replayed {count} deliveries; inbox now: {_counted(counts)}")


@group.command("status")
def status() -> None:
    """Count deliveries by state (PENDING, PROCESSED, FAILED) and list the items set aside."""
    from whatsapp.inbound import dead_letters, inbox

    async def run() -> tuple[dict[str, int], dict[str, int], list[Any]]:
        page = await dead_letters.page(DeadLetterStatus.PENDING, first=20, after=None)
        return await inbox.inbox_counts(), await dead_letters.counts(), list(page.items)

    from rich.table import Table

    deliveries, letters, pending = run_explained(lambda settings: with_db(settings, run))
    table = Table("", *(state.lower() for state in deliveries), box=box.SIMPLE_HEAD)
    table.add_row("deliveries", *(str(count) for count in deliveries.values()))
    table.add_section()
    table.add_row("", *(state.lower() for state in letters), style="bold")
    table.add_row("dead letters", *(str(count) for count in letters.values()))
    table_console().print(table)
    if deliveries.get("FAILED"):
        console.print("list the failed deliveries: wagraph webhooks failed")
    if pending:
        _print_letters(pending)
        console.print("replay them after a fix: wagraph webhooks replay-dead-letters --all")


@group.command("failed")
def failed_deliveries(
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 50,
) -> None:
    """List FAILED deliveries with their ids and last error, to pick from for `replay --id`."""
    from whatsapp.inbound import inbox

    async def run() -> tuple[list[WebhookDelivery], int]:
        rows = await inbox.failed_deliveries(limit=limit)
        return rows, (await inbox.inbox_counts()).get("FAILED", 0)

    rows, total = run_explained(lambda settings: with_db(settings, run))
    if not rows:
        console.print("no failed deliveries")
        return
    _print_deliveries(rows)
    shown = f"{len(rows)} of {total}" if total > len(rows) else f"{total}"
    console.print(
        f"{shown} failed deliveries; replay one with wagraph webhooks replay --id ID, "
        "or all with --failed"
    )


@group.command("replay-dead-letters")
def replay_dead_letters(
    letter_id: Annotated[
        list[str] | None, typer.Option("--id", help="A dead letter id (repeatable).")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Every PENDING dead letter.")] = False,
) -> None:
    """Apply items set aside again, after a fix (each is applied at most once)."""
    import uuid

    from whatsapp.inbound import dead_letters
    from whatsapp.inbound.dispatch import replay_dead_letters as replay_letters
    from whatsapp.kit.errors import WagraphError

    try:
        ids = [uuid.UUID(value) for value in letter_id or []]
    except ValueError:
        console.print("[red]--id must be a dead letter id (a UUID)[/]")
        raise typer.Exit(2) from None
    if not ids and not every:
        console.print("[red]say which dead letters: --id ID (repeatable) or --all[/]")
        raise typer.Exit(2)

    async def run(_: Any) -> list[Any]:
        chosen = ids or await dead_letters.pending_ids()
        return await replay_letters(chosen)

    try:
        letters = run_explained(lambda settings: with_runtime(settings, run))
    except WagraphError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    applied = sum(letter.status == DeadLetterStatus.REPLAYED for letter in letters)
    console.print(f"applied {applied} of {len(letters)} dead letters")
    still = [letter for letter in letters if letter.status != DeadLetterStatus.REPLAYED]
    if still:
        _print_letters(still)
        raise typer.Exit(1)


@group.command("discard-dead-letter")
def discard_dead_letter(letter_id: Annotated[str, typer.Argument(help="Its id.")]) -> None:
    """Mark a PENDING dead letter as not worth applying (it is kept, DISCARDED)."""
    import uuid

    from whatsapp.inbound import dead_letters
    from whatsapp.kit.errors import WagraphError

    try:
        one = uuid.UUID(letter_id)
    except ValueError:
        console.print("[red]the id must be a dead letter id (a UUID)[/]")
        raise typer.Exit(2) from None
    try:
        run_explained(lambda settings: with_db(settings, lambda: dead_letters.discard(one)))
    except WagraphError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    console.print(f"discarded {letter_id}")


def _print_letters(letters: list[Any]) -> None:
    from rich.table import Column, Table
    from rich.text import Text

    table = Table("field", "kind", "set aside", "attempts", "reason", box=box.SIMPLE_HEAD)
    table.columns.insert(0, Column("id", no_wrap=True, min_width=36))
    for letter in letters:
        table.add_row(
            str(letter.id),
            letter.field,
            letter.kind,
            letter.created_at.isoformat(timespec="seconds"),
            str(letter.attempts),
            Text(letter.reason),
        )
    table_console().print(table)


def _print_deliveries(rows: list[WebhookDelivery]) -> None:
    from rich.table import Column, Table
    from rich.text import Text

    table = Table(
        Column("id", no_wrap=True, min_width=36),
        Column("received at", no_wrap=True),
        Column("attempts", justify="right"),
        Column("last error", overflow="fold", min_width=24),
        box=box.SIMPLE_HEAD,
    )
    for row in rows:
        table.add_row(
            str(row.id),
            f"{row.created_at:%Y-%m-%d %H:%M:%S}",
            str(row.attempts),
            Text(_one_line(row.last_error or "-")),
        )
    table_console().print(table)


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= ERROR_WIDTH else flat[: ERROR_WIDTH - 1] + "…"


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {state}" for state, count in counts.items())
