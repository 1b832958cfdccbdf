"""Reading the event log: filtered, newest first, relations through DataLoaders."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest

from tests.conftest import GraphQL
from tests.resolvers.test_conversations_sessions import (
    make_contact,
    make_event,
    make_message,
    make_session,
    walk,
)
from tests.resolvers.test_messages_query import count_queries
from whatsapp.kit.clock import utcnow

LIST = """
query E($filter: EventFilter, $first: Int, $after: String) {
  events(filter: $filter, first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        id name source properties createdAt causedByAutomationRunId
        message { id text } session { id } contact { waId }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def names(gql: GraphQL, filter_: dict[str, object]) -> list[str]:
    # 50: a pattern the index cannot narrow (`*.sent`) costs a scan; 100 would be over the limit
    result = await gql(LIST, {"filter": filter_, "first": 50})
    assert "errors" not in result, result
    return sorted(edge["node"]["name"] for edge in result["data"]["events"]["edges"])


async def test_event_fields_and_relations(gql: GraphQL) -> None:
    # given
    contact = await make_contact()
    session = await make_session(contact)
    message = await make_message(session, at=utcnow(), text="hello", contact=contact)
    run = uuid.uuid4()
    await make_event(
        "message.sent",
        at=utcnow(),
        session=session,
        contact=contact,
        message=message,
        source="api",
        caused_by_automation_run_id=run,
    )

    # when
    [edge] = (await gql(LIST, {}))["data"]["events"]["edges"]

    # then
    node = edge["node"]
    assert (node["name"], node["source"], node["properties"]) == (
        "message.sent",
        "api",
        {"n": "message.sent"},
    )
    assert node["message"] == {"id": str(message.id), "text": "hello"}
    assert node["session"] == {"id": str(session.id)}
    assert node["contact"] == {"waId": contact.wa_id}
    assert node["causedByAutomationRunId"] == str(run)


async def test_pages_walk_every_event_newest_first(gql: GraphQL) -> None:
    base = utcnow() - timedelta(hours=1)
    stamps = [base, base, base + timedelta(seconds=1), base + timedelta(seconds=1), base]
    rows = [await make_event(f"e.{i}", at=at) for i, at in enumerate(stamps)]
    expected = [str(r.id) for r in sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)]

    for first in (1, 2, 4, 5):
        nodes = await walk(gql, LIST, "events", first)
        assert [n["id"] for n in nodes] == expected


async def test_filters(gql: GraphQL) -> None:
    # given
    now = utcnow()
    ada, bob = await make_contact("15550000001"), await make_contact("15550000002")
    session = await make_session(ada)
    message = await make_message(session, at=now, contact=ada, wamid="wamid.ABC")
    at = now - timedelta(minutes=5)
    await make_event("message.sent", at=at, session=session, contact=ada, message=message)
    await make_event("message.failed", at=at, contact=bob, source="webhook")
    await make_event("messages.x", at=at)
    await make_event("message_sent", at=at)
    await make_event("flow.screen.done", at=at - timedelta(days=1), source="flows")
    await make_event("Message.Sent", at=at)

    # then
    assert await names(gql, {"name": "message.sent"}) == ["message.sent"]
    assert await names(gql, {"name": "message.*"}) == ["message.failed", "message.sent"]
    assert await names(gql, {"name": "*.sent"}) == ["message.sent"]  # case-sensitive
    assert await names(gql, {"name": "flow.*.done"}) == ["flow.screen.done"]
    assert await names(gql, {"name": "message_*"}) == ["message_sent"]  # _ is literal
    assert await names(gql, {"name": "message%"}) == []  # % is literal
    assert len(await names(gql, {"name": "*"})) == 6
    assert await names(gql, {"source": "webhook"}) == ["message.failed"]
    assert await names(gql, {"sessionId": str(session.id)}) == ["message.sent"]
    assert await names(gql, {"contactWaId": "+1 555 000 0002"}) == ["message.failed"]
    assert await names(gql, {"messageId": str(message.id)}) == ["message.sent"]
    assert await names(gql, {"messageId": "wamid.ABC"}) == ["message.sent"]
    assert await names(gql, {"messageId": "wamid.nope"}) == []
    assert await names(gql, {"since": (now - timedelta(hours=1)).isoformat()}) == [
        "Message.Sent",
        "message.failed",
        "message.sent",
        "message_sent",
        "messages.x",
    ]
    assert await names(gql, {"until": (now - timedelta(hours=1)).isoformat()}) == [
        "flow.screen.done"
    ]
    assert await names(gql, {"since": at.isoformat(), "until": at.isoformat()}) == []
    assert await names(gql, {"name": "message.*", "source": "webhook"}) == ["message.failed"]


async def test_glob_and_like_metacharacters_are_literal(gql: GraphQL) -> None:
    at = utcnow()
    for name in ("a[b].c", "a?b.c", "axb.c", "a\\b.c"):
        await make_event(name, at=at)

    assert await names(gql, {"name": "a[b]*"}) == ["a[b].c"]
    assert await names(gql, {"name": "a?b*"}) == ["a?b.c"]
    assert await names(gql, {"name": "a\\b*"}) == ["a\\b.c"]


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"first": 0}, ["first"]),
        ({"after": "x"}, ["after"]),
        ({"filter": {"name": ""}}, ["filter", "name"]),
        ({"filter": {"name": "x" * 129}}, ["filter", "name"]),
        ({"filter": {"sessionId": "nope"}}, ["filter", "sessionId"]),
        ({"filter": {"messageId": "nope"}}, ["filter", "messageId"]),
        ({"filter": {"contactWaId": "abc"}}, ["filter", "contactWaId"]),
    ],
)
async def test_bad_arguments_are_invalid_input(
    gql: GraphQL, variables: dict[str, object], field: list[str]
) -> None:
    result = await gql(LIST, variables)

    assert result["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": field}


async def test_read_scope_is_enough_and_no_key_is_401(
    client: httpx.AsyncClient, read_key: str
) -> None:
    await make_event("a.b", at=utcnow())

    read = await GraphQL(client, read_key)(LIST, {})
    anonymous = await client.post("/graphql", json={"query": LIST})

    assert read["data"]["events"]["totalCount"] == 1
    assert anonymous.status_code == 401


async def test_sql_queries_do_not_grow_with_page_size(gql: GraphQL) -> None:
    base = utcnow() - timedelta(hours=1)
    for i in range(30):
        contact = await make_contact(f"1555000{i:04d}")
        session = await make_session(contact)
        message = await make_message(session, at=base, contact=contact)
        await make_event(
            "message.sent",
            at=base + timedelta(seconds=i),
            session=session,
            contact=contact,
            message=message,
        )
    await gql(LIST, {"first": 1})

    with count_queries() as small:
        await gql(LIST, {"filter": {"name": "message.*"}, "first": 2})
    with count_queries() as large:
        await gql(LIST, {"filter": {"name": "message.*"}, "first": 30})

    assert len(small) == len(large), (small, large)
    assert len(large) <= 6  # key, page, count, message/session/contact loaders
