"""`wagraph webhooks`: the inbox of Meta's deliveries and its dead letters, counted and replayed."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer

from app.cli.common import console, with_db, with_runtime
from app.settings import get_settings
from models.enums import DeadLetterStatus

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

    count, counts = asyncio.run(with_db(get_settings(), run))
    console.print(f"replayed {count} deliveries; inbox now: {counts}")


@group.command("status")
def status() -> None:
    """Count deliveries by state (PENDING, PROCESSED, FAILED) and list the items set aside."""
    from whatsapp.inbound import dead_letters, inbox

    async def run() -> tuple[dict[str, int], dict[str, int], list[Any]]:
        page = await dead_letters.page(DeadLetterStatus.PENDING, first=20, after=None)
        return await inbox.inbox_counts(), await dead_letters.counts(), list(page.items)

    deliveries, letters, pending = asyncio.run(with_db(get_settings(), run))
    console.print(f"deliveries: {deliveries}")
    console.print(f"dead letters: {letters}")
    if pending:
        _print_letters(pending)
        console.print("replay them after a fix: wagraph webhooks replay-dead-letters --all")


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
        letters = asyncio.run(with_runtime(get_settings(), run))
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
        asyncio.run(with_db(get_settings(), lambda: dead_letters.discard(one)))
    except ValueError:
        console.print("[red]the id must be a dead letter id (a UUID)[/]")
        raise typer.Exit(2) from None
    except WagraphError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    console.print(f"discarded {letter_id}")


def _print_letters(letters: list[Any]) -> None:
    from rich.table import Column, Table

    table = Table("field", "kind", "set aside", "attempts", "reason")
    table.columns.insert(0, Column("id", no_wrap=True, min_width=36))
    for letter in letters:
        table.add_row(
            str(letter.id),
            letter.field,
            letter.kind,
            letter.created_at.isoformat(timespec="seconds"),
            str(letter.attempts),
            letter.reason,
        )
    console.print(table)
