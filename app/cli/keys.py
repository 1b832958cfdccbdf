"""`wagraph keys`: API keys, of which only the hashes are stored."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer
from rich.console import Console

from app.cli.common import console, with_db
from app.settings import get_settings

if TYPE_CHECKING:
    from models import ApiKeyScope

T = TypeVar("T")

group = typer.Typer(help="Manage API keys (only their hashes are stored).", no_args_is_help=True)


@group.command("create")
def create(
    name: Annotated[str, typer.Option(help="Who or what the key is for.")],
    scope: Annotated[str, typer.Option(help="read, write or admin.")] = "read",
    expires_in: Annotated[
        str | None,
        typer.Option(help="Refuse the key after this long: 90d, 12h, 30m, 2w, 3600s."),
    ] = None,
    expires_at: Annotated[
        datetime | None,
        typer.Option(help="Refuse the key from this moment (ISO 8601; naive means UTC)."),
    ] = None,
) -> None:
    """Create an API key. The key is printed once, alone on the last line."""
    from whatsapp.access import api_keys
    from whatsapp.access.expiry import expires_in as after

    chosen = _scope(scope)
    if expires_in is not None and expires_at is not None:
        _fail("give --expires-in or --expires-at, not both")

    async def create_key() -> str:
        until = after(expires_in, "expires-in") if expires_in is not None else expires_at
        row, key = await api_keys.create_api_key(name=name, scope=chosen, expires_at=until)
        console.print(
            f"created {chosen.value} key {row.prefix} for {name!r}"
            + (f", expiring {row.expires_at:%Y-%m-%d %H:%M:%S} UTC" if row.expires_at else "")
            + "; store it now, it is not shown again:"
        )
        return key

    print(_run(create_key))


@group.command("list")
def list_keys() -> None:
    """List API keys (prefix, scope, expiry, last use); never the keys themselves."""
    from rich.table import Table

    from whatsapp.access import api_keys

    rows = asyncio.run(with_db(get_settings(), api_keys.list_api_keys))
    table = Table("prefix", "name", "scope", "created", "expires", "last used", "revoked")
    for row in rows:
        table.add_row(
            row.prefix,
            row.name,
            row.scope.value,
            f"{row.created_at:%Y-%m-%d %H:%M}",
            f"{row.expires_at:%Y-%m-%d %H:%M}" if row.expires_at else "-",
            f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "-",
            f"{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "-",
        )
    Console().print(table)


@group.command("revoke")
def revoke(
    prefix: Annotated[str, typer.Argument(help="The key's prefix (wag_xxxxxxxx).")],
) -> None:
    """Revoke an API key by its prefix: every server refuses it within seconds."""
    from whatsapp.access import api_keys

    _run(lambda: api_keys.revoke_api_key(prefix))
    console.print(f"revoked {prefix}")


@group.command("set-scope")
def set_scope(
    prefix: Annotated[str, typer.Argument(help="The key's prefix (wag_xxxxxxxx).")],
    scope: Annotated[str, typer.Argument(help="read, write or admin.")],
) -> None:
    """Change an active key's scope (lower it to take rights away) everywhere within seconds."""
    from whatsapp.access import api_keys

    chosen = _scope(scope)
    _run(lambda: api_keys.set_api_key_scope(prefix, chosen))
    console.print(f"{prefix} now has the {chosen.value} scope")


def _scope(text: str) -> ApiKeyScope:
    from models import ApiKeyScope

    try:
        return ApiKeyScope(text.lower())
    except ValueError:
        _fail(f"scope must be one of read, write, admin (got {text!r})")


def _run(work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` on the database; with Redis, its key changes reach every server at once.
    A refusal (bad input, no such key) is printed and exits 2."""
    from whatsapp.kit.errors import WagraphError

    settings = get_settings()

    async def announced() -> T:
        if not settings.redis_url:
            return await work()
        from whatsapp.access.feed import KeyChangeFeed

        feed = KeyChangeFeed(settings.redis_url, channel=settings.key_changes_channel, listen=False)
        await feed.start()
        try:
            return await work()
        finally:
            await feed.aclose()

    try:
        return asyncio.run(with_db(settings, announced))
    except WagraphError as exc:
        _fail("; ".join(f"{'.'.join(p.field or ())}: {p.message}" for p in exc.problems))


def _fail(message: str) -> NoReturn:
    console.print(f"[red]{message}[/]")
    raise typer.Exit(2)
