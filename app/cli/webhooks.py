"""`wagraph webhooks`: the inbox of Meta's deliveries, counted and replayed."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from app.cli.common import console, with_db
from app.settings import get_settings

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
    """Count inbox deliveries by state (PENDING, PROCESSED, FAILED)."""
    from whatsapp.inbound import inbox

    counts = asyncio.run(with_db(get_settings(), inbox.inbox_counts))
    console.print(counts)
