"""Open graphql-transport-ws sockets follow their key: a revoke or expiry closes them (4401)
within a second or so, a lower scope applies to their next operation — even when the change
was made by another process (straight in the database here: nothing is announced)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import websockets

from models import ApiKey, ApiKeyScope
from tests.live.server import LiveServer, Socket, connect, subscribed
from tests.live.server import live as live  # a fixture
from tests.resolvers.test_subscriptions import EVENTS
from whatsapp.access import api_keys
from whatsapp.kit.clock import utcnow

MINT = 'mutation { createApiKey(name: "minted", scope: ADMIN) { key errors { code } } }'


async def closed_with(socket: Socket, timeout: float = 10.0) -> int:
    """Read until the server closes the socket; its close code."""
    try:
        while True:
            await socket.receive(timeout)
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else -1


async def operation(socket: Socket, query: str) -> dict[str, Any]:
    op = await socket.subscribe(query)
    return await socket.next(op)


async def test_a_socket_of_a_key_revoked_elsewhere_is_closed(live: LiveServer) -> None:
    # given: an admin's socket with a live subscription
    row, key = await api_keys.create_api_key(name="socket", scope=ApiKeyScope.ADMIN)
    socket = await connect(live, key)
    await socket.subscribe(EVENTS, {"filter": {"name": "note.*"}})
    await subscribed(live)

    # when: another process revokes the key
    await ApiKey.filter(id=row.id).update(revoked_at=utcnow())

    # then: the socket is closed, its subscription ended, and it minted nothing
    assert await closed_with(socket) == 4401
    assert await ApiKey.filter(name="minted").count() == 0


async def test_a_new_operation_after_a_revoke_is_refused(live: LiveServer) -> None:
    # given: a socket whose key is revoked in this process (its cache forgets at once)
    row, key = await api_keys.create_api_key(name="socket", scope=ApiKeyScope.ADMIN)
    socket = await connect(live, key)
    await api_keys.revoke_api_key(row.prefix)

    # when: it tries to mint a new admin key
    await socket.subscribe(MINT)

    # then
    assert await closed_with(socket) == 4401
    assert await ApiKey.filter(name="minted").count() == 0


async def test_a_lowered_scope_reaches_an_open_socket(live: LiveServer) -> None:
    row, key = await api_keys.create_api_key(name="socket", scope=ApiKeyScope.ADMIN)
    socket = await connect(live, key)
    minted = await operation(socket, MINT)
    assert minted["payload"]["data"]["createApiKey"]["errors"] == []

    # another process lowers the key to read: within the TTL the socket's mutations stop
    await ApiKey.filter(id=row.id).update(scope=ApiKeyScope.READ)

    async def refused() -> bool:
        result = await operation(socket, MINT)
        return bool(result["payload"].get("errors"))

    deadline = asyncio.get_running_loop().time() + 10
    while not await refused():
        assert asyncio.get_running_loop().time() < deadline, "scope not lowered in time"
    result = await operation(socket, MINT)
    assert result["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    reads = await operation(socket, "{ apiKeys { prefix } }")
    assert reads["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "errors" not in await operation(socket, "{ events(first: 1) { edges { cursor } } }")
    await socket.close()


async def test_a_socket_is_closed_when_its_key_expires(live: LiveServer) -> None:
    _, key = await api_keys.create_api_key(
        name="short", scope=ApiKeyScope.READ, expires_at=utcnow() + timedelta(seconds=1)
    )
    socket = await connect(live, key)

    assert await closed_with(socket) == 4401


async def test_connection_init_with_an_expired_key_is_refused(live: LiveServer) -> None:
    row, key = await api_keys.create_api_key(name="old", scope=ApiKeyScope.READ)
    await ApiKey.filter(id=row.id).update(expires_at=utcnow() - timedelta(seconds=1))

    socket = await Socket.open(live, {"Authorization": f"Bearer {key}"})

    assert await closed_with(socket) == 4403
