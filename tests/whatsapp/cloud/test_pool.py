"""The Cloud API connections as small pools: sizes, least-busy routing, counters released."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.conftest import start_server, stop_server, wait_for
from whatsapp.cloud.pool import ShardedTransport, shard_sizes


@pytest.mark.parametrize(
    ("connections", "size", "expected"),
    [(1, 4, [1]), (4, 4, [4]), (5, 4, [3, 2]), (32, 4, [4] * 8), (10, 4, [4, 3, 3])],
)
def test_connections_are_split_evenly_into_pools_no_larger_than_the_shard(
    connections: int, size: int, expected: list[int]
) -> None:
    assert shard_sizes(connections, size) == expected
    assert sum(expected) == connections


def test_a_pool_of_no_connections_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        shard_sizes(0)


class Held:
    """A server whose answers wait until the test lets them go."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.arrived = 0

    def app(self) -> Starlette:
        async def answer(request: Request) -> PlainTextResponse:
            self.arrived += 1
            await self.release.wait()
            return PlainTextResponse("ok")

        return Starlette(routes=[Route("/", answer)])


async def test_requests_go_to_the_least_busy_pool_and_free_it_when_answered() -> None:
    held = Held()
    server, task, url = await start_server(held.app())
    transport = ShardedTransport(6, shard_size=2)
    try:
        async with httpx.AsyncClient(transport=transport) as http:
            # when: five requests wait on the server at once
            pending = [asyncio.create_task(http.get(url)) for _ in range(5)]
            await wait_for(lambda: held.arrived == 5)

            # then: they were spread over the three pools of two
            assert transport.sizes == [2, 2, 2]
            assert sorted(transport.busy) == [1, 2, 2]

            # when: the server answers
            held.release.set()
            answers = await asyncio.gather(*pending)

        # then: every answer arrived and every pool is free again
        assert [a.text for a in answers] == ["ok"] * 5
        assert transport.busy == [0, 0, 0]
    finally:
        await stop_server(server, task)


async def test_a_failed_request_frees_its_pool() -> None:
    transport = ShardedTransport(4, shard_size=2)
    async with httpx.AsyncClient(transport=transport) as http:
        # when: nothing listens there
        with pytest.raises(httpx.ConnectError):
            await http.get("http://127.0.0.1:9/")

    # then: the pool it took counts it no more
    assert transport.busy == [0, 0]


async def test_a_light_load_stays_on_the_first_pool() -> None:
    held = Held()
    held.release.set()
    server, task, url = await start_server(held.app())
    transport = ShardedTransport(8, shard_size=2)
    try:
        async with httpx.AsyncClient(transport=transport) as http:
            for _ in range(3):
                assert (await http.get(url)).text == "ok"
            # then: one after another, each went to the first pool (its warm connection)
            first = transport._pools[0]
            assert first is not None
            assert len(first._pool.connections) == 1
            # the other pools were never needed, so never made
            assert transport._pools[1:] == [None, None, None]
    finally:
        await stop_server(server, task)
