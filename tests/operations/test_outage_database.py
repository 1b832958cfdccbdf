"""PostgreSQL stopped under a running server (`wagraph serve`, a process of its own, on a
throwaway cluster): GraphQL, /readyz and the webhook answer 503 with Retry-After — JSON for
GraphQL and /readyz, a status Meta retries for the webhook — never a plain-text 500 or a
dropped connection; and once PostgreSQL is back, everything answers again without a restart.

Needs PostgreSQL's server binaries (a throwaway cluster starts in about a second): without
them the test fails, it never skips."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from sandbox import Sandbox
from tests.conftest import APP_SECRET, PHONE_NUMBER_ID
from tests.conftest import wait_for as poll
from tests.processes import ROOT, Processes, deployment_env, wait_http
from tests.services import ThrowawayPostgres, throwaway_postgres, unused_port

QUERY = "{ messages(first: 1) { edges { node { id } } } }"
UNAVAILABLE = {
    "data": None,
    "errors": [
        {
            "message": "The database is unavailable; retry shortly.",
            "extensions": {"code": "SERVICE_UNAVAILABLE"},
        }
    ],
}


@pytest.fixture
def pg() -> Iterator[ThrowawayPostgres]:
    with throwaway_postgres() as cluster:
        yield cluster


def wagraph(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def webhook_body(n: int) -> tuple[bytes, dict[str, str]]:
    body = orjson.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": PHONE_NUMBER_ID},
                                "statuses": [
                                    {
                                        "id": f"wamid.outage-{n}",
                                        "status": "delivered",
                                        "timestamp": "1700000000",
                                        "recipient_id": "15551234567",
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    )
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-Hub-Signature-256": signature, "Content-Type": "application/json"}


async def graphql(http: httpx.AsyncClient, key: str) -> httpx.Response:
    return await http.post(
        "/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {key}"}
    )


def assert_unavailable_json(response: httpx.Response, body: object) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "3"
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == body


async def test_a_postgres_outage_is_answered_503_and_recovers(
    pg: ThrowawayPostgres, sandbox: Sandbox, sandbox_url: str, tmp_path: Path
) -> None:
    port = unused_port()
    env = deployment_env(
        pg.url, sandbox_url, extra={"WAGRAPH_PORT": str(port), "WAGRAPH_RETRY_AFTER": "3"}
    )
    wagraph(env, "migrate")
    key = wagraph(env, "keys", "create", "--name", "outage", "--scope", "write").split()[-1]
    base = f"http://127.0.0.1:{port}"
    with Processes(tmp_path) as processes:
        server = processes.wagraph("serve", "serve", "--no-migrate", env=env)
        await wait_http(f"{base}/healthz", server)
        async with httpx.AsyncClient(base_url=base, timeout=15) as http:
            assert (await graphql(http, key)).status_code == 200  # the key is cached now

            await asyncio.to_thread(pg.stop)
            # a known key: the resolver fails; an unknown one: the key check itself fails
            assert_unavailable_json(await graphql(http, key), UNAVAILABLE)
            assert_unavailable_json(await graphql(http, "wag_unknown_key"), UNAVAILABLE)
            assert_unavailable_json(
                await http.get("/readyz"), {"status": "unavailable", "database": "down"}
            )
            body, headers = webhook_body(1)
            refused = await http.post("/webhooks/whatsapp", content=body, headers=headers)
            assert refused.status_code == 503 and refused.headers["retry-after"] == "3"
            # a burst, stored as one batch, is refused delivery by delivery
            burst = [webhook_body(n) for n in range(2, 8)]
            answers = await asyncio.gather(
                *(http.post("/webhooks/whatsapp", content=b, headers=h) for b, h in burst)
            )
            assert [r.status_code for r in answers] == [503] * len(burst)
            assert server.running, server.tail()

            await asyncio.to_thread(pg.start)

            async def ready() -> bool:
                return (await http.get("/readyz")).status_code == 200

            await poll(ready, timeout=20)
            answered = await graphql(http, key)
            assert answered.status_code == 200 and "errors" not in answered.json()
            retried = await http.post("/webhooks/whatsapp", content=body, headers=headers)
            assert retried.status_code == 200, retried.text
            answers = await asyncio.gather(
                *(http.post("/webhooks/whatsapp", content=b, headers=h) for b, h in burst)
            )
            assert [r.status_code for r in answers] == [200] * len(burst)
        log = server.tail(400)
    assert "Internal Server Error" not in log, log


# -- telling an outage from a bug ---------------------------------------------------------------


def outages() -> list[BaseException]:
    import asyncpg
    from tortoise.exceptions import DBConnectionError, OperationalError

    wrapped = OperationalError("query failed")
    wrapped.__cause__ = asyncpg.exceptions.AdminShutdownError(
        "terminating connection due to administrator command"
    )
    return [
        ConnectionRefusedError(111, "Connect call failed"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle"),
        asyncpg.exceptions.InterfaceError("cannot perform operation: connection is closed"),
        DBConnectionError("Can't establish connection"),
        wrapped,
    ]


def bugs() -> list[BaseException]:
    import asyncpg
    from tortoise.exceptions import IntegrityError, OperationalError

    integrity = IntegrityError("duplicate key")
    integrity.__cause__ = asyncpg.exceptions.UniqueViolationError("duplicate key value")
    syntax = OperationalError("syntax")
    syntax.__cause__ = asyncpg.exceptions.PostgresSyntaxError("syntax error at or near")
    return [integrity, syntax, ValueError("bad input"), KeyError("id")]


def test_connectivity_failures_are_outages_and_statement_errors_are_not() -> None:
    from whatsapp.kit.outages import is_database_outage

    assert all(is_database_outage(exc) for exc in outages())
    assert not any(is_database_outage(exc) for exc in bugs())


async def test_a_background_loop_logs_one_line_per_database_outage(
    db: str, sandbox_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    from app.runtime import build_runtime
    from jobs.inprocess import BackgroundWork
    from jobs.table import Cron, Job, JobContext
    from tests.conftest import make_settings

    calls = 0

    async def flaky(ctx: JobContext) -> None:
        nonlocal calls
        calls += 1
        if calls <= 5:
            raise ConnectionRefusedError(111, "Connect call failed")

    work = BackgroundWork(make_settings(db, sandbox_url, background_interval_s=0.01))
    rt = build_runtime(work.settings)
    job = Job("test.flaky", flaky, Cron(second=frozenset({0})))
    loop = asyncio.create_task(work._every(job, JobContext(rt, work.settings)))
    try:
        await poll(lambda: calls >= 7)
    finally:
        await work.stop()
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
        await rt.aclose()

    messages = [r.getMessage() for r in caplog.records if r.name == "wagraph.background"]
    assert len(messages) == 2, messages
    assert "The database at" in messages[0] and "unreachable" in messages[0]
    assert "while test.flaky" in messages[0]
    assert messages[1].startswith("The database is back after")
    assert not any(r.exc_info for r in caplog.records if r.name == "wagraph.background")


async def test_a_worker_job_ends_quietly_on_a_database_outage_and_raises_on_a_bug(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    from jobs.table import Cron, Job
    from jobs.worker import _arq_coroutine
    from whatsapp.kit.outages import Outage

    failures: list[BaseException] = [*outages(), ValueError("a bug")]

    async def failing(ctx: object) -> None:
        raise failures.pop(0)

    run = _arq_coroutine(Job("test.failing", failing, Cron(second=frozenset({0}))))
    ctx = {"job": None, "database": Outage("The database", "db", logging.getLogger("t"), 1)}
    for _ in outages():
        assert await run(ctx) is None
    with pytest.raises(ValueError, match="a bug"):
        await run(ctx)
    assert len([r for r in caplog.records if "unreachable" in r.getMessage()]) == 1
