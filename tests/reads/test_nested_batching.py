"""Nested pages cost a constant number of SQL statements: a page of 15 sessions with each
one's contact, timeline and messages (and the contact's sessions, messages and timeline)
reads no more statements than a page of 5 — and each parent still gets its own rows."""

from __future__ import annotations

from datetime import timedelta

from models import WhatsAppContact, WhatsAppSession
from tests.conftest import GraphQL
from tests.resolvers.test_conversations_sessions import (
    make_contact,
    make_event,
    make_message,
    make_session,
)
from tests.resolvers.test_messages_query import count_queries
from whatsapp.kit.clock import utcnow

NESTED = """
query N($first: Int!) {
  sessions(first: $first) {
    totalCount
    edges { node {
      id
      contact {
        id
        sessions(first: 2) { totalCount totalCountCapped edges { node { id } } }
        messages(first: 2) { totalCount edges { node { id text } } }
        timeline(first: 3) { totalCount edges { node { __typename } } }
      }
      messages(first: 2) { totalCount edges { node { id text session { id } } } }
      timeline(first: 20) {
        totalCount totalCountCapped
        edges { cursor node {
          __typename
          ... on Message { id text }
          ... on Event { id name session { id } }
        } }
        pageInfo { hasNextPage endCursor }
      }
    } }
  }
}"""

CONTACT_PAGE = """
query C($first: Int!) {
  contacts(first: $first) {
    edges { node {
      id
      sessions(first: 5) { totalCount edges { node { id messages(first: 3) { totalCount } } } }
      messages(first: 5) { edges { node { id } } }
    } }
  }
}"""


async def _seed(count: int) -> list[WhatsAppSession]:
    """`count` contacts, each with two sessions; the newer one has 3 messages and 2 events."""
    t = utcnow().replace(microsecond=0) - timedelta(hours=1)
    sessions = []
    for i in range(count):
        contact = await make_contact(f"1555000{i:04d}")
        await make_session(contact, updated_at=t - timedelta(days=1, seconds=i))
        session = await make_session(contact, updated_at=t + timedelta(seconds=i))
        for k in range(3):
            at = t + timedelta(seconds=10 * k)
            message = await make_message(session, at=at, text=f"s{i}m{k}", contact=contact)
            if k < 2:
                await make_event(
                    f"message.{k}", at=at, session=session, contact=contact, message=message
                )
        sessions.append(session)
    return sessions


async def test_a_page_of_15_costs_the_statements_of_a_page_of_5(gql: GraphQL) -> None:
    # given: 50 conversations, and the key already used once (its last use is then cached)
    await _seed(50)
    await gql(NESTED, {"first": 1})

    # when
    with count_queries() as small:
        five = await gql(NESTED, {"first": 5})
    with count_queries() as large:  # 15: a page of 50 of this shape is over the cost limit
        fifty = await gql(NESTED, {"first": 15})

    # then
    assert "errors" not in five and "errors" not in fifty, fifty.get("errors")
    assert len(fifty["data"]["sessions"]["edges"]) == 15
    assert len(small) == len(large), (len(small), len(large), large)
    # key, page, count, contacts, 4 relations x (page + count) with timelines two each, and
    # the events' sessions: 19 statements, whatever the page size.
    assert len(large) <= 19, large


async def test_contact_pages_nest_sessions_and_messages_at_a_constant_cost(gql: GraphQL) -> None:
    await _seed(30)
    await gql(CONTACT_PAGE, {"first": 1})

    with count_queries() as small:
        await gql(CONTACT_PAGE, {"first": 3})
    with count_queries() as large:
        result = await gql(CONTACT_PAGE, {"first": 30})

    assert "errors" not in result, result
    assert len(small) == len(large), (len(small), len(large), large)
    for edge in result["data"]["contacts"]["edges"]:
        sessions = edge["node"]["sessions"]
        assert sessions["totalCount"] == 2
        assert sorted(s["node"]["messages"]["totalCount"] for s in sessions["edges"]) == [0, 3]
        assert len(edge["node"]["messages"]["edges"]) == 3


async def test_each_parent_gets_its_own_rows_in_order(gql: GraphQL) -> None:
    # given
    sessions = await _seed(4)

    # when
    result = await gql(NESTED, {"first": 10})

    # then: the newer session of each contact first; its timeline oldest first
    nodes = [edge["node"] for edge in result["data"]["sessions"]["edges"]]
    assert [n["id"] for n in nodes[:4]] == [str(s.id) for s in reversed(sessions)]
    for node in nodes[:4]:
        i = [str(s.id) for s in sessions].index(node["id"])
        timeline = node["timeline"]
        assert timeline["totalCount"] == 5 and timeline["totalCountCapped"] is False
        kinds = [e["node"]["__typename"] for e in timeline["edges"]]
        assert kinds == ["Message", "Event", "Message", "Event", "Message"]
        texts = [
            e["node"]["text"] for e in timeline["edges"] if e["node"]["__typename"] == "Message"
        ]
        assert texts == [f"s{i}m0", f"s{i}m1", f"s{i}m2"]
        assert all(
            e["node"]["session"]["id"] == node["id"]
            for e in timeline["edges"]
            if e["node"]["__typename"] == "Event"
        )
        messages = node["messages"]
        assert messages["totalCount"] == 3
        assert [e["node"]["text"] for e in messages["edges"]] == [f"s{i}m2", f"s{i}m1"]
        contact = node["contact"]
        assert contact["sessions"]["totalCount"] == 2
        assert contact["sessions"]["edges"][0]["node"]["id"] == node["id"]
        assert contact["timeline"]["totalCount"] == 5
    for node in nodes[4:]:  # the older, empty sessions
        assert node["timeline"]["totalCount"] == 0 and node["timeline"]["edges"] == []


async def test_a_nested_page_resumes_after_its_cursor(gql: GraphQL) -> None:
    [session] = await _seed(1)
    query = """query S($id: ID!, $after: String) { session(id: $id) {
      timeline(first: 2, after: $after) { edges { node { __typename } }
        pageInfo { hasNextPage endCursor } } } }"""
    kinds: list[str] = []
    after = None
    while True:
        page = (await gql(query, {"id": str(session.id), "after": after}))["data"]["session"]
        kinds += [e["node"]["__typename"] for e in page["timeline"]["edges"]]
        if not page["timeline"]["pageInfo"]["hasNextPage"]:
            break
        after = page["timeline"]["pageInfo"]["endCursor"]
    assert kinds == ["Message", "Event", "Message", "Event", "Message"]
    assert await WhatsAppContact.all().count() == 1


async def test_a_bad_nested_cursor_is_an_error_on_that_field(gql: GraphQL) -> None:
    await _seed(2)
    query = '{ sessions(first: 2) { edges { node { messages(after: "x") { totalCount } } } } }'
    result = await gql(query)
    assert result["errors"], result
    assert "Malformed cursor" in result["errors"][0]["message"]
