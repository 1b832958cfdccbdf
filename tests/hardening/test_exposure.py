"""What the server shows of itself: introspection and GraphiQL, on where wanted, off in
production unless an operator turns them on."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import make_settings
from tests.hardening.test_cost_limits import app_with, post

INTROSPECTION = "{ __schema { queryType { name } } }"


@pytest.mark.parametrize(
    ("environment", "override", "enabled"),
    [
        ("development", None, True),
        ("test", None, True),
        ("production", None, False),
        ("production", True, True),
        ("development", False, False),
    ],
)
def test_introspection_and_graphiql_default_off_in_production_only(
    environment: str, override: bool | None, enabled: bool
) -> None:
    # Production's other requirements (real secrets) are not what is tested here.
    settings = make_settings(
        "sqlite://:memory:", "http://127.0.0.1:9", introspection=override, graphiql=override
    ).model_copy(update={"environment": environment})
    assert settings.introspection_enabled is enabled
    assert settings.graphiql_enabled is enabled


async def test_introspection_is_open_by_default(client: httpx.AsyncClient, read_key: str) -> None:
    body = await post(client, read_key, INTROSPECTION)
    assert body["data"] == {"__schema": {"queryType": {"name": "Query"}}}


async def test_disabled_introspection_refuses_schema_and_type_but_not_typename(
    db: str, sandbox_url: str, read_key: str
) -> None:
    async with app_with(db, sandbox_url, introspection=False) as client:
        for document in (INTROSPECTION, '{ __type(name: "Message") { fields { name } } }'):
            body = await post(client, read_key, document)
            assert body.get("data") is None
            codes = {e["extensions"]["code"] for e in body["errors"]}
            assert codes == {"INTROSPECTION_DISABLED"}, body
        # ordinary queries, __typename included, still run
        body = await post(client, read_key, "{ __typename messages(first: 1) { totalCount } }")
        assert body == {"data": {"__typename": "Query", "messages": {"totalCount": 0}}}


async def test_deep_introspection_is_refused_even_when_enabled(
    client: httpx.AsyncClient, read_key: str
) -> None:
    # Introspection costs nothing in the query cost; its nesting is bounded instead.
    deep = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    body = await post(client, read_key, deep)
    assert body.get("data") is None
    assert "introspection depth" in body["errors"][0]["message"]


async def test_graphiql_is_served_where_enabled(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


async def test_graphiql_is_not_served_where_disabled(db: str, sandbox_url: str) -> None:
    async with app_with(db, sandbox_url, graphiql=False) as client:
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code in (401, 404)
        assert "graphiql" not in page.text.lower()
