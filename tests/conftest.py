"""Test wiring with real parts: a migrated database (SQLite file, or PostgreSQL when
DATABASE_URL says so), the sandbox as Meta on a real socket, and the app over ASGI.

Each test starts from empty tables and a reset sandbox.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from tortoise import Tortoise

from app.db import close_db, dialect_of, init_db, migrate
from app.server import create_app
from app.settings import Settings
from models import (
    ApiKeyScope,
    MessageDirection,
    MessageStatus,
    MessageType,
    WhatsAppMessage,
)
from sandbox import Sandbox, SandboxConfig
from whatsapp.access import api_keys
from whatsapp.automations.enabled import ENABLED
from whatsapp.conversations.contacts import get_or_create_contact
from whatsapp.flows import crypto as flows_crypto
from whatsapp.kit.clock import utcnow

PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
ACCESS_TOKEN = "test-token"
APP_SECRET = "test-app-secret"
CUSTOMER = "15551234567"
VERIFY_TOKEN = "test-verify-token"
# The Flows endpoint's key in every test app (made once: RSA key generation takes a moment).
FLOWS_KEY = flows_crypto.generate_private_key()


# -- database ----------------------------------------------------------------------------------


async def _create_pg_database(base_url: str) -> tuple[str, Callable[[], Any]]:
    """A throwaway database next to the one DATABASE_URL names, dropped at the end."""
    import asyncpg

    parts = urlsplit(base_url)
    name = f"wagraph_test_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(base_url.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()

    async def drop() -> None:
        conn = await asyncpg.connect(base_url.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    return urlunsplit(parts._replace(path=f"/{name}")), drop


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    base = os.environ.get("DATABASE_URL", "")
    if base and dialect_of(base) == "postgres":
        url, drop = await _create_pg_database(base)
        try:
            yield url
        finally:
            await drop()
        return
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite://{Path(tmp) / 'test.sqlite3'}"


@pytest.fixture(scope="session")
async def db(database_url: str) -> AsyncIterator[str]:
    """The schema comes from the checked-in migrations, so the suite runs on what ships.

    Opening the database (`init_db`) also subscribes automations to the event log, as in every
    process, so tests that call the core directly see automations fire.
    """
    await migrate(database_url)
    await init_db(database_url)
    try:
        yield database_url
    finally:
        await close_db()


def _tables() -> list[str]:
    """Every table of our models, each before the tables it references (SQLite deletes
    without CASCADE), so a new model is cleaned without being listed here."""
    models = [m for m in Tortoise.apps["models"].values() if m._meta.db_table != "aerich"]
    refers = {
        model._meta.db_table: {
            field.related_model._meta.db_table
            for field in model._meta.fk_fields | model._meta.o2o_fields
            for field in [model._meta.fields_map[field]]
        }
        - {model._meta.db_table}
        for model in models
    }
    ordered: list[str] = []
    while len(ordered) < len(refers):
        for table in sorted(refers):
            referrers = [t for t, targets in refers.items() if table in targets]
            if table not in ordered and all(t in ordered for t in referrers):
                ordered.append(table)
    return ordered


@pytest.fixture(autouse=True)
async def clean_tables(db: str) -> None:
    # Raw deletes fire no ORM signal: the process's cache of enabled automations is told here.
    ENABLED.invalidate()
    conn = Tortoise.get_connection("default")
    tables = _tables()
    if dialect_of(db) == "postgres":
        await conn.execute_script(f"TRUNCATE {', '.join(tables)} CASCADE")
    else:
        for table in tables:
            await conn.execute_script(f"DELETE FROM {table}")


# -- the sandbox (Meta) ------------------------------------------------------------------------


STOP_GRACE_S = 10


async def start_server(app: Any) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    """A real uvicorn server on a free port, in this event loop.

    Stopping it waits at most `STOP_GRACE_S` for requests still being answered, then cancels
    them (uvicorn logs how many): one request left hanging by a test must not hang the
    suite's teardown, as one did once at the end of a whole PostgreSQL run."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        timeout_graceful_shutdown=STOP_GRACE_S,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.005)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, task, f"http://127.0.0.1:{port}"


async def stop_server(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    await task


@pytest.fixture(scope="session")
async def sandbox_server() -> AsyncIterator[tuple[Sandbox, str]]:
    sandbox = Sandbox(
        SandboxConfig(
            access_token=ACCESS_TOKEN,
            app_secret=APP_SECRET,
            phone_numbers={PHONE_NUMBER_ID: "15550783881"},
            waba_id=WABA_ID,
            seed=7,
        )
    )
    server, task, url = await start_server(sandbox.app())
    try:
        yield sandbox, url
    finally:
        await stop_server(server, task)


@pytest.fixture
async def sandbox(sandbox_server: tuple[Sandbox, str]) -> AsyncIterator[Sandbox]:
    """A fresh sandbox; runtime knobs a test turned (rate limit, faults) are put back after."""
    box, _ = sandbox_server
    box.reset()
    yield box
    box.faults.clear()
    box.config.update(
        {"rate_limit_mps": 80, "webhook_url": None, "fault_rate": 0.0, "response_delay_s": 0.0}
    )


@pytest.fixture
def sandbox_url(sandbox_server: tuple[Sandbox, str]) -> str:
    return sandbox_server[1]


# -- the app -----------------------------------------------------------------------------------


def make_settings(database_url: str, graph_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "graph_api_base_url": graph_url,
        "graph_api_version": "v25.0",
        "meta_access_token": ACCESS_TOKEN,
        "meta_app_secret": APP_SECRET,
        "meta_phone_number_id": PHONE_NUMBER_ID,
        "meta_business_id": WABA_ID,
        "sandbox_enabled": False,
        "cloud_backoff_base_s": 0.01,
        "cloud_backoff_max_s": 0.05,
        "http_timeout_s": 0.5,
        "meta_verify_token": VERIFY_TOKEN,
        "flows_private_key": flows_crypto.private_pem(FLOWS_KEY),
        # Tests drive background work explicitly (drain, process_due, run_pending).
        "background_interval_s": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
async def app_client(
    db: str, sandbox_server: tuple[Sandbox, str]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(db, sandbox_server[1]))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://wagraph") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


@pytest.fixture
async def client(app_client: httpx.AsyncClient, sandbox: Sandbox) -> httpx.AsyncClient:
    """The app, with a fresh sandbox behind it."""
    return app_client


async def _key(scope: ApiKeyScope) -> str:
    _, key = await api_keys.create_api_key(name=f"test-{scope.value}", scope=scope)
    return key


@pytest.fixture
async def admin_key() -> str:
    return await _key(ApiKeyScope.ADMIN)


@pytest.fixture
async def write_key() -> str:
    return await _key(ApiKeyScope.WRITE)


@pytest.fixture
async def read_key() -> str:
    return await _key(ApiKeyScope.READ)


async def open_service_window(
    wa_id: str, phone_number_id: str = PHONE_NUMBER_ID, *, at: datetime | None = None
) -> WhatsAppMessage:
    """The customer wrote to us (as an inbound webhook would record it): the window opens."""
    when = at or utcnow()
    contact = await get_or_create_contact(wa_id)
    return await WhatsAppMessage.create(
        direction=MessageDirection.INBOUND,
        type=MessageType.TEXT,
        status=MessageStatus.RECEIVED,
        phone_number_id=phone_number_id,
        customer_wa_id=wa_id,
        contact=contact,
        text="Hi",
        wamid=f"wamid.test-{secrets.token_hex(8)}",
        received_at=when,
    )


@pytest.fixture
async def customer() -> str:
    """A customer whose 24-hour window is open (they wrote a minute ago)."""
    await open_service_window(CUSTOMER)
    return CUSTOMER


class GraphQL:
    """Posts documents as an API key holder; returns the decoded JSON."""

    def __init__(self, client: httpx.AsyncClient, key: str) -> None:
        self.client = client
        self.key = key

    async def __call__(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.key}"},
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def gql(client: httpx.AsyncClient, write_key: str) -> GraphQL:
    return GraphQL(client, write_key)


async def wait_for(predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll until the predicate is truthy (it may be async); fail after the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.01)


# -- the reliability suite (tests/reliability) -------------------------------------------------

RELIABILITY_NOTE = (
    "{n} reliability tests deselected (real processes and outages, about a minute): run them with "
    "WAGRAPH_RELIABILITY=1 DATABASE_URL=postgres://… REDIS_URL=redis://… pytest tests/reliability"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The reliability suite runs only when asked (`.ci/run` asks in its PostgreSQL+Redis pass);
    otherwise it is deselected, and the summary says so and how to run it."""
    if os.environ.get("WAGRAPH_RELIABILITY") == "1":
        return
    heavy = [item for item in items if item.get_closest_marker("reliability")]
    if heavy:
        config.hook.pytest_deselected(items=heavy)
        items[:] = [item for item in items if not item.get_closest_marker("reliability")]
        config.stash[_RELIABILITY_DESELECTED] = len(heavy)


_RELIABILITY_DESELECTED = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    deselected = config.stash.get(_RELIABILITY_DESELECTED, 0)
    if deselected:
        terminalreporter.write_line(RELIABILITY_NOTE.format(n=deselected))
