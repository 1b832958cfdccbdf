"""`wagraph templates`: the local copy of the business account's message templates."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from app.cli.common import console, with_runtime
from app.settings import get_settings

group = typer.Typer(
    help="Message templates: keep the local copy in step with Meta.", no_args_is_help=True
)


@group.command("sync")
def sync(
    page_size: Annotated[
        int, typer.Option(min=1, max=100, help="Templates asked of Meta per page (1-100).")
    ] = 100,
) -> None:
    """Pull every template from Meta: create, update, mark removed.

    Lists the templates of META_WHATSAPP_BUSINESS_ID page by page, then stores new ones, updates
    changed ones and marks removed (status DELETED) the ones Meta no longer lists. Nothing is
    written when the listing fails.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from whatsapp.kit.errors import WagraphError
    from whatsapp.templates.sync import sync_templates

    settings = get_settings()
    with Progress(
        TextColumn("fetching templates"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("templates", total=None)

        def on_page(count: int, total: int | None) -> None:
            bar.update(task, completed=count, total=total)

        try:
            result = asyncio.run(
                with_runtime(
                    settings,
                    lambda rt: sync_templates(
                        rt, progress=on_page, page_size=page_size, source="cli"
                    ),
                )
            )
        except WagraphError as exc:
            bar.stop()
            console.print(f"[red]template sync failed:[/] {exc}")
            raise typer.Exit(1) from None
    print(
        f"fetched {result.fetched} templates in {result.pages} page(s): "
        f"{result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.removed} removed"
    )
