"""Session.timeline over GraphQL: a union of messages and events, oldest first."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import GraphQL
from tests.resolvers.test_conversations_sessions import (
    make_contact,
    make_event,
    make_message,
    make_session,
)
from tests.resolvers.test_messages_query import count_queries
from whatsapp.kit.clock import utcnow

TIMELINE = """
query T($id: ID!, $first: Int, $after: String) {
  session(id: $id) {
    timeline(first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          __typename
          ... on Message { id text direction session { id } contact { waId } }
          ... on Event { id name message { id } session { id } contact { waId } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""


async def test_timeline_reads_top_to_bottom_across_pages(gql: GraphQL) -> None:
    # given: a conversation where a message and its event share a timestamp
    contact = await make_contact()
    session = await make_session(contact)
    t = utcnow().replace(microsecond=0) - timedelta(minutes=10)
    hello = await make_message(session, at=t, text="hello", contact=contact)
    sent = await make_event("message.sent", at=t, session=session, message=hello, contact=contact)
    reply = await make_message(session, at=t + timedelta(seconds=5), text="hi!", contact=contact)
    done = await make_event("flow.completed", at=t + timedelta(seconds=5), session=session)
    expected = [str(r.id) for r in (hello, sent, reply, done)]

    for first in (1, 2, 3, 4):
        # when
        seen: list[dict] = []
        after = None
        while True:
            result = await gql(TIMELINE, {"id": str(session.id), "first": first, "after": after})
            timeline = result["data"]["session"]["timeline"]
            assert timeline["totalCount"] == 4
            seen += [edge["node"] for edge in timeline["edges"]]
            if not timeline["pageInfo"]["hasNextPage"]:
                break
            after = timeline["pageInfo"]["endCursor"]

        # then
        assert [node["id"] for node in seen] == expected
    assert [node["__typename"] for node in seen] == ["Message", "Event", "Message", "Event"]
    assert seen[0]["text"] == "hello"
    assert seen[1]["message"] == {"id": str(hello.id)}
    assert seen[1]["contact"] == {"waId": contact.wa_id}
    assert seen[3]["session"] == {"id": str(session.id)}
    assert seen[3]["contact"] is None


async def test_bad_cursor_is_invalid_input(gql: GraphQL) -> None:
    session = await make_session()

    result = await gql(TIMELINE, {"id": str(session.id), "after": "nope"})

    assert result["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": ["after"]}


async def test_bad_page_size_is_invalid_input(gql: GraphQL) -> None:
    session = await make_session()

    result = await gql(TIMELINE, {"id": str(session.id), "first": 101})

    assert result["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": ["first"]}


async def test_sql_queries_do_not_grow_with_page_size(gql: GraphQL) -> None:
    contact = await make_contact()
    session = await make_session(contact)
    t = utcnow() - timedelta(hours=1)
    for i in range(20):
        message = await make_message(session, at=t + timedelta(seconds=i), contact=contact)
        await make_event(
            "message.sent",
            at=t + timedelta(seconds=i),
            session=session,
            message=message,
            contact=contact,
        )
    await gql(TIMELINE, {"id": str(session.id), "first": 1})  # the key is cached after this

    with count_queries() as small:
        await gql(TIMELINE, {"id": str(session.id), "first": 2})
    with count_queries() as large:
        await gql(TIMELINE, {"id": str(session.id), "first": 40})

    assert len(small) == len(large), (small, large)
    # key, session, messages, events, two counts, the message and contact loaders
    assert len(large) <= 8, large
