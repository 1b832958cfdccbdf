"""Authentication is current: revokes, lower scopes and expiries apply at once in the process
that made them, within the cache's TTL elsewhere, and the cache holds digests only."""

from __future__ import annotations

from datetime import timedelta

import httpx

from models import ApiKey, ApiKeyScope
from tests.conftest import GraphQL, wait_for
from whatsapp.access import api_keys
from whatsapp.access.cache import KeyCache
from whatsapp.kit.clock import utcnow

READ = "{ messages(first: 1) { edges { node { id } } } }"
CREATE = 'mutation ($exp: DateTime) { createApiKey(name: "x", scope: READ, expiresAt: $exp) '
CREATE += "{ key apiKey { prefix expiresAt } errors { code field } } }"
REVOKE = "mutation ($p: String!) { revokeApiKey(prefix: $p) { apiKey { revokedAt } "
REVOKE += "errors { code field } } }"
SET_SCOPE = "mutation ($p: String!, $s: ApiKeyScope!) { setApiKeyScope(prefix: $p, scope: $s) "
SET_SCOPE += "{ apiKey { scope } errors { code field } } }"


def prefix_of(key: str) -> str:
    return key[: key.index("_", 4)]


async def status(client: httpx.AsyncClient, key: str, query: str = READ) -> int:
    response = await client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {key}"}
    )
    return response.status_code


async def test_a_revoke_through_graphql_refuses_the_key_at_once(
    client: httpx.AsyncClient, admin_key: str, write_key: str
) -> None:
    # given: the write key is in use (so cached)
    assert await status(client, write_key) == 200

    # when
    result = await GraphQL(client, admin_key)(REVOKE, {"p": prefix_of(write_key)})

    # then
    assert result["data"]["revokeApiKey"]["errors"] == []
    assert result["data"]["revokeApiKey"]["apiKey"]["revokedAt"] is not None
    assert await status(client, write_key) == 401


async def test_a_lowered_scope_applies_at_once(
    client: httpx.AsyncClient, admin_key: str, write_key: str
) -> None:
    gql = GraphQL(client, write_key)
    tag = 'mutation { tagContact(waId: "15551234567", add: ["vip"]) { errors { code } } }'
    assert "errors" not in await gql(tag)

    lowered = await GraphQL(client, admin_key)(SET_SCOPE, {"p": prefix_of(write_key), "s": "READ"})

    assert lowered["data"]["setApiKeyScope"] == {"apiKey": {"scope": "read"}, "errors": []}
    refused = await gql(tag)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "errors" not in await gql(READ)


async def test_unknown_or_malformed_prefixes_are_not_found(
    client: httpx.AsyncClient, admin_key: str
) -> None:
    gql = GraphQL(client, admin_key)
    unknown = await gql(REVOKE, {"p": "wag_00000000"})
    assert unknown["data"]["revokeApiKey"]["errors"] == [{"code": "NOT_FOUND", "field": ["prefix"]}]
    for prefix in ["wag_00000000", "x" * 5000, "wag_\x00"]:
        # malformed ones may be refused at the edge (INVALID_INPUT) before the lookup
        revoked = await gql(REVOKE, {"p": prefix})
        scoped = await gql(SET_SCOPE, {"p": prefix, "s": "READ"})
        for result in (revoked["data"]["revokeApiKey"], scoped["data"]["setApiKeyScope"]):
            assert result["errors"][0]["code"] in {"NOT_FOUND", "INVALID_INPUT"}
            assert result["errors"][0]["field"] == ["prefix"]


async def test_a_key_created_with_an_expiry_is_refused_from_then_on(
    client: httpx.AsyncClient, admin_key: str
) -> None:
    # given: a key that expires in a moment, used (and so cached) before that
    soon = utcnow() + timedelta(seconds=1)
    created = (await GraphQL(client, admin_key)(CREATE, {"exp": soon.isoformat()}))["data"]
    key = created["createApiKey"]["key"]
    assert created["createApiKey"]["apiKey"]["expiresAt"] is not None
    assert await status(client, key) == 200

    # then: refused once the moment passes, cached or not
    await wait_for(lambda: _refused(client, key), timeout=10)


async def _refused(client: httpx.AsyncClient, key: str) -> bool:
    return await status(client, key) == 401


async def test_an_expiry_in_the_past_is_an_input_error(
    client: httpx.AsyncClient, admin_key: str
) -> None:
    gql = GraphQL(client, admin_key)
    for when in [(utcnow() - timedelta(minutes=1)).isoformat(), "9999-12-31T00:00:00Z"]:
        result = await gql(CREATE, {"exp": when})
        assert result["data"]["createApiKey"] == {
            "key": None,
            "apiKey": None,
            "errors": [{"code": "INVALID_INPUT", "field": ["expiresAt"]}],
        }


async def test_api_keys_lists_expiry_and_revocation_never_keys(
    client: httpx.AsyncClient, admin_key: str, read_key: str
) -> None:
    await api_keys.revoke_api_key(prefix_of(read_key))

    result = await GraphQL(client, admin_key)(
        "{ apiKeys { prefix scope expiresAt revokedAt lastUsedAt } }"
    )

    listed = {k["prefix"]: k for k in result["data"]["apiKeys"]}
    assert listed[prefix_of(read_key)]["revokedAt"] is not None
    assert listed[prefix_of(admin_key)]["revokedAt"] is None
    assert read_key not in str(result)


async def test_the_cache_spares_queries_until_its_ttl_and_holds_digests_only() -> None:
    # given: a cache on a hand-turned clock, and a key it has seen
    now = [0.0]
    cache = KeyCache(ttl_s=1.0, max_entries=2, clock=lambda: now[0])
    row, key = await api_keys.create_api_key(name="cached", scope=ApiKeyScope.WRITE)
    assert (await cache.authenticate(key)) is not None

    # when: another process revokes it (straight in the database: nothing announced here)
    await ApiKey.filter(id=row.id).update(revoked_at=utcnow())

    # then: trusted until the TTL, refused after it
    assert (await cache.authenticate(key)) is not None
    now[0] = 1.0
    assert (await cache.authenticate(key)) is None
    assert key not in repr(cache._entries)


async def test_the_cache_is_bounded_and_skips_unknown_keys() -> None:
    cache = KeyCache(ttl_s=60, max_entries=2)
    keys = [
        (await api_keys.create_api_key(name=f"k{i}", scope=ApiKeyScope.READ))[1] for i in range(3)
    ]
    for key in keys:
        assert await cache.authenticate(key) is not None
    assert await cache.authenticate("wag_00000000_guess") is None
    assert await cache.authenticate("\x00" * 300) is None

    assert len(cache) == 2
    assert set(cache._entries) == {api_keys.digest(k) for k in keys[1:]}


async def test_the_cache_forgets_a_key_changed_in_its_process() -> None:
    cache = KeyCache(ttl_s=60)
    row, key = await api_keys.create_api_key(name="changed", scope=ApiKeyScope.ADMIN)
    assert (await cache.authenticate(key)) is not None

    await api_keys.set_api_key_scope(row.prefix, ApiKeyScope.READ)

    current = await cache.authenticate(key)
    assert current is not None and current.scope is ApiKeyScope.READ
