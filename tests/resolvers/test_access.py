"""API keys and scopes on every GraphQL request."""

from __future__ import annotations

import httpx
import pytest

from models import ApiKey
from sandbox import Sandbox
from tests.conftest import GraphQL
from tests.resolvers.test_messages_send import SEND, graph_requests
from whatsapp.access import api_keys

pytestmark = pytest.mark.usefixtures("customer")

QUERY = "{ messages(first: 1) { edges { node { id } } } }"
TEXT = {"to": "15551234567", "content": {"text": {"body": "hi"}}}


@pytest.mark.parametrize("header", [None, "Bearer wag_nope_nope", "Basic abc", "Bearer "])
async def test_no_or_bad_key_is_401(client: httpx.AsyncClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}

    response = await client.post("/graphql", json={"query": QUERY}, headers=headers)

    assert response.status_code == 401
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_revoked_key_is_401(client: httpx.AsyncClient, read_key: str) -> None:
    row = await ApiKey.get(key_hash=api_keys.digest(read_key))
    assert await api_keys.revoke_api_key(row.prefix)

    response = await client.post(
        "/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {read_key}"}
    )

    assert response.status_code == 401


async def test_read_key_reads_but_cannot_send(
    client: httpx.AsyncClient, read_key: str, sandbox: Sandbox
) -> None:
    gql = GraphQL(client, read_key)

    read = await gql(QUERY)
    write = await gql(SEND, {"input": TEXT})

    assert "errors" not in read
    assert write["data"] is None
    assert write["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert graph_requests(sandbox) == []


async def test_write_key_sends_but_cannot_admin(
    client: httpx.AsyncClient, write_key: str, sandbox: Sandbox
) -> None:
    gql = GraphQL(client, write_key)

    sent = await gql(SEND, {"input": TEXT})
    admin = await gql('mutation { createApiKey(name: "x", scope: READ) { key } }')

    assert sent["data"]["sendMessage"]["errors"] == []
    assert admin["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_admin_creates_keys_shown_once_stored_hashed(
    client: httpx.AsyncClient, admin_key: str
) -> None:
    gql = GraphQL(client, admin_key)

    result = await gql(
        'mutation { createApiKey(name: "dashboard", scope: READ) '
        "{ key apiKey { prefix scope } errors { code } } }"
    )

    created = result["data"]["createApiKey"]
    assert created["apiKey"]["scope"] == "read"
    key = created["key"]
    assert key.startswith(created["apiKey"]["prefix"])
    assert await ApiKey.filter(key_hash=key).count() == 0  # never stored in clear
    assert await ApiKey.filter(key_hash=api_keys.digest(key)).count() == 1
    # and it works
    assert "errors" not in await GraphQL(client, key)(QUERY)


async def test_graphiql_page_is_served_without_a_key(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_query_depth_is_bounded(gql: GraphQL) -> None:
    deep = "{ messages { edges { node { " + "replyTo { " * 12 + "id" + " }" * 12 + " } } } }"

    result = await gql(deep)

    assert "exceeds maximum operation depth" in result["errors"][0]["message"]


async def test_oversized_body_is_413(client: httpx.AsyncClient, write_key: str) -> None:
    response = await client.post(
        "/graphql",
        json={"query": QUERY, "variables": {"pad": "x" * 1_100_000}},
        headers={"Authorization": f"Bearer {write_key}"},
    )

    assert response.status_code == 413


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "up"


async def test_a_blank_key_name_is_an_input_error(
    client: httpx.AsyncClient, admin_key: str
) -> None:
    result = await GraphQL(client, admin_key)(
        'mutation { createApiKey(name: "   ", scope: READ) { key errors { code field } } }'
    )

    assert result["data"]["createApiKey"] == {
        "key": None,
        "errors": [{"code": "INVALID_INPUT", "field": ["name"]}],
    }
    assert await ApiKey.all().count() == 1  # only the admin key itself
