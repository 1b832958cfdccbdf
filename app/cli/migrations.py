"""`wagraph migrate` and `wagraph migrations`: apply, write and check aerich migrations."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from app.cli.common import console
from app.settings import get_settings

group = typer.Typer(help="Write and check aerich migrations.", no_args_is_help=True)


def migrate() -> None:
    """Apply the database migrations for DATABASE_URL's dialect (SQLite or PostgreSQL)."""
    from app.db import dialect_of
    from app.db import migrate as run_migrations

    settings = get_settings()
    applied = asyncio.run(run_migrations(settings.database_url))
    dialect = dialect_of(settings.database_url)
    if applied:
        console.print(
            f"[green]applied {len(applied)} {dialect} migration(s):[/] {', '.join(applied)}"
        )
    else:
        console.print(f"{dialect} database is up to date")


@group.command("make")
def make(
    name: Annotated[str, typer.Argument(help="A short name for the change.")],
) -> None:
    """Write the next migration for DATABASE_URL's dialect; run once per dialect."""
    from app.db import make_migration

    written = asyncio.run(make_migration(get_settings().database_url, name))
    console.print(
        f"wrote {written}" if written else "models and migrations agree; nothing to write"
    )


@group.command("check")
def check() -> None:
    """Exit 1 when the models changed without a migration for DATABASE_URL's dialect."""
    from app.db import dialect_of, migration_drift

    url = get_settings().database_url
    drift = asyncio.run(migration_drift(url))
    if drift:
        console.print(
            f"[red]models changed without a {dialect_of(url)} migration[/]: "
            "run `wagraph migrations make NAME` against each dialect"
        )
        raise typer.Exit(1)
    console.print(f"{dialect_of(url)} migrations match the models")
