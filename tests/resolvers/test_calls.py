"""Calls and a contact's timeline over GraphQL: pages, relations through the loaders, and a
constant number of queries whatever the page size."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from models import CallKind, MessageDirection, WhatsAppCall, WhatsAppContact
from tests.conftest import GraphQL
from tests.resolvers.test_conversations_sessions import (
    make_contact,
    make_event,
    make_message,
    make_session,
)
from tests.resolvers.test_messages_query import count_queries
from whatsapp.kit.clock import utcnow

CALLS = """
query L($first: Int, $after: String) {
  calls(first: $first, after: $after) {
    totalCount
    edges { node { callId kind direction status durationSeconds contact { waId } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

TIMELINE = """
query T($id: ID!, $first: Int, $after: String) {
  contact(id: $id) {
    timeline(first: $first, after: $after) {
      totalCount
      edges { cursor node {
        __typename
        ... on Message { id text session { id } }
        ... on Event { id name session { id } contact { waId } }
      } }
      pageInfo { hasNextPage endCursor }
    }
    calls(first: 5) { totalCount edges { node { callId } } }
  }
}"""


async def make_call(contact: WhatsAppContact | None, n: int, **fields: Any) -> WhatsAppCall:
    values: dict[str, Any] = {
        "meta_id": f"wacid.TEST-{n}-{uuid.uuid4().hex[:6]}",
        "kind": CallKind.CALL,
        "direction": MessageDirection.INBOUND,
        "status": "COMPLETED",
        "duration_seconds": n,
        "contact": contact,
        "created_at": utcnow() - timedelta(minutes=60 - n),
        **fields,
    }
    return await WhatsAppCall.create(**values)


async def test_a_contact_timeline_over_graphql_reads_top_to_bottom(gql: GraphQL) -> None:
    # given: a message in a session, then a call's events outside any session
    ana = await make_contact("15550000001")
    session = await make_session(ana)
    t = utcnow().replace(microsecond=0) - timedelta(minutes=10)
    hello = await make_message(session, at=t, text="hello", contact=ana)
    connected = await make_event("call.connected", at=t + timedelta(seconds=1), contact=ana)
    ended = await make_event("call.ended", at=t + timedelta(seconds=9), contact=ana)
    call = await make_call(ana, 1)

    # when: read two at a time
    first = await gql(TIMELINE, {"id": str(ana.id), "first": 2})
    assert "errors" not in first, first
    page = first["data"]["contact"]["timeline"]
    rest = await gql(
        TIMELINE, {"id": str(ana.id), "first": 2, "after": page["pageInfo"]["endCursor"]}
    )

    # then
    nodes = [edge["node"] for edge in page["edges"]]
    nodes += [edge["node"] for edge in rest["data"]["contact"]["timeline"]["edges"]]
    assert [node["id"] for node in nodes] == [str(hello.id), str(connected.id), str(ended.id)]
    assert nodes[0] == {
        "__typename": "Message",
        "id": str(hello.id),
        "text": "hello",
        "session": {"id": str(session.id)},
    }
    assert nodes[1]["session"] is None
    assert nodes[1]["contact"] == {"waId": "15550000001"}
    assert page["totalCount"] == 3
    assert first["data"]["contact"]["calls"] == {
        "totalCount": 1,
        "edges": [{"node": {"callId": call.meta_id}}],
    }


async def test_calls_resolve_their_contacts_without_a_query_each(gql: GraphQL) -> None:
    # given: calls of many contacts
    for n in range(1, 26):
        await make_call(await make_contact(f"155500001{n:02d}"), n)
    await gql(CALLS, {"first": 1})  # the key's last use is written once, then cached

    # when
    with count_queries() as small:
        small_page = await gql(CALLS, {"first": 2})
    with count_queries() as large:
        large_page = await gql(CALLS, {"first": 25})

    # then
    assert len(small) == len(large), (small, large)
    edges = large_page["data"]["calls"]["edges"]
    assert [edge["node"]["durationSeconds"] for edge in edges] == list(range(25, 0, -1))
    assert edges[0]["node"]["contact"] == {"waId": "15550000125"}
    assert small_page["data"]["calls"]["pageInfo"]["hasNextPage"] is True


async def test_a_bad_calls_cursor_is_invalid_input(gql: GraphQL) -> None:
    result = await gql(CALLS, {"after": "nope"})

    assert result["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": ["after"]}
