"""totalCount is capped (exact up to a bound, said so beyond it), event name patterns are
ranges on the name that still match exactly, and contact search finds any part of a name."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import GraphQL
from tests.resolvers.test_conversations_sessions import (
    make_contact,
    make_event,
    make_message,
    make_session,
)
from whatsapp.events.queries import prefix_successor
from whatsapp.kit import paging
from whatsapp.kit.clock import utcnow

EVENTS = """
query E($name: String) {
  events(first: 100, filter: { name: $name }) {
    totalCount totalCountCapped edges { node { name } }
  }
}"""

NESTED = """
{ sessions(first: 5) { totalCount totalCountCapped edges { node {
    messages(first: 1) { totalCount totalCountCapped }
    timeline(first: 1) { totalCount totalCountCapped }
} } } }"""


async def test_total_count_is_exact_up_to_the_cap_and_flagged_beyond(
    gql: GraphQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a cap of 3, five events of one name and three of another
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    at = utcnow()
    for i in range(5):
        await make_event("message.sent", at=at + timedelta(seconds=i))
    for i in range(3):
        await make_event("call.started", at=at + timedelta(seconds=i))

    # when / then: past the cap, the cap and the flag; at it, exact
    many = (await gql(EVENTS, {"name": "message.*"}))["data"]["events"]
    assert (many["totalCount"], many["totalCountCapped"]) == (3, True)
    assert len(many["edges"]) == 5  # the page itself is not capped
    few = (await gql(EVENTS, {"name": "call.*"}))["data"]["events"]
    assert (few["totalCount"], few["totalCountCapped"]) == (3, False)


async def test_nested_counts_are_capped_per_parent(
    gql: GraphQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    at = utcnow() - timedelta(minutes=5)
    busy = await make_session(await make_contact("15550000001"))
    quiet = await make_session(await make_contact("15550000002"))
    for i in range(4):
        await make_message(busy, at=at + timedelta(seconds=i))
    await make_message(quiet, at=at)
    await make_event("flow.completed", at=at, session=quiet)

    result = await gql(NESTED)

    counts = sorted(
        (
            edge["node"]["messages"]["totalCount"],
            edge["node"]["messages"]["totalCountCapped"],
            edge["node"]["timeline"]["totalCount"],
            edge["node"]["timeline"]["totalCountCapped"],
        )
        for edge in result["data"]["sessions"]["edges"]
    )
    assert counts == [(1, False, 2, False), (3, True, 3, True)]


async def test_a_pattern_is_a_prefix_range_that_still_matches_exactly(gql: GraphQL) -> None:
    # given: names on both sides of the range `message.` <= name < `message/`
    at = utcnow()
    for name in (
        "message.",
        "message.sent",
        "message.read.late",
        "message/x",
        "message-x",
        "messages.sent",
        "Message.sent",
        "messagd.z",
        "message",
    ):
        await make_event(name, at=at)

    async def names(pattern: str) -> list[str]:
        result = await gql(EVENTS, {"name": pattern})
        return sorted(edge["node"]["name"] for edge in result["data"]["events"]["edges"])

    # when / then
    assert await names("message.*") == ["message.", "message.read.late", "message.sent"]
    assert await names("message.*.late") == ["message.read.late"]
    assert await names("*.sent") == ["Message.sent", "message.sent", "messages.sent"]
    assert await names("message*") == [
        "message",
        "message-x",
        "message.",
        "message.read.late",
        "message.sent",
        "message/x",
        "messages.sent",
    ]


def test_the_successor_of_a_prefix_bounds_every_string_starting_with_it() -> None:
    assert prefix_successor("message.") == "message/"
    assert prefix_successor("a\U0010ffff") == "b"
    assert prefix_successor("\U0010ffff") is None
    assert prefix_successor("a\ud7ff") == "a\ue000"


async def test_contact_search_finds_any_part_of_a_name_in_any_case(gql: GraphQL) -> None:
    await make_contact("15550001999", profile_name="Alice Liddell")
    await make_contact("15550002000", profile_name="Bob 100%")
    await make_contact("15550002001", profile_name="Bob 1000")
    query = """query C($s: String) { contacts(filter: { search: $s }) {
      edges { node { waId profileName } } } }"""

    async def found(search: str) -> list[str]:
        result = await gql(query, {"s": search})
        return sorted(edge["node"]["waId"] for edge in result["data"]["contacts"]["edges"])

    assert await found("LIDD") == ["15550001999"]
    assert await found("100%") == ["15550002000"]  # % is literal
    assert await found("+1 555 000 1") == ["15550001999"]
    assert await found("155500019") == ["15550001999"]  # the upper bound carries: < 155500020
    assert await found("1555000") == ["15550001999", "15550002000", "15550002001"]
    assert await found("99") == []
