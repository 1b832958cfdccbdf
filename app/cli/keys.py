"""`wagraph keys`: API keys, of which only the hashes are stored."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from app.cli.common import console, with_db
from app.settings import get_settings

group = typer.Typer(help="Manage API keys (only their hashes are stored).", no_args_is_help=True)


@group.command("create")
def create(
    name: Annotated[str, typer.Option(help="Who or what the key is for.")],
    scope: Annotated[str, typer.Option(help="read, write or admin.")] = "read",
) -> None:
    """Create an API key. The key is printed once, alone on the last line."""
    from models import ApiKeyScope
    from whatsapp.access import api_keys
    from whatsapp.kit.errors import WagraphError

    try:
        chosen = ApiKeyScope(scope.lower())
    except ValueError:
        console.print(f"[red]scope must be one of read, write, admin (got {scope!r})[/]")
        raise typer.Exit(2) from None

    async def create_key() -> str:
        row, key = await api_keys.create_api_key(name=name, scope=chosen)
        console.print(
            f"created {chosen.value} key {row.prefix} for {name!r}; store it now, "
            "it is not shown again:"
        )
        return key

    try:
        key = asyncio.run(with_db(get_settings(), create_key))
    except WagraphError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    print(key)


@group.command("list")
def list_keys() -> None:
    """List API keys (prefix, scope, last use); never the keys themselves."""
    from rich.table import Table

    from whatsapp.access import api_keys

    rows = asyncio.run(with_db(get_settings(), api_keys.list_api_keys))
    table = Table("prefix", "name", "scope", "created", "last used", "revoked")
    for row in rows:
        table.add_row(
            row.prefix,
            row.name,
            row.scope.value,
            f"{row.created_at:%Y-%m-%d %H:%M}",
            f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "-",
            f"{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "-",
        )
    Console().print(table)


@group.command("revoke")
def revoke(
    prefix: Annotated[str, typer.Argument(help="The key's prefix (wag_xxxxxxxx).")],
) -> None:
    """Revoke an API key by its prefix."""
    from whatsapp.access import api_keys

    revoked = asyncio.run(with_db(get_settings(), lambda: api_keys.revoke_api_key(prefix)))
    if not revoked:
        console.print(f"[red]no active key with prefix {prefix}[/]")
        raise typer.Exit(1)
    console.print(f"revoked {prefix}")
