"""Reading contacts: by WhatsApp id, filtered, newest first, with their sessions and messages."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from models import WhatsAppContact
from tests.conftest import GraphQL
from tests.resolvers.test_conversations_sessions import (
    make_contact,
    make_message,
    make_session,
    walk,
)
from tests.resolvers.test_messages_query import count_queries
from whatsapp.conversations.contact_queries import ContactQuery, list_contacts
from whatsapp.conversations.windows import SERVICE_WINDOW
from whatsapp.kit.clock import utcnow

CONTACT = """
query C($waId: String!, $first: Int, $after: String) {
  contact(waId: $waId) {
    waId profileName tags windowOpen windowExpiresAt
    sessions(first: $first, after: $after) {
      totalCount edges { node { id } } pageInfo { hasNextPage endCursor }
    }
    messages(first: 10) { totalCount edges { node { text } } }
  }
}"""

LIST = """
query L($filter: ContactFilter, $first: Int, $after: String) {
  contacts(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { id waId windowOpen } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def wa_ids(gql: GraphQL, filter_: dict[str, object]) -> set[str]:
    result = await gql(LIST, {"filter": filter_, "first": 100})
    assert "errors" not in result, result
    return {edge["node"]["waId"] for edge in result["data"]["contacts"]["edges"]}


async def test_contact_by_number_as_typed(gql: GraphQL) -> None:
    await make_contact("15551234567", profile_name="Ada", tags=["vip"])

    for typed in ("15551234567", "+1 (555) 123-4567"):
        contact = (await gql(CONTACT, {"waId": typed}))["data"]["contact"]
        assert (contact["waId"], contact["profileName"], contact["tags"]) == (
            "15551234567",
            "Ada",
            ["vip"],
        )
    for unknown in ("15550000000", "not a number"):
        assert (await gql(CONTACT, {"waId": unknown}))["data"]["contact"] is None


async def test_contact_window_sessions_and_messages(gql: GraphQL) -> None:
    # given
    now = utcnow()
    ada = await make_contact(last_inbound_at=now - timedelta(hours=1))
    other = await make_contact("15550000002")
    old = await make_session(ada, updated_at=now - timedelta(hours=2))
    new = await make_session(ada, updated_at=now - timedelta(hours=1))
    await make_session(other)
    await make_message(old, at=now - timedelta(minutes=3), text="one", contact=ada)
    await make_message(None, at=now - timedelta(minutes=2), text="two", contact=ada)
    await make_message(None, at=now - timedelta(minutes=1), text="theirs", contact=other)

    # when
    first = (await gql(CONTACT, {"waId": ada.wa_id, "first": 1}))["data"]["contact"]
    after = first["sessions"]["pageInfo"]["endCursor"]
    second = (await gql(CONTACT, {"waId": ada.wa_id, "first": 1, "after": after}))["data"]

    # then
    assert first["windowOpen"] is True
    assert first["windowExpiresAt"] == (ada.last_inbound_at + SERVICE_WINDOW).isoformat()
    assert [e["node"]["id"] for e in first["sessions"]["edges"]] == [str(new.id)]
    assert first["sessions"]["totalCount"] == 2
    assert [e["node"]["id"] for e in second["contact"]["sessions"]["edges"]] == [str(old.id)]
    assert second["contact"]["sessions"]["pageInfo"]["hasNextPage"] is False
    assert [e["node"]["text"] for e in first["messages"]["edges"]] == ["two", "one"]


async def test_pages_walk_every_contact_newest_first(gql: GraphQL) -> None:
    base = utcnow() - timedelta(days=1)
    stamps = [base, base, base, base + timedelta(seconds=1), base + timedelta(seconds=2)]
    rows = [await make_contact(f"1555000000{i}", created_at=at) for i, at in enumerate(stamps)]
    expected = [r.wa_id for r in sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)]

    for first in (1, 2, 5):
        nodes = await walk(gql, LIST, "contacts", first)
        assert [n["waId"] for n in nodes] == expected


async def test_filters(gql: GraphQL) -> None:
    # given
    now = utcnow()
    await make_contact("15551110001", profile_name="Ada Lovelace", tags=["vip", "eu"])
    await make_contact("15551110002", profile_name="Grace_Hopper", tags=["vip2"])
    await make_contact("4915112345678", profile_name="100% Bob", last_inbound_at=now)
    await make_contact("447700900123", tags=["not-vip"], last_inbound_at=now - timedelta(days=2))

    # then
    assert await wa_ids(gql, {}) == {"15551110001", "15551110002", "4915112345678", "447700900123"}
    assert await wa_ids(gql, {"tag": "vip"}) == {"15551110001"}
    assert await wa_ids(gql, {"tag": "eu"}) == {"15551110001"}
    assert await wa_ids(gql, {"tag": "nobody"}) == set()
    assert await wa_ids(gql, {"search": "+1 555"}) == {"15551110001", "15551110002"}
    assert await wa_ids(gql, {"search": "4477"}) == {"447700900123"}
    assert await wa_ids(gql, {"search": "555"}) == set()  # a prefix, not anywhere in the number
    assert await wa_ids(gql, {"search": "lovelace"}) == {"15551110001"}
    assert await wa_ids(gql, {"search": "GRACE"}) == {"15551110002"}
    assert await wa_ids(gql, {"search": "e_H"}) == {"15551110002"}  # _ is literal
    assert await wa_ids(gql, {"search": "eXH"}) == set()
    assert await wa_ids(gql, {"search": "100%"}) == {"4915112345678"}
    assert await wa_ids(gql, {"search": "%"}) == {"4915112345678"}  # % is literal too
    assert await wa_ids(gql, {"windowOpen": True}) == {"4915112345678"}
    assert len(await wa_ids(gql, {"windowOpen": False})) == 3
    assert await wa_ids(gql, {"tag": "vip", "search": "ada", "windowOpen": False}) == {
        "15551110001"
    }


async def test_window_filter_at_the_24_hour_edge() -> None:
    now = utcnow()
    exact = await make_contact("15550000001", last_inbound_at=now - SERVICE_WINDOW)
    just = await make_contact(
        "15550000002", last_inbound_at=now - SERVICE_WINDOW + timedelta(microseconds=1)
    )

    open_ = await list_contacts(ContactQuery(window_open=True), now=now)
    closed = await list_contacts(ContactQuery(window_open=False), now=now)

    assert [r.id for r in open_.items] == [just.id]
    assert [r.id for r in closed.items] == [exact.id]


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"first": 0}, ["first"]),
        ({"first": 101}, ["first"]),
        ({"after": "%%%"}, ["after"]),
        ({"filter": {"tag": "a b"}}, ["filter", "tag"]),
        ({"filter": {"tag": "vip%"}}, ["filter", "tag"]),
        ({"filter": {"search": "x" * 129}}, ["filter", "search"]),
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
    await make_contact()

    read = await GraphQL(client, read_key)(LIST, {})
    anonymous = await client.post("/graphql", json={"query": LIST})

    assert read["data"]["contacts"]["totalCount"] == 1
    assert anonymous.status_code == 401


async def test_sql_queries_do_not_grow_with_page_size(gql: GraphQL) -> None:
    base = utcnow() - timedelta(days=1)
    for i in range(30):
        await make_contact(f"1555000{i:04d}", tags=["vip"], created_at=base + timedelta(seconds=i))
    await gql(LIST, {"first": 1})
    assert await WhatsAppContact.all().count() == 30

    with count_queries() as small:
        await gql(LIST, {"filter": {"tag": "vip"}, "first": 2})
    with count_queries() as large:
        await gql(LIST, {"filter": {"tag": "vip"}, "first": 30})

    assert len(small) == len(large), (small, large)
    assert len(large) <= 3  # key, page, count
