"""`wagraph check`: is this configuration ready to run? Settings, database, Redis and Meta.

Each probe answers with what is wrong and what to do, in one line naming the variable at
fault, or with what it found. `wagraph serve` runs the database probe before it starts, so a
missing or unreachable database is one line there too. Every probe has a deadline: a check
never hangs on an address that does not answer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import unquote, urlsplit

import typer
from pydantic import AliasChoices
from pydantic_core import PydanticUndefined
from rich.markup import escape

from app.cli.common import console, load_settings
from app.settings import Settings

if TYPE_CHECKING:
    from whatsapp.cloud.client import CloudError

DEFAULT_TIMEOUT_S = 10.0
# Meta's codes for a token that is wrong or expired, and for one without the permission.
INVALID_TOKEN = 190
PERMISSION_CODES = frozenset({10, *range(200, 300)})
NOT_FOUND_CODES = frozenset({100, 803})


@dataclass(frozen=True, slots=True)
class Finding:
    """One probe's answer: `problem` says what to fix, else `found` says what was seen."""

    subject: str
    found: str = ""
    problem: str | None = None


def check(
    timeout: Annotated[
        float, typer.Option(help="Seconds each connection may take before it counts as down.")
    ] = DEFAULT_TIMEOUT_S,
    env_example: Annotated[
        bool,
        typer.Option(
            "--env-example", help="Print a .env template of every setting (what .env.example is)."
        ),
    ] = False,
) -> None:
    """Validate the configuration, then reach the database (migrated?), Redis (when REDIS_URL
    is set) and Meta's Graph API with the token; say what to fix. Exit 0 when all is well."""
    if env_example:
        typer.echo(env_template(), nl=False)
        return
    settings = load_settings()
    console.print("[green]ok[/]  configuration: every setting is valid")
    findings = asyncio.run(run_probes(settings, timeout))
    for finding in findings:
        if finding.problem is None:
            console.print(f"[green]ok[/]  {finding.subject}: {escape(finding.found)}")
        else:
            console.print(f"[bold red]fix[/] {finding.subject}: {escape(finding.problem)}")
    if any(finding.problem for finding in findings):
        raise typer.Exit(1)
    console.print("[bold green]ready[/]")


async def run_probes(settings: Settings, timeout_s: float) -> list[Finding]:
    """Every connectivity probe of the settings, concurrently, each with its deadline."""
    probes = [_database(settings, timeout_s), _meta(settings, timeout_s)]
    if settings.redis_url:
        probes.append(_redis(settings.redis_url, timeout_s))
    findings = await asyncio.gather(*probes)
    return [finding for group in findings for finding in group]


# -- the database ---------------------------------------------------------------------------


async def database_problem(
    url: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, create_sqlite_dir: bool = False
) -> str | None:
    """Why the database cannot be opened (naming DATABASE_URL and what to do), or None.

    A SQLite file's directory is made only when `create_sqlite_dir` (development: `make run`
    on a fresh clone); elsewhere a missing directory is a typo more often than a wish.
    """
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        return await asyncio.to_thread(_sqlite_problem, url, create_sqlite_dir)
    return await _postgres_problem(url, timeout_s)


def _sqlite_path(url: str) -> str:
    return url.split("://", 1)[1].split("?", 1)[0]


def _sqlite_problem(url: str, create_dir: bool) -> str | None:
    path = _sqlite_path(url)
    if not path or path == ":memory:":
        return None
    directory = Path(path).parent
    if not directory.is_dir():
        if not create_dir:
            return (
                f"DATABASE_URL: the directory {directory} of the SQLite database does not "
                "exist: create it (mkdir -p) or fix the path"
            )
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return f"DATABASE_URL: cannot create {directory} ({exc.strerror}): fix the path"
    try:
        connection = sqlite3.connect(path, timeout=5)
        try:
            connection.execute("SELECT 1")
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return (
            f"DATABASE_URL: cannot open the SQLite database {path} ({exc}): check the path "
            "and that this user may write there"
        )
    return None


async def _postgres_problem(url: str, timeout_s: float) -> str | None:
    import asyncpg

    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = parts.port or 5432
    database = unquote(parts.path.lstrip("/")) or unquote(parts.username or "postgres")
    where = f"PostgreSQL at {host}:{port}"
    try:
        connection = await asyncio.wait_for(
            asyncpg.connect(
                host=host,
                port=port,
                user=unquote(parts.username) if parts.username else None,
                password=unquote(parts.password) if parts.password else None,
                database=database,
                timeout=timeout_s,
            ),
            timeout_s + 1,
        )
    except asyncpg.InvalidCatalogNameError:
        return (
            f"DATABASE_URL: the database {database!r} does not exist on {where}: create it "
            f"(createdb {database}) or fix the URL"
        )
    except (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError) as exc:
        return f"DATABASE_URL: {where} refused the user or password ({exc}): fix the URL"
    except TimeoutError:
        return f"DATABASE_URL: {where} did not answer within {timeout_s:g} s: is it running?"
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        return f"DATABASE_URL: cannot reach {where} ({reason}): is it running, is the host right?"
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return f"DATABASE_URL: {where} said: {exc}"
    await connection.close()
    return None


async def migrations_problem(url: str) -> str | None:
    """What migrations the database lacks (`wagraph migrate` applies them), or None."""
    from tortoise.exceptions import BaseORMException

    try:
        # aerich opens its own Tortoise context: a child task keeps it out of the caller's.
        pending = await asyncio.create_task(_migration_heads(url))
    except BaseORMException:
        return "the database has no migrations applied: run `wagraph migrate`"
    if pending:
        names = ", ".join(pending)
        return f"{len(pending)} migration(s) not applied ({names}): run `wagraph migrate`"
    return None


async def _migration_heads(url: str) -> list[str]:
    from aerich import Command
    from tortoise import Tortoise

    from app.db import close_db, migrations_location, tortoise_config

    command = Command(
        tortoise_config=tortoise_config(url), app="models", location=str(migrations_location(url))
    )
    opened_here = not Tortoise._inited
    try:
        await command.init()
        return list(await command.heads())
    finally:
        if opened_here:
            await close_db()


async def _database(settings: Settings, timeout_s: float) -> list[Finding]:
    url = settings.database_url
    shown = url.split("@")[-1]
    problem = await database_problem(url, timeout_s=timeout_s)
    if problem is None:
        problem = await asyncio.wait_for(migrations_problem(url), timeout_s)
    return [Finding("database", f"{shown} reachable, migrations applied", problem)]


# -- Redis ----------------------------------------------------------------------------------


async def redis_problem(url: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> str | None:
    """Why Redis does not answer a PING (naming REDIS_URL), or None."""
    from redis.asyncio import Redis
    from redis.exceptions import AuthenticationError, RedisError, ResponseError

    client = Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)
    try:
        await asyncio.wait_for(client.ping(), timeout_s + 1)
    except AuthenticationError as exc:
        return f"REDIS_URL: Redis refused the credentials ({exc}): fix the URL's password"
    except TimeoutError:
        return f"REDIS_URL: Redis did not answer within {timeout_s:g} s: is it running?"
    except ResponseError as exc:
        return f"REDIS_URL: Redis answered with an error ({exc}): check the URL"
    except (RedisError, OSError) as exc:
        return f"REDIS_URL: cannot reach Redis ({exc}): is it running, is the host right?"
    finally:
        await client.aclose()
    return None


async def _redis(url: str, timeout_s: float) -> list[Finding]:
    shown = url.split("@")[-1]
    return [Finding("redis", f"{shown} answers", await redis_problem(url, timeout_s))]


# -- Meta -----------------------------------------------------------------------------------


async def _meta(settings: Settings, timeout_s: float) -> list[Finding]:
    """The token reaches the phone number (and the business account when one is set)."""
    from app.runtime import cloud_config
    from whatsapp.cloud.client import CloudClient, CloudError

    config = dataclasses.replace(cloud_config(settings), max_attempts=1, timeout_s=timeout_s)
    where = f"{config.base_url}/{config.version}" + (
        " (built-in sandbox)" if settings.uses_built_in_sandbox else ""
    )
    cloud = CloudClient(config)
    findings = []
    try:
        number_id = settings.meta_phone_number_id
        try:
            number = await cloud.get_node(
                number_id, "id,display_phone_number,verified_name,quality_rating"
            )
            found = (
                f"{where}: the token reaches phone number {number.get('display_phone_number')} "
                f"({number.get('verified_name')}, quality {number.get('quality_rating')})"
            )
            findings.append(Finding("meta", found))
        except CloudError as exc:
            problem = _meta_problem(exc, where, "META_PHONE_NUMBER_ID", number_id)
            findings.append(Finding("meta", problem=problem))
        business_id = settings.meta_business_id
        if business_id and not findings[-1].problem:
            try:
                account = await cloud.get_node(business_id, "id,name")
                found = f"business account {account.get('name')} ({business_id})"
                findings.append(Finding("meta", found))
            except CloudError as exc:
                problem = _meta_problem(exc, where, "META_WHATSAPP_BUSINESS_ID", business_id)
                findings.append(Finding("meta", problem=problem))
    finally:
        await cloud.aclose()
    return findings


def _meta_problem(error: CloudError, where: str, variable: str, node_id: str) -> str:
    from whatsapp.cloud.client import CloudApiError

    if not isinstance(error, CloudApiError):
        return (
            f"META_GRAPH_API_BASE_URL: cannot reach {where} ({error}): check the URL and "
            "this host's outbound network"
        )
    if error.code == INVALID_TOKEN:
        return (
            f"META_ACCESS_TOKEN: Meta refused the token ({error}): generate a System User "
            "token (Business settings > Users > System users) and set it"
        )
    if error.code in PERMISSION_CODES:
        return (
            f"META_ACCESS_TOKEN: the token may not read {node_id} ({error}): give its system "
            "user the WhatsApp account as an asset, with whatsapp_business_messaging and "
            "whatsapp_business_management"
        )
    if error.code in NOT_FOUND_CODES:
        return (
            f"{variable}: {node_id} is not known to Meta or not visible to this token "
            f"({error}): copy it from WhatsApp > API Setup in Meta's app dashboard"
        )
    return f"{variable}: the Graph API answered {error}"


# -- .env.example ---------------------------------------------------------------------------


def env_template() -> str:
    """Every setting as a commented `.env` line, with its meaning and default.

    `.env.example` is this text; a test fails when a setting is missing from it.
    """
    lines = [
        "# wagraph settings: copy to .env (or set them in the environment) and uncomment",
        "# what you change. `wagraph check` validates them and tries every connection.",
        "# In production (WAGRAPH_ENV=production) the ones marked 'required in production'",
        "# must be set: the server lists every one missing and does not start.",
        "",
    ]
    for name in setting_variables():
        field = Settings.model_fields[name_of(name)]
        if field.description:
            lines += [f"# {line}" for line in textwrap.wrap(field.description, 96)]
        lines.append(f"# {name}={_default_text(field.default)}")
        lines.append("")
    return "\n".join(lines)


def setting_variables() -> list[str]:
    """The environment variable of every setting (an alias's first spelling), in order."""
    return [_aliases(name)[0] for name in Settings.model_fields]


def name_of(variable: str) -> str:
    for name in Settings.model_fields:
        if variable in _aliases(name):
            return name
    raise KeyError(variable)


def _aliases(name: str) -> list[str]:
    alias = Settings.model_fields[name].validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice) for choice in alias.choices]
    return [str(alias or name)]


def _default_text(default: Any) -> str:
    if default is None or default is PydanticUndefined:
        return ""
    if hasattr(default, "get_secret_value"):
        return ""  # a development secret is no example to copy
    if isinstance(default, bool):
        return str(default).lower()
    return str(default)
