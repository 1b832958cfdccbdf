"""Connections to the Cloud API as several small httpx pools instead of one large one.

httpcore's pool does its bookkeeping on every request and every response by walking all of
its connections, and for each idle one it polls the socket and recounts the idle ones
(encode/httpx#3215): the cost per request grows with the square of the pool. Measured with
`bench/flush.py` on PostgreSQL (one worker, 6,000 messages): one pool of 32 costs 2.0 ms of
worker CPU per message, one of 4 costs 1.3 ms; one pool of 128 with Meta 100 ms away costs
16 ms and flushes 60 msg/s. A remote Meta needs many connections in flight (rate x round
trip), so the connections are split into pools of `SHARD_SIZE` and each request goes to the
pool with the fewest requests in flight: the bookkeeping stays that of a small pool whatever
the total, and a light load stays on the first pools' warm connections.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

SHARD_SIZE = 4
"""Connections per pool: the smallest pools measured cheapest (see the module docstring)."""


def shard_sizes(connections: int, shard_size: int = SHARD_SIZE) -> list[int]:
    """`connections` split into pools of at most `shard_size`, as evenly as possible."""
    if connections < 1 or shard_size < 1:
        raise ValueError("connections and shard_size must be at least 1")
    count = -(-connections // shard_size)
    base, extra = divmod(connections, count)
    return [base + 1 if i < extra else base for i in range(count)]


class ShardedTransport(httpx.AsyncBaseTransport):
    """`connections` keep-alive connections in pools of at most `shard_size`; each request
    goes to the least busy pool (a request is busy until its response body is closed)."""

    def __init__(self, connections: int, *, shard_size: int = SHARD_SIZE, **options: Any) -> None:
        self.sizes = shard_sizes(connections, shard_size)
        # One TLS context for all: each transport would otherwise load the CA bundle again.
        options.setdefault("verify", _tls_context())
        self._options = options
        # Made on first use: a light load never needs more than the first few.
        self._pools: list[httpx.AsyncHTTPTransport | None] = [None] * len(self.sizes)
        self.busy = [0] * len(self.sizes)

    def _pool(self, shard: int) -> httpx.AsyncHTTPTransport:
        pool = self._pools[shard]
        if pool is None:
            size = self.sizes[shard]
            limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
            pool = self._pools[shard] = httpx.AsyncHTTPTransport(limits=limits, **self._options)
        return pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        busy = self.busy
        shard = busy.index(min(busy))
        busy[shard] += 1
        try:
            response = await self._pool(shard).handle_async_request(request)
        except BaseException:
            busy[shard] -= 1
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Counted(response.stream, lambda: _release(busy, shard))
        return response

    async def aclose(self) -> None:
        for pool in self._pools:
            if pool is not None:
                await pool.aclose()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The process's TLS context for the Cloud API (the CA bundle is read once)."""
    return httpx.create_ssl_context()


def _release(busy: list[int], shard: int) -> None:
    busy[shard] -= 1


class _Counted(httpx.AsyncByteStream):
    """A response body that tells its pool's counter when it is closed (once)."""

    def __init__(self, stream: httpx.AsyncByteStream, on_close: Callable[[], None]) -> None:
        self._stream = stream
        self._on_close: Callable[[], None] | None = on_close

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        on_close, self._on_close = self._on_close, None
        try:
            await self._stream.aclose()
        finally:
            if on_close is not None:
                on_close()
