"""Two `wagraph serve` processes on one database: a key revoked or down-scoped through one is
refused by the other — on new requests and on a websocket opened before — within seconds.

With REDIS_URL set (CI's PostgreSQL pass) the change travels on Redis; without it, each
process's key cache ages out (WAGRAPH_KEY_CACHE_TTL, 1 s). Either way the deadline holds.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from models import ApiKeyScope
from tests.conftest import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, WABA_ID
from tests.hardening.test_auth_keys import REVOKE, SET_SCOPE, prefix_of
from tests.hardening.test_auth_sockets import MINT, closed_with
from tests.live.server import LiveServer, connect
from whatsapp.access import api_keys

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_S = 5.0
TAG = 'mutation { tagContact(waId: "15551234567", add: ["vip"]) { errors { code } } }'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process = process
        self.url = url
        self.log = log
        self.ws_url = url.replace("http://", "ws://") + "/graphql"

    async def post(
        self, key: str, query: str, variables: dict[str, object] | None = None
    ) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as http:
            return await http.post(
                "/graphql",
                json={"query": query, "variables": variables or {}},
                headers={"Authorization": f"Bearer {key}"},
            )


def spawn(db: str, sandbox_url: str, log: Path, port: int) -> subprocess.Popen[bytes]:
    """`wagraph serve` in a process of its own; its output goes to `log`."""
    env = {
        **os.environ,
        "DATABASE_URL": db,
        "META_GRAPH_API_BASE_URL": sandbox_url,
        "META_ACCESS_TOKEN": ACCESS_TOKEN,
        "META_APP_SECRET": APP_SECRET,
        "META_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "META_WHATSAPP_BUSINESS_ID": WABA_ID,
        "WAGRAPH_ENV": "test",
        "WAGRAPH_SANDBOX": "false",
        "WAGRAPH_BACKGROUND_INTERVAL": "0",
        "WAGRAPH_KEY_CACHE_TTL": "1",
    }
    command = [sys.executable, "-m", "app.cli", "serve", "--no-migrate", "--port", str(port)]
    with log.open("wb") as sink:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=sink)


async def start(db: str, sandbox_url: str, log: Path) -> Served:
    port = free_port()
    served = Served(spawn(db, sandbox_url, log, port), f"http://127.0.0.1:{port}", log)
    await until(lambda: _healthy(served), 60, "server did not start")
    return served


async def _healthy(served: Served) -> bool:
    if served.process.poll() is not None:
        raise AssertionError(f"server exited: {served.log.read_text()[-2000:]}")
    try:
        async with httpx.AsyncClient(base_url=served.url, timeout=1) as http:
            return (await http.get("/healthz")).status_code == 200
    except httpx.HTTPError:
        return False


async def until(check: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, what
        await asyncio.sleep(0.05)


@pytest.fixture
async def two_servers(db: str, sandbox_url: str, tmp_path: Path) -> AsyncIterator[list[Served]]:
    servers: list[Served] = []
    try:
        for name in ("a", "b"):
            servers.append(await start(db, sandbox_url, tmp_path / f"{name}.log"))
        yield servers
    finally:
        for served in servers:
            served.process.terminate()
        for served in servers:
            try:
                served.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                served.process.kill()


async def test_a_revoke_through_one_process_is_refused_by_the_other(
    two_servers: list[Served],
) -> None:
    a, b = two_servers
    _, admin = await api_keys.create_api_key(name="admin", scope=ApiKeyScope.ADMIN)
    _, victim = await api_keys.create_api_key(name="victim", scope=ApiKeyScope.ADMIN)
    # given: B knows the victim key well (cached), and holds a socket of it open
    assert (await b.post(victim, "{ apiKeys { prefix } }")).status_code == 200
    socket = await connect(LiveServer(None, b.url), victim)  # type: ignore[arg-type]

    # when: A revokes it
    revoked = await a.post(admin, REVOKE, {"p": prefix_of(victim)})
    assert revoked.json()["data"]["revokeApiKey"]["errors"] == []

    # then: B refuses it within the deadline, and its socket is closed before it can mint
    async def refused_by_b() -> bool:
        return (await b.post(victim, "{ apiKeys { prefix } }")).status_code == 401

    await until(refused_by_b, DEADLINE_S, "B still accepts the revoked key")
    assert await closed_with(socket, DEADLINE_S) == 4401


async def test_a_scope_lowered_through_one_process_applies_in_the_other(
    two_servers: list[Served],
) -> None:
    a, b = two_servers
    _, admin = await api_keys.create_api_key(name="admin", scope=ApiKeyScope.ADMIN)
    _, writer = await api_keys.create_api_key(name="writer", scope=ApiKeyScope.WRITE)
    assert "errors" not in (await b.post(writer, TAG)).json()

    lowered = await a.post(admin, SET_SCOPE, {"p": prefix_of(writer), "s": "READ"})
    assert lowered.json()["data"]["setApiKeyScope"]["errors"] == []

    async def forbidden_by_b() -> bool:
        body = (await b.post(writer, TAG)).json()
        return bool(body.get("errors")) and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    await until(forbidden_by_b, DEADLINE_S, "B still lets the lowered key write")
    assert (await b.post(writer, MINT)).json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
