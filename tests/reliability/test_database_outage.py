"""PostgreSQL stopped and started under a burst of sends: clients get only 200s or JSON 503s
with Retry-After (never a plain-text 500, never a dropped connection), sends resume when the
database is back, and a client retrying with its idempotency key never has a message sent
twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.conftest import wait_for as poll
from tests.processes import Processes, deployment_env, wait_http
from tests.reliability.deployment import MetaSandbox, start_sandbox
from tests.services import ThrowawayPostgres, throwaway_postgres, unused_port

pytestmark = pytest.mark.reliability

SENDS = 240
CLIENTS = 8
SEND = """mutation($input: SendTemplateInput!) {
  sendTemplate(input: $input) { message { id status } errors { code message } replayed } }"""


@pytest.fixture
def postgres() -> Iterator[ThrowawayPostgres]:
    with throwaway_postgres() as server:
        yield server


@dataclass
class Burst:
    """What the clients saw: every answer's kind, the 503s' shape, and the keys done."""

    answers: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    # recipient -> the message the 200 that ended its sends carried, and every answer it had
    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    history: dict[str, list[str]] = field(default_factory=dict)

    def saw(self, response: httpx.Response) -> None:
        kind = response.headers.get("content-type", "").split(";")[0]
        self.answers[f"{response.status_code} {kind}"] += 1
        if response.status_code == 503 and (
            kind != "application/json" or not response.headers.get("retry-after")
        ):
            self.unexpected.append(f"503 without JSON or Retry-After: {response.text[:200]}")
        elif response.status_code not in (200, 503):
            self.unexpected.append(f"{response.status_code} {kind}: {response.text[:200]}")


async def send_until_done(http: httpx.AsyncClient, burst: Burst, i: int) -> None:
    """One send, retried under its idempotency key until it is answered with a message;
    after a 503 the client waits what Retry-After says (at most a second here)."""
    key = f"burst-{i}"
    to = f"1555{i:07d}"
    variables = {
        "input": {"to": to, "name": "hello_world", "language": "en_US", "idempotencyKey": key}
    }
    while True:
        try:
            response = await http.post("/graphql", json={"query": SEND, "variables": variables})
        except httpx.TransportError as exc:
            burst.answers["dropped connection"] += 1
            burst.unexpected.append(f"dropped connection: {exc!r}")
            await asyncio.sleep(0.2)
            continue
        burst.saw(response)
        burst.history.setdefault(to, []).append(f"{response.status_code} {response.text[:200]}")
        if response.status_code == 200:
            payload = response.json()["data"]["sendTemplate"]
            if payload["message"] is not None and not payload["errors"]:
                burst.done[to] = {**payload["message"], "replayed": payload["replayed"]}
                return
            burst.unexpected.append(f"200 with errors: {payload['errors']}")
        await asyncio.sleep(min(float(response.headers.get("retry-after", "1")), 1.0))


async def run_clients(http: httpx.AsyncClient, burst: Burst) -> None:
    pending = iter(range(SENDS))

    async def client() -> None:
        for i in pending:
            await send_until_done(http, burst, i)

    await asyncio.gather(*(client() for _ in range(CLIENTS)))


async def write_key(env: dict[str, str], processes: Processes) -> str:
    keys = processes.wagraph(
        "keys", "keys", "create", "--name", "burst", "--scope", "write", env=env
    )
    assert await keys.exited(60) == 0, keys.tail()
    return keys.log.read_text().strip().splitlines()[-1]


async def test_database_outage_during_a_send_burst_gives_only_503s_and_no_double_send(
    processes: Processes, postgres: ThrowawayPostgres
) -> None:
    # given: a server on its own PostgreSQL, Meta in its own process, a client sending
    sandbox: MetaSandbox = await start_sandbox(processes)
    port = unused_port()
    env = deployment_env(postgres.url, sandbox.url, extra={"WAGRAPH_PORT": str(port)})
    server = processes.wagraph("server", "serve", "--log-level", "warning", env=env)
    base = f"http://127.0.0.1:{port}"
    await wait_http(f"{base}/healthz", server)
    key = await write_key(env, processes)
    burst = Burst()
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
        clients = asyncio.create_task(run_clients(http, burst))
        try:
            # when: PostgreSQL stops part-way through the burst, and starts again once
            # clients have been told to come back later
            await poll(lambda: len(burst.done) >= 40, timeout=60)
            await asyncio.to_thread(postgres.stop)
            await poll(
                lambda: sum(n for k, n in burst.answers.items() if k[:3] == "503") >= 5, timeout=30
            )
            await asyncio.to_thread(postgres.start)
            await asyncio.wait_for(asyncio.shield(clients), timeout=120)
            ready = await http.get("/readyz")
        finally:
            clients.cancel()
            await asyncio.wait([clients])

    # then: only 200s and JSON 503s; every send done; Meta received each message once
    assert not burst.unexpected, (burst.answers, burst.unexpected[:5], server.tail())
    assert set(burst.answers) <= {"200 application/json", "503 application/json"}
    assert len(burst.done) == SENDS
    received = Counter((await sandbox.stats())["sends_per_recipient"])
    never_sent = {to: (burst.done[to], burst.history[to]) for to in burst.done if not received[to]}
    assert not never_sent, f"answered 200 with a message Meta never received: {never_sent}"
    assert not {to: n for to, n in received.items() if n > 1}, "sent twice"
    assert sum(received.values()) == SENDS
    assert server.running, server.tail()
    assert ready.status_code == 200, ready.text  # the same process recovered, unrestarted
