"""Every mutation leaves an `audit.mutation` event naming the acting key and the outcome —
never the key itself."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models import WhatsAppAnalyticsEvent
from tests.conftest import GraphQL
from tests.hardening.test_auth_keys import prefix_of
from tests.live.server import LiveServer, connect
from tests.live.server import live as live  # a fixture
from whatsapp.access import api_keys

pytestmark = pytest.mark.usefixtures("customer")

TAG = 'mutation Tagging { tagContact(waId: "15551234567", add: ["vip"]) { errors { code } } }'


async def audit_events() -> list[dict[str, Any]]:
    rows = await WhatsAppAnalyticsEvent.filter(name="audit.mutation").order_by("created_at")
    return [row.properties for row in rows]


async def test_a_tag_change_names_its_key(client: httpx.AsyncClient, write_key: str) -> None:
    # when
    result = await GraphQL(client, write_key)(TAG)

    # then
    assert result["data"]["tagContact"]["errors"] == []
    [event] = await audit_events()
    key = await api_keys.authenticate(write_key)
    assert key is not None
    assert event == {
        "field": "tagContact",
        "operation": "Tagging",
        "key": {
            "id": str(key.id),
            "prefix": prefix_of(write_key),
            "name": "test-write",
            "scope": "write",
        },
        "outcome": "ok",
        "codes": [],
        "transport": "http",
    }
    row = await WhatsAppAnalyticsEvent.get(name="audit.mutation")
    assert row.source == "api"


async def test_outcomes_rejected_refused_and_each_aliased_field(
    client: httpx.AsyncClient, write_key: str, admin_key: str
) -> None:
    gql = GraphQL(client, write_key)
    await gql(
        'mutation { bad: tagContact(waId: "15551234567", add: ["no spaces"]) { contact { id } } }'
    )
    await gql('mutation { createApiKey(name: "x", scope: ADMIN) { key } }')
    created = await GraphQL(client, admin_key)(
        'mutation { a: createApiKey(name: "one", scope: READ) { key } '
        'b: createApiKey(name: "  ", scope: READ) { key } }'
    )

    events = await audit_events()
    assert [(e["field"], e.get("alias"), e["outcome"], e["codes"]) for e in events] == [
        ("tagContact", "bad", "rejected", ["INVALID_INPUT"]),
        ("createApiKey", None, "refused", ["FORBIDDEN"]),
        ("createApiKey", "a", "ok", []),
        ("createApiKey", "b", "rejected", ["INVALID_INPUT"]),
    ]
    assert events[1]["key"]["prefix"] == prefix_of(write_key)
    assert events[2]["key"]["prefix"] == prefix_of(admin_key)
    # the secrets appear nowhere: neither the acting keys nor the one minted
    recorded = str(events)
    for secret in (write_key, admin_key, created["data"]["a"]["key"]):
        assert secret not in recorded
        assert api_keys.digest(secret) not in recorded


async def test_key_management_and_mark_as_read_are_audited(
    client: httpx.AsyncClient, admin_key: str, read_key: str
) -> None:
    gql = GraphQL(client, admin_key)
    await gql(
        "mutation ($p: String!) { setApiKeyScope(prefix: $p, scope: WRITE) { errors { code } } }",
        {"p": prefix_of(read_key)},
    )
    await gql(
        "mutation ($p: String!) { revokeApiKey(prefix: $p) { errors { code } } }",
        {"p": prefix_of(read_key)},
    )
    await gql('mutation { markAsRead(messageId: "wamid.unknown") { errors { code } } }')

    events = await audit_events()
    assert [(e["field"], e["outcome"]) for e in events] == [
        ("setApiKeyScope", "ok"),
        ("revokeApiKey", "ok"),
        ("markAsRead", "rejected"),
    ]
    assert all(e["key"]["prefix"] == prefix_of(admin_key) for e in events)


async def test_queries_leave_no_audit_event(gql: GraphQL) -> None:
    await gql("{ messages(first: 1) { edges { node { id } } } }")

    assert await audit_events() == []


async def test_a_mutation_over_a_websocket_is_audited(live: LiveServer, admin_key: str) -> None:
    socket = await connect(live, admin_key)
    op = await socket.subscribe('mutation { createApiKey(name: "ws", scope: READ) { key } }')
    await socket.next(op)
    await socket.close()

    [event] = await audit_events()
    assert event["transport"] == "websocket"
    assert event["outcome"] == "ok"
    assert event["key"]["prefix"] == prefix_of(admin_key)


def test_every_mutation_is_audited_outside_its_scope_check() -> None:
    # A mutation declared without `schema.fields.mutation` would escape the audit trail; the
    # audit must be the outermost extension, or a scope refusal would go unrecorded.
    from schema.audit import AuditedMutation
    from schema.root import Mutation

    fields = Mutation.__strawberry_definition__.fields
    assert len(fields) >= 18
    unaudited = [f.name for f in fields if not isinstance(f.extensions[-1], AuditedMutation)]
    assert unaudited == []
