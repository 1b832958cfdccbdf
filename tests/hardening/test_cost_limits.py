"""The cost limit and the response size limit, as a client meets them over HTTP and websockets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from graphql import parse

from app.server import create_app
from schema.cost import operation_cost
from schema.root import build_schema
from tests.conftest import CUSTOMER, make_settings, open_service_window, stop_server
from tests.live.server import Socket, serve

SCHEMA = build_schema()._schema
NESTED = (
    "{ contacts(first: 100) { edges { node { sessions(first: 100) { edges { node {"
    " messages(first: 100) { edges { node { id } } } } } } } } } }"
)


@asynccontextmanager
async def app_with(db: str, graph_url: str, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(db, graph_url, **overrides))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://wagraph") as client:
            yield client


async def post(
    client: httpx.AsyncClient, key: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_query_over_the_maximum_is_refused_naming_its_cost(
    client: httpx.AsyncClient, read_key: str
) -> None:
    # when: the three nested pages of 100 are asked for with a read key
    body = await post(client, read_key, NESTED)

    # then: refused before it runs, with the cost and the maximum
    assert body.get("data") is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["maxCost"] == 10_000
    assert error["extensions"]["cost"] > 3_000_000
    assert "10,000" in error["message"] and f"{error['extensions']['cost']:,}" in error["message"]


async def test_variables_are_resolved_before_costing(
    client: httpx.AsyncClient, read_key: str
) -> None:
    document = """
    query ($n: Int, $m: Int) {
      contacts(first: $n) { edges { node { messages(first: $m) { edges { node { id } } } } } }
    }"""
    # a small request runs
    small = await post(client, read_key, document, {"n": 5, "m": 5})
    assert "errors" not in small, small
    # the same document with large pages does not
    large = await post(client, read_key, document, {"n": 100, "m": 100})
    assert large["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert large["errors"][0]["extensions"]["cost"] == operation_cost(
        SCHEMA, parse(document), None, {"n": 100, "m": 100}
    )


async def test_aliases_add_up_to_the_maximum(client: httpx.AsyncClient, read_key: str) -> None:
    # given: 30 aliased messages(first: 100) with a few fields each (the 365 MB response)
    fields = "id text payload content metadata statusHistory { status occurredAt }"
    page = f"messages(first: 100) {{ edges {{ node {{ {fields} }} }} }}"
    document = "{ " + " ".join(f"a{i}: {page}" for i in range(30)) + " }"

    body = await post(client, read_key, document)

    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_the_limit_is_a_setting(db: str, sandbox_url: str, read_key: str) -> None:
    document = "{ messages(first: 30) { edges { node { id } } } }"  # costs 100 + 30 * 3
    async with app_with(db, sandbox_url, max_query_cost=189) as client:
        body = await post(client, read_key, document)
        assert body["errors"][0]["extensions"] == {
            "code": "QUERY_TOO_COSTLY",
            "cost": 190,
            "maxCost": 189,
        }
        assert "errors" not in await post(client, read_key, document.replace("30", "29"))


async def test_a_response_over_the_byte_limit_is_refused(
    db: str, sandbox_url: str, read_key: str
) -> None:
    # given: messages whose texts add up to more than the limit
    for _ in range(4):
        message = await open_service_window(CUSTOMER)
        message.text = "x" * 1000
        await message.save()
    document = "{ messages(first: 10) { edges { node { id text } } } }"
    async with app_with(db, sandbox_url, max_response_bytes=2048) as client:
        # when
        body = await post(client, read_key, document)
        # then: an error that says how large it would have been, and no partial data
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "RESPONSE_TOO_LARGE"
        assert error["extensions"]["maxBytes"] == 2048
        assert error["extensions"]["bytes"] > 4000
        # a smaller page fits
        small = await post(client, read_key, document.replace("first: 10", "first: 1"))
        assert len(small["data"]["messages"]["edges"]) == 1


async def test_a_costly_subscription_is_refused(db: str, sandbox_url: str, read_key: str) -> None:
    server, handle = await serve(db, sandbox_url, redis_url=None)
    try:
        socket = await Socket.open(server, {"Authorization": f"Bearer {read_key}"})
        assert (await socket.receive())["type"] == "connection_ack"
        # when: each update would carry three nested pages
        op = await socket.subscribe(
            "subscription { messageUpdated { message { contact { sessions(first: 100) {"
            " edges { node { messages(first: 100) { edges { node { id text } } } } } } } } } }"
        )
        # then: refused at once, with the cost
        message = await socket.next(op)
        assert message["type"] == "error", message
        assert message["payload"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
        # and a modest one is accepted on the same connection
        ok = await socket.subscribe("subscription { messageUpdated { change message { id } } }")
        await socket.send({"id": ok, "type": "complete"})
        await socket.close()
    finally:
        await stop_server(*handle)
