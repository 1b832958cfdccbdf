"""What every `wagraph` command shares: the console, logging, and opening the core for a run.

Each command imports its heavy dependencies inside its function, so `wagraph --help` (and any
one command) loads only what it uses.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from urllib.parse import urlsplit, urlunsplit

import typer
from pydantic import AliasChoices, ValidationError
from rich.console import Console
from rich.markup import escape

from app import loop
from app.settings import Settings, get_settings

if TYPE_CHECKING:
    from whatsapp.runtime import Runtime

T = TypeVar("T")

# Progress and messages go to stderr; stdout is kept for what a script may capture (a key, SDL).
console = Console(stderr=True, soft_wrap=True)


def load_settings() -> Settings:
    """The settings, or every problem with them on stderr, one line each, and exit 1.

    An operator going live sees the whole list at once, each line naming the variable and
    what to do, instead of a traceback that shows the first problem only.
    """
    try:
        return get_settings()
    except ValidationError as exc:
        fail(settings_problems(exc), heading="wagraph cannot start: fix its configuration")


def fail(problems: list[str], *, heading: str) -> NoReturn:
    """Print a heading and one line per problem on stderr, then exit 1 (no traceback)."""
    console.print(f"[bold red]{escape(heading)}[/]")
    for problem in problems:
        console.print(f"  - {escape(problem)}")
    raise typer.Exit(1)


def settings_problems(error: ValidationError) -> list[str]:
    """One line per problem, naming the variable; the values themselves are never shown.

    Pydantic checks the settings between each other only once every value parses, so the
    values that did not parse are put back to their defaults and the settings checked once
    more: the cross-setting problems (production's missing secrets…) come in the same list.
    """
    items = error.errors(include_url=False)
    problems = [line for item in items for line in _problem_line(item).splitlines()]
    by_alias = _fields_by_alias()
    fallbacks: dict[str, Any] = {}
    for item in items:
        field = by_alias.get(str(item["loc"][0])) if item["loc"] else None
        if field is not None:
            fallbacks[field] = Settings.model_fields[field].get_default(call_default_factory=True)
    if fallbacks:
        try:
            Settings(**fallbacks)
        except ValidationError as again:
            for item in again.errors(include_url=False):
                if not item["loc"]:
                    problems += [
                        line for line in _problem_line(item).splitlines() if line not in problems
                    ]
    return problems


def _problem_line(item: Any) -> str:
    message = str(item["msg"]).removeprefix("Value error, ")
    if not item["loc"]:
        return message  # the cross-setting checks name their variables themselves
    variable = ".".join(str(part) for part in item["loc"])
    return f"{variable}: {message} (fix it in the environment or .env, or unset it)"


def _fields_by_alias() -> dict[str, str]:
    names: dict[str, str] = {}
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        choices = alias.choices if isinstance(alias, AliasChoices) else [alias or name]
        for choice in choices:
            names[str(choice)] = name
    return names


def setup_logging(level: str = "INFO", settings: Settings | None = None) -> None:
    """Structured logs on stderr (`app.observability.logs`): JSON lines in production (or with
    WAGRAPH_LOG_FORMAT=json), readable lines elsewhere, secrets redacted. Settings that do not
    load yet (the command reports them itself) leave the development defaults."""
    from app.observability.logs import configure_logging, secret_values

    if settings is None:
        try:
            settings = get_settings()
        except ValidationError:
            settings = None
    log_format = settings.resolved_log_format(settings.environment) if settings else "console"
    secrets = secret_values(settings) if settings else []
    configure_logging(level, log_format=log_format, stream=sys.stderr, secrets=secrets)


async def with_db(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """Open the database, run `work`, close the database."""
    from app.db import close_db, init_db

    await init_db(settings.database_url)
    try:
        return await work()
    finally:
        await close_db()


async def with_runtime(settings: Settings, work: Callable[[Runtime], Awaitable[T]]) -> T:
    """Like `with_db`, for work that needs the core's runtime (closed afterwards too)."""
    from app.runtime import build_runtime

    async def run() -> T:
        rt = build_runtime(settings)
        try:
            return await work(rt)
        finally:
            await rt.aclose()

    return await with_db(settings, run)


# -- tables -------------------------------------------------------------------------------------

PIPE_WIDTH = 240


def table_console() -> Console:
    """Where tables go: stdout, to be read or captured; whole lines when it is not a terminal
    (rich would wrap a pipe at 80 columns), and ids never cut in a narrow terminal."""
    return Console() if sys.stdout.isatty() else Console(width=PIPE_WIDTH)


# -- expected failures, one line each ------------------------------------------------------------


def run_explained(work: Callable[[Settings], Coroutine[Any, Any, T]]) -> T:
    """Run a command's async `work` with the settings; the failures an operator can fix (bad
    settings, a database, Redis or Graph API out of reach, a database not migrated) end the
    command with one line naming the URL and setting involved (exit 1), never a traceback."""
    settings = load_settings()
    try:
        from app.db import dialect_of

        dialect_of(settings.database_url)
    except ValueError as exc:
        _fail(f"DATABASE_URL: {exc}")
    try:
        return loop.run(work(settings))
    except Exception as exc:
        message = explain(exc, settings)
        if message is None:
            raise
        _fail(message)


def explain(exc: BaseException, settings: Settings) -> str | None:
    """The line for a failure of the database, Redis or the Graph API; None for anything else."""
    import asyncpg
    from redis.exceptions import RedisError
    from tortoise.exceptions import DBConnectionError, OperationalError

    from whatsapp.cloud.client import CloudApiError, CloudError

    database = f"the database at {redacted(settings.database_url)} (DATABASE_URL)"
    if isinstance(exc, RedisError):
        return f"Redis at {redacted(settings.redis_url or '')} (REDIS_URL) failed: {exc}"
    if isinstance(exc, CloudApiError) and (exc.http_status in (401, 403) or exc.code == 190):
        return f"the Graph API at {settings.graph_base_url} refused META_ACCESS_TOKEN: {exc}"
    if isinstance(exc, CloudError):
        return f"the Graph API at {settings.graph_base_url} (META_GRAPH_API_BASE_URL) failed: {exc}"
    if isinstance(exc, (DBConnectionError, OSError, asyncpg.InterfaceError)):
        return f"cannot reach {database}: {exc}"
    missing_table = "no such table" in str(exc) or isinstance(
        exc.__cause__, asyncpg.UndefinedTableError
    )
    if isinstance(exc, (OperationalError, asyncpg.PostgresError)) and missing_table:
        return f"{database} is not migrated ({exc}): run `wagraph migrate`"
    if isinstance(exc, asyncpg.PostgresError):
        return f"{database} refused: {exc}"
    return None


def redacted(url: str) -> str:
    """The URL without its password (it may be printed, logged or pasted in a ticket)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + host))


def _say(message: str) -> None:
    from rich.text import Text

    console.print(Text(message, style="red"))  # Text: "[Errno 111]" is not markup


def _fail(message: str) -> NoReturn:
    _say(message)
    raise typer.Exit(1)
