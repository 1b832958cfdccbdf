"""Database wiring: the Tortoise config, opening/closing, and aerich migrations per dialect.

aerich writes SQL in the dialect it ran on, so each dialect keeps its own history under
`migrations/<dialect>/`; `migrate()` applies the one matching DATABASE_URL.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url

from app.runtime import subscribe_core

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = ROOT / "migrations"
MODEL_MODULES = ["models", "aerich.models"]
Dialect = Literal["sqlite", "postgres"]
T = TypeVar("T")


def dialect_of(url: str) -> Dialect:
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        return "sqlite"
    if scheme in {"postgres", "postgresql", "asyncpg", "psycopg"}:
        return "postgres"
    raise ValueError(f"unsupported DATABASE_URL scheme {scheme!r}: use sqlite:// or postgres://")


def connection_config(url: str) -> dict[str, Any]:
    """The URL expanded, with defaults chosen for a server (each can be overridden in the URL).

    SQLite runs in WAL mode (Tortoise's default) with synchronous=NORMAL: a commit no longer
    waits for fsync, and an application crash still loses nothing (only a power cut may drop
    the last commits). PostgreSQL gets a pool large enough for concurrent requests, whose
    connections are not reset on release (`keep_session`).
    """
    config = expand_db_url(url)
    credentials = config["credentials"]
    if dialect_of(url) == "sqlite":
        credentials.setdefault("synchronous", "NORMAL")
    else:
        credentials.setdefault("maxsize", 20)
        credentials.setdefault("reset", keep_session)
    return config


async def keep_session(connection: object) -> None:
    """asyncpg's pool resets each connection as it is released (`pg_advisory_unlock_all(); CLOSE
    ALL; UNLISTEN *; RESET ALL`: a round trip per statement outside a transaction, a fifth of a
    send's). wagraph leaves nothing to reset: no session-level advisory locks (the identity
    look-up's are `pg_advisory_xact_lock`, released at commit), cursors, LISTEN or session-level
    SET (the analytics timeout is `SET LOCAL`, gone with its transaction)."""


def tortoise_config(url: str) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(url)},
        "apps": {"models": {"models": MODEL_MODULES, "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


def migrations_location(url: str) -> Path:
    return MIGRATIONS_DIR / dialect_of(url)


def _ensure_sqlite_dir(url: str) -> None:
    if dialect_of(url) != "sqlite":
        return
    path = url.split("://", 1)[1].split("?", 1)[0]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


async def init_db(url: str) -> None:
    """Open Tortoise once per process, with the global fallback that request tasks need.

    Whatever opens the database may record events, so the core's subscriptions are wired here
    too (idempotent): a CLI command or a test that never builds a runtime still runs
    automations for the events it records.
    """
    subscribe_core()
    if Tortoise._inited:
        return
    _ensure_sqlite_dir(url)
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)


async def close_db() -> None:
    if Tortoise._inited:
        await Tortoise.close_connections()
        await Tortoise._reset_apps()


async def migrate(url: str) -> list[str]:
    """Apply the migrations of the URL's dialect; returns the versions it applied."""
    applied = await _isolated(_upgrade(url))
    for version in applied:
        log.info("applied migration %s", version)
    return applied


async def _upgrade(url: str) -> list[str]:
    from aerich import Command

    _ensure_sqlite_dir(url)
    command = Command(
        tortoise_config=tortoise_config(url), app="models", location=str(migrations_location(url))
    )
    opened_here = not Tortoise._inited
    try:
        await command.init()
        return await command.upgrade(run_in_transaction=True)
    finally:
        if opened_here:
            await close_db()


async def _isolated(work: Coroutine[Any, Any, T]) -> T:
    """Run aerich in a child task: the Tortoise context it opens stays in that task's copy of
    the context variables instead of leaking into the caller's."""
    return await asyncio.create_task(work)


async def make_migration(url: str, name: str) -> str | None:
    return await _isolated(_make_migration(url, name))


async def _make_migration(url: str, name: str) -> str | None:
    """Write the next migration of the URL's dialect from the models (the first one is `init`).

    Run it once per dialect, each against an up-to-date database of that dialect.
    """
    from aerich import Command

    _ensure_sqlite_dir(url)
    location = migrations_location(url)
    command = Command(tortoise_config=tortoise_config(url), app="models", location=str(location))
    try:
        if not any((location / "models").glob("*.py")):
            await command.init_db(safe=True)
            return "init"
        await command.init()
        await command.upgrade(run_in_transaction=True)
        # aerich reads the last applied version when it initialises: on a fresh database that
        # was before the upgrade above, so it would compare against nothing (a TypeError).
        await command.init()
        return await command.migrate(name, no_input=True) or None
    finally:
        await close_db()


async def migration_drift(url: str) -> str | None:
    return await _isolated(_migration_drift(url))


async def _migration_drift(url: str) -> str | None:
    """Compare the models with the last migration of the dialect, without writing anything.

    Returns the name of the migration aerich would have to write, or None when they agree.
    """
    import shutil
    import tempfile

    from aerich import Command

    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "migrations"
        shutil.copytree(migrations_location(url), copy)
        command = Command(tortoise_config=tortoise_config(url), app="models", location=str(copy))
        try:
            await command.init(offline=True)
            written = await command.migrate("drift", no_input=True, offline=True)
        finally:
            await close_db()
        return written or None
