"""`wagraph serve`: the GraphQL server, with the Cloud API sandbox beside it in development.

One process by default; `--workers N` runs N under uvicorn's supervisor (`serve_processes`).
"""

from __future__ import annotations

import asyncio
import errno
import importlib.util
import logging
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import quote

import typer

from app import loop
from app.cli.common import console, fail, load_settings, setup_logging
from app.cli.sandbox import sandbox_config
from app.settings import Settings, get_settings

if TYPE_CHECKING:
    import uvicorn

DEMO_CUSTOMER = "15551234567"
CANNOT_START = "wagraph cannot start"


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (WAGRAPH_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (WAGRAPH_PORT).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Server processes sharing the port (WAGRAPH_WORKERS); above 1 needs "
            "PostgreSQL, REDIS_URL and the sandbox run apart.",
        ),
    ] = None,
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
    if workers:
        os.environ["WAGRAPH_WORKERS"] = str(workers)
    get_settings.cache_clear()
    settings = load_settings()  # every problem, one line each, then exit 1
    setup_logging(log_level)
    if settings.workers > 1:
        from app.cli.serve_processes import serve_processes

        serve_processes(settings, log_level, migrate_first)
        return
    # The ports are taken before anything is printed: a second `make run` says so and stops.
    sockets = [listen(settings.host, settings.port, "WAGRAPH_PORT")]
    if settings.uses_built_in_sandbox:
        sockets.append(listen("127.0.0.1", settings.sandbox_port, "WAGRAPH_SANDBOX_PORT"))
    try:
        loop.run(_serve(settings, log_level, migrate_first, sockets))
    finally:
        for sock in sockets:
            sock.close()


def listen(host: str, port: int, variable: str) -> socket.socket:
    """A socket bound to host:port for uvicorn to serve on, or one line saying why not."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        fail([f"WAGRAPH_HOST: cannot resolve {host!r} ({exc.strerror})"], heading=CANNOT_START)
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            problem = (
                f"{variable}: port {port} on {host} is already in use (another wagraph "
                f"running?): stop it, or set {variable} to a free port"
            )
        else:
            problem = f"{variable}: cannot listen on {host}:{port} ({exc.strerror})"
        fail([problem], heading=CANNOT_START)
    return sock


async def open_database(settings: Settings, migrate_first: bool) -> None:
    """Migrate and open the database, or one line naming DATABASE_URL and what to do."""
    from app.cli.check import database_problem
    from app.db import init_db
    from app.db import migrate as run_migrations

    development = settings.environment == "development"
    problem = await database_problem(settings.database_url, create_sqlite_dir=development)
    if problem:
        fail([problem], heading=CANNOT_START)
    try:
        if migrate_first:
            await run_migrations(settings.database_url)
        await init_db(settings.database_url)  # the app's lifespan reuses it; closed below
    except Exception as exc:
        # The probe above found the database; what fails now is rarer (a migration, a lock).
        logging.getLogger("wagraph").debug("opening the database failed", exc_info=True)
        fail(
            [f"DATABASE_URL: the database could not be migrated or opened: {exc}"],
            heading=CANNOT_START,
        )


async def _serve(
    settings: Settings, log_level: str, migrate_first: bool, sockets: list[socket.socket]
) -> None:
    import uvicorn

    from app.db import close_db
    from app.server import create_app

    await open_database(settings, migrate_first)
    key = await dev_key(settings)
    warning = await worker_warning(settings)
    servers = [
        uvicorn.Server(
            uvicorn.Config(
                create_app(settings),
                host=settings.host,
                port=settings.port,
                log_level=log_level,
                proxy_headers=False,
                # uvicorn's own lines go through our logging (JSON in production)
                log_config=None,
            )
        )
    ]
    if settings.uses_built_in_sandbox:
        servers.append(_sandbox_server(settings, log_level))
    banner(settings, key, warning)
    tasks = [
        asyncio.create_task(server.serve(sockets=[sock]))
        for server, sock in zip(servers, sockets, strict=True)
    ]
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


async def _demo_customer_says_hello(settings: Settings, servers: list[uvicorn.Server]) -> None:
    """The demo customer writes first, so their 24-hour window is open in the sandbox and here."""
    import httpx

    while not all(server.started for server in servers):  # noqa: ASYNC110 - uvicorn has no event
        await asyncio.sleep(0.05)
    await _upload_flows_key(settings)
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


async def _upload_flows_key(settings: Settings) -> None:
    """The sandbox (Meta) learns the Flows public key, as `wagraph flows upload-key` tells the
    real one, so the demo's Flows are encrypted for this server's key."""
    from app.dev_flows import flows_keys
    from app.runtime import cloud_config
    from whatsapp.cloud.client import CloudClient, CloudError
    from whatsapp.flows import crypto

    keys = flows_keys(settings)
    if not keys:
        return
    cloud = CloudClient(cloud_config(settings))
    try:
        await cloud.set_business_public_key(
            settings.meta_phone_number_id, crypto.public_pem(keys[0])
        )
    except CloudError as exc:
        logging.getLogger("wagraph").warning("Flows key not uploaded to the sandbox: %s", exc)
    finally:
        await cloud.aclose()


def _sandbox_server(settings: Settings, log_level: str) -> uvicorn.Server:
    import uvicorn

    from sandbox import Sandbox

    # The loop closes: statuses and simulated customers come back to us, signed.
    config = sandbox_config(settings, webhook_url=f"{settings.self_url}/webhooks/whatsapp")
    return uvicorn.Server(
        uvicorn.Config(
            Sandbox(config).app(),
            host="127.0.0.1",
            port=settings.sandbox_port,
            log_level="warning" if log_level == "info" else log_level,
            log_config=None,
        )
    )


async def dev_key(settings: Settings) -> str | None:
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


async def worker_warning(settings: Settings) -> str | None:
    """With REDIS_URL: a line when scheduled messages are due and no worker heartbeat is
    recent (workers send them; this server only after WAGRAPH_WORKER_TIMEOUT)."""
    if not settings.redis_url:
        return None
    from app.outages import worker_warning as warning_for
    from jobs.watch import WorkerWatch
    from whatsapp.messages import scheduling

    watch = WorkerWatch(
        settings.redis_url,
        settings.queue_name,
        timeout_s=settings.worker_timeout_s,
        retry_s=settings.redis_retry_max_s,
    )
    try:
        sighting = await watch.look()
    finally:
        await watch.aclose()
    due = await scheduling.count_due()
    return warning_for(sighting, due=due, timeout_s=settings.worker_timeout_s)


def banner(settings: Settings, key: str | None, warning: str | None = None) -> None:
    url = f"http://{settings.host}:{settings.port}/graphql"
    console.print(f"[bold green]wagraph[/] GraphiQL: {url}")
    if settings.workers > 1:
        console.print(
            f"  {settings.workers} processes on one port (uvicorn's supervisor restarts any "
            "that dies; SIGTERM or Ctrl-C stops them all)"
        )
    if warning:
        console.print(f"  [yellow]warning:[/] {warning}")
    console.print(f"  database: {settings.database_url.split('@')[-1]}")
    parser = "httptools" if importlib.util.find_spec("httptools") else "h11"
    console.print(f"  event loop: {loop.name()}, HTTP parser: {parser}")
    console.print(
        f"  Cloud API: {settings.graph_base_url}/{settings.graph_api_version}"
        + ("  (built-in sandbox)" if settings.uses_built_in_sandbox else "")
    )
    if key:
        console.print(f"  development API key (admin), kept in {settings.dev_api_key_file}:")
        console.print(f"    {key}")
        console.print(
            "  GraphiQL opened on this machine sends it already; elsewhere, in its Headers: "
            f'{{"Authorization": "Bearer {key}"}}'
        )
    if settings.dashboard_enabled:
        console.print(f"  dashboard: {dashboard_link(settings, key)}")
    if settings.uses_built_in_sandbox:
        console.print(
            f"  demo customer {DEMO_CUSTOMER} has just written, so free-form sends to them are "
            "allowed; simulate any customer message with POST "
            f"http://127.0.0.1:{settings.sandbox_port}/_sandbox/customers/<waId>/messages"
        )


def dashboard_link(settings: Settings, key: str | None) -> str:
    """The dashboard's URL; with the development key, signed in through the fragment
    (`#key=…`): a browser never sends a fragment, so no access log or proxy records it, and
    the page moves the key to sessionStorage and clears it from the address bar."""
    url = f"http://{settings.host}:{settings.port}/dashboard"
    return f"{url}#key={quote(key, safe='')}" if key else url
