"""A real server (uvicorn, websockets) per test, and a graphql-transport-ws client.

Import the `live` and `redis_url` fixtures from here where they are used.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets
from starlette.applications import Starlette

from app.server import create_app
from tests.conftest import make_settings, start_server, stop_server
from tests.webhooks.test_whatsapp_webhook import sign

PROTOCOL = "graphql-transport-ws"


class LiveServer:
    def __init__(self, app: Starlette, url: str) -> None:
        self.app = app
        self.url = url
        self.ws_url = url.replace("http://", "ws://") + "/graphql"

    async def post_webhook(self, payload: Any) -> None:
        """Through the app's own webhook route, then its background work applies it."""
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)}
        async with httpx.AsyncClient(base_url=self.url) as http:
            response = await http.post("/webhooks/whatsapp", content=body, headers=headers)
        assert response.status_code == 200, response.text
        await self.app.state.background.drain()


async def serve(db: str, sandbox_url: str, **overrides: Any) -> tuple[LiveServer, Any]:
    app = create_app(make_settings(db, sandbox_url, **overrides))
    server, task, url = await start_server(app)
    return LiveServer(app, url), (server, task)


@pytest.fixture
async def live(db: str, sandbox_url: str) -> AsyncIterator[LiveServer]:
    """The app on a real socket, in-process broker (no Redis)."""
    server, handle = await serve(db, sandbox_url, redis_url=None)
    try:
        yield server
    finally:
        await stop_server(*handle)


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("WAGRAPH_REQUIRE_SERVICES"):
            pytest.fail("REDIS_URL must be set when WAGRAPH_REQUIRE_SERVICES is")
        pytest.skip("REDIS_URL is not set (CI's second pass runs these against Redis)")
    return url


class Socket:
    """One graphql-transport-ws connection."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self._next_id = 0

    @classmethod
    async def open(cls, server: LiveServer, payload: dict[str, Any] | None) -> Socket:
        ws = await websockets.connect(server.ws_url, subprotocols=[PROTOCOL])  # type: ignore[list-item]
        socket = cls(ws)
        await socket.send({"type": "connection_init", "payload": payload or {}})
        return socket

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self, timeout: float = 5.0) -> dict[str, Any]:
        import asyncio

        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        return json.loads(raw)  # type: ignore[no-any-return]

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self._next_id += 1
        op = str(self._next_id)
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": op, "type": "subscribe", "payload": payload})
        return op

    async def next(self, op: str, timeout: float = 5.0) -> dict[str, Any]:
        """The next `next` (or `error`) message of operation `op`, skipping pings."""
        while True:
            message = await self.receive(timeout)
            if message.get("id") == op and message["type"] in ("next", "error", "complete"):
                return message

    async def close(self) -> None:
        await self.ws.close()


async def connect(server: LiveServer, key: str) -> Socket:
    """An acknowledged connection holding `key`."""
    socket = await Socket.open(server, {"Authorization": f"Bearer {key}"})
    assert (await socket.receive())["type"] == "connection_ack"
    return socket


async def subscribed(server: LiveServer, count: int = 1) -> None:
    """Wait until the hub holds the subscriptions just sent (they start asynchronously)."""
    from tests.conftest import wait_for

    await wait_for(lambda: server.app.state.live_hub.subscribers >= count)
