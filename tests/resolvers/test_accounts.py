"""businessAccounts, phoneNumbers and accountEvents over GraphQL: the current state as stored,
pages newest first, any key may read."""

from __future__ import annotations

from datetime import timedelta

import httpx

from models import WhatsAppBusinessAccount, WhatsAppPhoneNumber
from tests.conftest import GraphQL
from tests.resolvers.test_conversations_sessions import make_event
from whatsapp.kit.clock import utcnow

NUMBERS = """
query N($first: Int, $after: String) {
  phoneNumbers(first: $first, after: $after) {
    totalCount edges { node { displayPhoneNumber qualityRating } }
    pageInfo { hasNextPage endCursor }
  }
  businessAccounts { totalCount edges { node { wabaId restrictions capabilities pricingTier } } }
}"""

EVENTS = "{ accountEvents { totalCount edges { node { name } } } }"


async def test_nothing_heard_yet_is_empty_not_an_error(gql: GraphQL) -> None:
    result = await gql(NUMBERS)

    assert result["data"]["phoneNumbers"]["totalCount"] == 0
    assert result["data"]["businessAccounts"] == {"totalCount": 0, "edges": []}


async def test_numbers_page_newest_first(gql: GraphQL) -> None:
    # given
    t = utcnow() - timedelta(hours=1)
    for n, rating in enumerate(("GREEN", "YELLOW", "RED")):
        await WhatsAppPhoneNumber.create(
            display_phone_number=f"1555000000{n}",
            quality_rating=rating,
            created_at=t + timedelta(minutes=n),
        )
    await WhatsAppBusinessAccount.create(waba_id="1", capabilities={"max": 2})

    # when
    first = await gql(NUMBERS, {"first": 2})
    after = first["data"]["phoneNumbers"]["pageInfo"]["endCursor"]
    rest = await gql(NUMBERS, {"first": 2, "after": after})

    # then
    ratings = [e["node"]["qualityRating"] for e in first["data"]["phoneNumbers"]["edges"]]
    ratings += [e["node"]["qualityRating"] for e in rest["data"]["phoneNumbers"]["edges"]]
    assert ratings == ["RED", "YELLOW", "GREEN"]
    assert first["data"]["businessAccounts"]["edges"] == [
        {
            "node": {
                "wabaId": "1",
                "restrictions": [],
                "capabilities": {"max": 2},
                "pricingTier": None,
            }
        }
    ]


async def test_account_events_match_names_exactly_by_prefix(gql: GraphQL) -> None:
    # given: names that look alike but are not account or number events
    t = utcnow() - timedelta(minutes=5)
    await make_event("account.updated", at=t)
    await make_event("phone_number.quality_updated", at=t + timedelta(seconds=1))
    for other in ("accountant.paid", "phone_numbers.x", "Account.updated", "message.sent"):
        await make_event(other, at=t)

    # when
    result = await gql(EVENTS)

    # then
    names = [edge["node"]["name"] for edge in result["data"]["accountEvents"]["edges"]]
    assert names == ["phone_number.quality_updated", "account.updated"]


async def test_a_read_key_may_read_the_account(client: httpx.AsyncClient, read_key: str) -> None:
    result = await GraphQL(client, read_key)(EVENTS)

    assert "errors" not in result
