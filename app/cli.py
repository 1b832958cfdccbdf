"""The `wagraph` command: one entry point for operators."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from app.cli_templates import templates_app
from app.settings import Settings, get_settings

app = typer.Typer(
    help="wagraph: a GraphQL API server for the WhatsApp Cloud API.",
    no_args_is_help=True,
    add_completion=False,
)
keys_app = typer.Typer(help="Manage API keys (only their hashes are stored).", no_args_is_help=True)
webhooks_app = typer.Typer(help="Inspect and replay the webhook inbox.", no_args_is_help=True)
scheduled_app = typer.Typer(help="Scheduled messages: list and flush.", no_args_is_help=True)
migrations_app = typer.Typer(help="Write and check aerich migrations.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(scheduled_app, name="scheduled")
app.add_typer(templates_app, name="templates")
app.add_typer(migrations_app, name="migrations")
console = Console(stderr=True, soft_wrap=True)
DEMO_CUSTOMER = "15551234567"


def _logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise


async def _with_db(settings: Settings, coro_fn):  # type: ignore[no-untyped-def]
    from app.db import close_db, init_db

    await init_db(settings.database_url)
    try:
        return await coro_fn()
    finally:
        await close_db()


@app.command()
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


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (WAGRAPH_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (WAGRAPH_PORT).")] = None,
    log_level: Annotated[str, typer.Option(help="Log level.")] = "info",
    migrate_first: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Apply migrations before starting.")
    ] = True,
) -> None:
    """Run the GraphQL server (and the Cloud API sandbox when WAGRAPH_SANDBOX is on)."""
    if host:
        os.environ["WAGRAPH_HOST"] = host
    if port:
        os.environ["WAGRAPH_PORT"] = str(port)
    get_settings.cache_clear()
    settings = get_settings()
    _logging(log_level)
    asyncio.run(_serve(settings, log_level, migrate_first))


async def _serve(settings: Settings, log_level: str, migrate_first: bool) -> None:
    import uvicorn

    from app.db import close_db, init_db
    from app.db import migrate as run_migrations
    from app.server import create_app

    if migrate_first:
        await run_migrations(settings.database_url)
    await init_db(settings.database_url)  # the app's lifespan reuses it and closes it
    key = await _dev_key(settings)
    servers = [
        uvicorn.Server(
            uvicorn.Config(
                create_app(settings),
                host=settings.host,
                port=settings.port,
                log_level=log_level,
                proxy_headers=False,
            )
        )
    ]
    if settings.sandbox_enabled and settings.graph_api_base_url is None:
        servers.append(_sandbox_server(settings, log_level))
    _banner(settings, key)
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    if len(servers) > 1 and settings.environment == "development":
        tasks.append(asyncio.create_task(_demo_customer_says_hello(settings, servers)))
    try:
        # When one server stops (a signal, or a port already taken), the others stop too.
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        await close_db()


async def _demo_customer_says_hello(settings: Settings, servers: list) -> None:  # type: ignore[type-arg]
    """The demo customer writes first, so their 24-hour window is open in the sandbox and here."""
    import httpx

    while not all(server.started for server in servers):  # noqa: ASYNC110 - uvicorn has no event
        await asyncio.sleep(0.05)
    url = f"http://127.0.0.1:{settings.sandbox_port}/_sandbox/customers/{DEMO_CUSTOMER}/messages"
    try:
        async with httpx.AsyncClient(timeout=5.0) as http:
            await http.post(
                url,
                json={
                    "type": "text",
                    "text": {"body": "Hi! I'd like to order."},
                    "profile_name": "Ana (demo)",
                },
            )
    except httpx.HTTPError as exc:
        logging.getLogger("wagraph").warning("demo customer could not say hello: %s", exc)
        return
    await asyncio.Event().wait()  # stay pending like the servers, so wait() is not woken


def _sandbox_server(settings: Settings, log_level: str):  # type: ignore[no-untyped-def]
    import uvicorn

    from sandbox import Sandbox, SandboxConfig

    config = SandboxConfig(
        access_token=settings.meta_access_token.get_secret_value(),
        app_secret=settings.app_secret or "sandbox-app-secret",
        phone_numbers={settings.meta_phone_number_id: "15550783881"},
        waba_id=settings.meta_business_id or "102290129340398",
        # The loop closes: statuses and simulated customers come back to us, signed.
        webhook_url=f"{settings.self_url}/webhooks/whatsapp",
    )
    return uvicorn.Server(
        uvicorn.Config(
            Sandbox(config).app(),
            host="127.0.0.1",
            port=settings.sandbox_port,
            log_level="warning" if log_level == "info" else log_level,
        )
    )


async def _dev_key(settings: Settings) -> str | None:
    """In development, an admin key kept in ./data so the printed key survives restarts.

    Runs on the server's own (already open) database connection.
    """
    if settings.environment != "development":
        return None
    from models import ApiKeyScope
    from whatsapp.access import api_keys

    path = Path(settings.dev_api_key_file)
    existing = _read_key_file(path)
    if existing and await api_keys.authenticate(existing):
        return existing
    _, key = await api_keys.create_api_key(name="development", scope=ApiKeyScope.ADMIN)
    _write_key_file(path, key)
    return key


def _read_key_file(path: Path) -> str | None:
    return path.read_text().strip() if path.exists() else None


def _write_key_file(path: Path, key: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key + "\n")
    path.chmod(0o600)


def _banner(settings: Settings, key: str | None) -> None:
    url = f"http://{settings.host}:{settings.port}/graphql"
    console.print(f"[bold green]wagraph[/] GraphiQL: {url}")
    console.print(f"  database: {settings.database_url.split('@')[-1]}")
    console.print(
        f"  Cloud API: {settings.graph_base_url}/{settings.graph_api_version}"
        + (
            "  (built-in sandbox)"
            if settings.graph_api_base_url is None and settings.sandbox_enabled
            else ""
        )
    )
    if key:
        console.print(f"  development API key (admin), kept in {settings.dev_api_key_file}:")
        console.print(f"    {key}")
        console.print(f'  In GraphiQL, open Headers and paste: {{"Authorization": "Bearer {key}"}}')
    if settings.sandbox_enabled and settings.graph_api_base_url is None:
        console.print(
            f"  demo customer {DEMO_CUSTOMER} has just written, so free-form sends to them are "
            "allowed; simulate any customer message with POST "
            f"http://127.0.0.1:{settings.sandbox_port}/_sandbox/customers/<waId>/messages"
        )


@app.command("sandbox")
def sandbox_cmd(
    port: Annotated[int | None, typer.Option(help="Port (default WAGRAPH_SANDBOX_PORT).")] = None,
    webhook_url: Annotated[
        str | None, typer.Option(help="Where to POST signed status/inbound webhooks.")
    ] = None,
    rate_limit: Annotated[int, typer.Option(help="Messages per second per number.")] = 80,
    fault_rate: Annotated[float, typer.Option(help="Share of requests that fail (0..1).")] = 0.0,
) -> None:
    """Run the Cloud API sandbox alone (Meta's API, simulated)."""
    from sandbox import SandboxConfig
    from sandbox import serve as serve_sandbox

    settings = get_settings()
    _logging()
    config = SandboxConfig(
        access_token=settings.meta_access_token.get_secret_value(),
        app_secret=settings.app_secret or "sandbox-app-secret",
        phone_numbers={settings.meta_phone_number_id: "15550783881"},
        waba_id=settings.meta_business_id or "102290129340398",
        webhook_url=webhook_url,
        rate_limit_mps=rate_limit,
        fault_rate=fault_rate,
    )
    bind = port or settings.sandbox_port
    console.print(f"Cloud API sandbox on http://127.0.0.1:{bind} (token: the configured one)")
    asyncio.run(serve_sandbox(config, port=bind))


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Who or what the key is for.")],
    scope: Annotated[str, typer.Option(help="read, write or admin.")] = "read",
) -> None:
    """Create an API key. The key is printed once, alone on the last line."""
    from models import ApiKeyScope
    from whatsapp.access import api_keys

    try:
        chosen = ApiKeyScope(scope.lower())
    except ValueError:
        console.print(f"[red]scope must be one of read, write, admin (got {scope!r})[/]")
        raise typer.Exit(2) from None
    settings = get_settings()

    async def create() -> str:
        row, key = await api_keys.create_api_key(name=name, scope=chosen)
        console.print(
            f"created {chosen.value} key {row.prefix} for {name!r}; store it now, "
            "it is not shown again:"
        )
        return key

    from whatsapp.kit.errors import WagraphError

    try:
        key = asyncio.run(_with_db(settings, create))
    except WagraphError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    print(key)


@keys_app.command("list")
def keys_list() -> None:
    """List API keys (prefix, scope, last use); never the keys themselves."""
    from rich.table import Table

    from whatsapp.access import api_keys

    rows = asyncio.run(_with_db(get_settings(), api_keys.list_api_keys))
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


@keys_app.command("revoke")
def keys_revoke(
    prefix: Annotated[str, typer.Argument(help="The key's prefix (wag_xxxxxxxx).")],
) -> None:
    """Revoke an API key by its prefix."""
    from whatsapp.access import api_keys

    revoked = asyncio.run(_with_db(get_settings(), lambda: api_keys.revoke_api_key(prefix)))
    if not revoked:
        console.print(f"[red]no active key with prefix {prefix}[/]")
        raise typer.Exit(1)
    console.print(f"revoked {prefix}")


@app.command()
def worker(
    burst: Annotated[bool, typer.Option(help="Stop when the queue is empty.")] = False,
    log_level: Annotated[str, typer.Option(help="Log level.")] = "info",
) -> None:
    """Run an arq worker on REDIS_URL: scheduled delivery, sweeps, automations, template sync.

    Start as many as you like; they share the work and the per-number rate limit. SIGINT or
    SIGTERM stops one gracefully (running jobs finish)."""
    from jobs.worker import build_worker

    settings = get_settings()
    _logging(log_level)
    if not settings.redis_url:
        console.print(
            "[red]REDIS_URL is not set[/]: without Redis, `wagraph serve` delivers "
            "scheduled messages itself"
        )
        raise typer.Exit(2)
    console.print(
        f"worker on {settings.redis_url.split('@')[-1]}, "
        f"{settings.rate_limit_mps:.0f} msg/s per number"
    )
    build_worker(settings, burst=burst).run()


@scheduled_app.command("flush")
def scheduled_flush(
    batch: Annotated[int | None, typer.Option(help="Messages claimed per pass.")] = None,
    concurrency: Annotated[int | None, typer.Option(help="Sends in flight.")] = None,
) -> None:
    """Send every due scheduled message now, pass after pass, with progress."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from app.server import build_runtime
    from whatsapp.messages import scheduling

    settings = get_settings()
    _logging("WARNING")

    async def run() -> scheduling.FlushResult:
        rt = build_runtime(settings)
        due = await scheduling.count_due()
        try:
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=console,
            ) as progress:
                task = progress.add_task("flushing", total=due)

                def show(total: scheduling.FlushResult) -> None:
                    progress.update(
                        task,
                        completed=total.sent + total.failed,
                        description=f"sent {total.sent} failed {total.failed} "
                        f"retrying {total.retried}",
                    )

                return await scheduling.flush_scheduled_messages(
                    rt,
                    batch=batch or settings.scheduled_batch,
                    concurrency=concurrency or settings.scheduled_concurrency,
                    progress=show,
                )
        finally:
            await rt.aclose()

    result = asyncio.run(_with_db(settings, run))
    console.print(
        f"claimed {result.claimed}, sent {result.sent}, failed {result.failed}, "
        f"retrying later {result.retried}, recovered {result.recovered}"
    )


@scheduled_app.command("list")
def scheduled_list(
    due: Annotated[bool, typer.Option("--due", help="Only messages due now.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
) -> None:
    """List scheduled messages, soonest first."""
    from rich.table import Table

    from whatsapp.messages import scheduling

    rows = asyncio.run(
        _with_db(get_settings(), lambda: scheduling.list_scheduled(due_only=due, limit=limit))
    )
    table = Table("id", "to", "type", "scheduled for", "next attempt", "attempts")
    for row in rows:
        table.add_row(
            str(row.id),
            row.customer_wa_id,
            row.type.value,
            f"{row.scheduled_for:%Y-%m-%d %H:%M:%S}" if row.scheduled_for else "-",
            f"{row.next_attempt_at:%Y-%m-%d %H:%M:%S}" if row.next_attempt_at else "-",
            str(row.attempts),
        )
    Console().print(table)


@webhooks_app.command("replay")
def webhooks_replay(
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

    count, counts = asyncio.run(_with_db(get_settings(), run))
    console.print(f"replayed {count} deliveries; inbox now: {counts}")


@webhooks_app.command("status")
def webhooks_status() -> None:
    """Count inbox deliveries by state (PENDING, PROCESSED, FAILED)."""
    from whatsapp.inbound import inbox

    counts = asyncio.run(_with_db(get_settings(), inbox.inbox_counts))
    console.print(counts)


@migrations_app.command("make")
def migrations_make(
    name: Annotated[str, typer.Argument(help="A short name for the change.")],
) -> None:
    """Write the next migration for DATABASE_URL's dialect; run once per dialect."""
    from app.db import make_migration

    written = asyncio.run(make_migration(get_settings().database_url, name))
    console.print(
        f"wrote {written}" if written else "models and migrations agree; nothing to write"
    )


@migrations_app.command("check")
def migrations_check() -> None:
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


@app.command("schema")
def schema_cmd() -> None:
    """Print the GraphQL schema (SDL)."""
    from schema.root import sdl

    print(sdl())


def main() -> None:
    app()


if __name__ == "__main__":
    main()
