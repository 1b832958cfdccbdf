"""`wagraph serve --workers N` with N > 1: N server processes on one listening socket.

One Python process uses one core; above a core's worth of load the server needs more processes.
They are run by uvicorn's own supervisor (`uvicorn.supervisors.Multiprocess`), the one
`uvicorn --workers` uses: it starts each child fresh (spawn), pings it, restarts one that dies
or hangs, and on SIGTERM or Ctrl-C stops them all and returns (exit 0). A child cannot be
handed the parent's app object, so the app is named by an import string and built from the
environment in each child (`app.server:create_app`, a factory); the environment is the
parent's, `--host`/`--port` included.

The parent does, once, what must happen once: it binds the port (so a port already taken is
the same one-line refusal as with one process, and every child accepts on the same socket),
applies the migrations, makes the development key and prints the banner; then it closes its
database connections and only supervises.

Several processes share nothing in memory, so some setups cannot work and are refused before
anything starts, every problem on its line (`problems`): the built-in sandbox (each process
would run its own, with its own state), no Redis (live updates, API-key revocations and the
Cloud API rate limit would stay within each process) and SQLite (one writer at a time).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from app import loop
from app.cli.common import fail, setup_logging
from app.cli.serve import CANNOT_START, banner, dev_key, listen, open_database, worker_warning
from app.settings import Settings

APP_FACTORY = "app.server:create_app"


def problems(settings: Settings) -> list[str]:
    """Why these settings cannot run `settings.workers` processes, one line per reason, each
    naming the variable to set; empty when they can."""
    n = settings.workers
    found = []
    if settings.uses_built_in_sandbox:
        found.append(
            f"META_GRAPH_API_BASE_URL: unset, so each of the {n} processes would start a "
            "built-in sandbox of its own, with its own state: run `wagraph sandbox` as its own "
            "process and set META_GRAPH_API_BASE_URL to it (e.g. http://127.0.0.1:"
            f"{settings.sandbox_port})"
        )
    if not settings.redis_url:
        found.append(
            f"REDIS_URL: unset; {n} processes need Redis to share live updates (subscriptions), "
            "API-key revocations and the Cloud API rate limit: set REDIS_URL=redis://host:6379/0"
        )
    if urlsplit(settings.database_url).scheme == "sqlite":
        found.append(
            f"DATABASE_URL: SQLite takes one writer at a time; {n} processes need PostgreSQL: "
            "set DATABASE_URL=postgres://user:password@host:5432/db"
        )
    return found


class ProcessConfig(uvicorn.Config):
    """uvicorn's config, which the supervisor pickles to each child: there it also sets up
    wagraph's logging as the parent did (a spawned process starts with none, and `log_config`
    is None so that uvicorn's lines go through ours)."""

    def configure_logging(self) -> None:
        super().configure_logging()
        setup_logging(str(self.log_level))


def serve_processes(settings: Settings, log_level: str, migrate_first: bool) -> None:
    """Refuse what cannot work, bind, migrate once, print the banner, then supervise."""
    found = problems(settings)
    if found:
        fail(found, heading=CANNOT_START)
    sock = listen(settings.host, settings.port, "WAGRAPH_PORT")
    try:
        key, warning = loop.run(_prepare(settings, migrate_first))
        supervisor = Multiprocess(config(settings, log_level), sockets=[sock])
        banner(settings, key, warning)
        supervisor.run()
    finally:
        sock.close()
    if any(process.exitcode == STARTUP_FAILURE for process in supervisor.processes):
        fail(
            ["a server process could not start (its log lines above say why)"],
            heading=CANNOT_START,
        )


def config(settings: Settings, log_level: str) -> ProcessConfig:
    """What each child runs: the app built from the environment, on the loop this process
    would use (uvloop where it is installed, as `app.loop` decides)."""
    return ProcessConfig(
        APP_FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        loop=loop.name(),
        log_level=log_level,
        proxy_headers=False,
        log_config=None,
    )


async def _prepare(settings: Settings, migrate_first: bool) -> tuple[str | None, str | None]:
    """Once, in the parent: migrate and open the database (or one line saying why not), the
    development key and the worker warning for the banner; then close it, as the children
    open their own."""
    from app.db import close_db

    await open_database(settings, migrate_first)
    try:
        return await dev_key(settings), await worker_warning(settings)
    finally:
        await close_db()
