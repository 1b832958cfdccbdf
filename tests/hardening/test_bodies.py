"""JSON request bodies are parsed with a depth bound: a deep body is a 400 that says so, never
a 500 (RecursionError), for GraphQL (body, query parameters, multipart operations) and for
signed webhooks; and a webhook body refused for its nesting stores nothing."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from models import WebhookDelivery
from tests.webhooks.test_whatsapp_webhook import sign
from whatsapp.kit import json_depth

LIMIT = 64  # WAGRAPH_MAX_JSON_DEPTH's default


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_too_deep(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["maxDepth"] == LIMIT
    assert "nested" in error["message"]


# -- the pre-scan ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ('"[[[["', 0),
        ("[]", 1),
        ('{"a": [1, {"b": "]]]}"}]}', 3),
        ('["\\"[[", [[]]]', 3),
        ('["é", ["☃"]]', 2),
        ("]]]", 0),
    ],
)
def test_nesting_is_measured_without_parsing_and_ignores_strings(text: str, depth: int) -> None:
    assert json_depth.nesting(text) == depth
    assert json_depth.nesting(text.encode()) == depth


def test_loads_refuses_past_the_bound_and_parses_within_it() -> None:
    assert json_depth.loads(json.dumps(nested(LIMIT)), max_depth=LIMIT) == nested(LIMIT)
    with pytest.raises(json_depth.JsonTooDeep) as refused:
        json_depth.loads(b"[" * 1_000_000, max_depth=LIMIT)
    assert refused.value.depth == 1_000_000
    assert isinstance(refused.value, json.JSONDecodeError)


# -- GraphQL ---------------------------------------------------------------------------------------


async def test_a_megabyte_of_open_brackets_is_400_not_500(
    client: httpx.AsyncClient, read_key: str
) -> None:
    response = await client.post(
        "/graphql",
        content=b"[" * 999_000,
        headers={**bearer(read_key), "Content-Type": "application/json"},
    )

    assert_too_deep(response)


async def test_deep_variables_are_400_and_within_the_bound_are_served(
    client: httpx.AsyncClient, read_key: str
) -> None:
    query = "{ __typename }"  # variables it does not declare are ignored, once parsed

    deep = await client.post(
        "/graphql",
        json={"query": query, "variables": {"x": nested(LIMIT)}},
        headers=bearer(read_key),
    )
    fine = await client.post(
        "/graphql",
        json={"query": query, "variables": {"x": nested(LIMIT - 2)}},
        headers=bearer(read_key),
    )

    assert_too_deep(deep)
    assert fine.status_code == 200
    assert fine.json() == {"data": {"__typename": "Query"}}


async def test_deep_variables_in_a_get_query_string_are_400(
    client: httpx.AsyncClient, read_key: str
) -> None:
    response = await client.get(
        "/graphql",
        params={"query": "{ __typename }", "variables": json.dumps({"x": nested(500)})},
        headers={**bearer(read_key), "Accept": "application/json"},
    )

    assert_too_deep(response)


async def test_deep_multipart_operations_are_400(client: httpx.AsyncClient, write_key: str) -> None:
    operations = json.dumps({"query": "{ __typename }", "variables": {"x": nested(200)}})

    response = await client.post(
        "/graphql",
        data={"operations": operations, "map": "{}"},
        files={"0": ("a.txt", b"x", "text/plain")},
        headers=bearer(write_key),
    )

    assert_too_deep(response)


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b'{"query": "{ __typename }", "variables": ' + b"9" * 5000 + b"}",
        b'{"query": "\\ud800"}',
        b"\xff\xfe",
        b'{"query": "{ __typename }", "variables": {"x": NaN}}',
    ],
)
async def test_bodies_that_are_not_json_are_400(
    client: httpx.AsyncClient, read_key: str, body: bytes
) -> None:
    response = await client.post(
        "/graphql",
        content=body,
        headers={**bearer(read_key), "Content-Type": "application/json"},
    )

    assert response.status_code == 400


async def test_without_a_key_a_deep_body_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"[" * 10_000, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 401


# -- webhooks --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 1_000_000,
        json.dumps({"object": "whatsapp_business_account", "entry": [nested(LIMIT)]}).encode(),
    ],
)
async def test_a_signed_webhook_nested_too_deep_is_400_and_nothing_is_stored(
    client: httpx.AsyncClient, body: bytes
) -> None:
    response = await client.post(
        "/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": sign(body)}
    )

    assert response.status_code == 400
    assert "nested" in response.text
    assert await WebhookDelivery.all().count() == 0


async def test_an_unsigned_deep_webhook_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/webhooks/whatsapp",
        content=b"[" * 1_000_000,
        headers={"X-Hub-Signature-256": "sha256=" + "0" * 64},
    )

    assert response.status_code == 401
    assert await WebhookDelivery.all().count() == 0


@pytest.mark.parametrize(
    "body",
    [
        b'{"object": "whatsapp_business_account", "entry": [{"id": Infinity}]}',
        b'{"object": "whatsapp_business_account", "entry": [',
        b"\xff\xfe",
    ],
)
async def test_a_signed_webhook_that_is_not_json_is_400_and_nothing_is_stored(
    client: httpx.AsyncClient, body: bytes
) -> None:
    response = await client.post(
        "/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": sign(body)}
    )

    assert response.status_code == 400
    assert "Not a JSON document" in response.text
    assert await WebhookDelivery.all().count() == 0
