"""Account and number events (§11.8, §11.9): `account_update`, `account_review_update`,
`phone_number_quality_update`, `phone_number_name_update` and `business_capability_update`
posted signed as Meta posts them, kept as the latest state an operator reads through GraphQL,
and as events automations use — once per thing Meta said."""

from __future__ import annotations

import time
from typing import Any

import httpx

from models import (
    WhatsAppAnalyticsEvent,
    WhatsAppAutomationRun,
    WhatsAppPhoneNumber,
)
from tests.conftest import WABA_ID, GraphQL
from tests.webhooks.cases import load_case
from tests.webhooks.test_whatsapp_webhook import post_webhook
from tests.whatsapp.automations.factories import make_automation

NUMBER = "15550783881"

ACCOUNTS = """
query {
  businessAccounts { totalCount edges { node {
    wabaId reviewDecision lastAccountEvent banState banDate violationType restrictions
    capabilities pricingTier lastEventAt
  } } }
  phoneNumbers { totalCount edges { node {
    displayPhoneNumber wabaId qualityRating qualityEvent messagingLimit
    nameDecision requestedName nameRejectionReason
  } } }
}"""

ACCOUNT_EVENTS = """
query E($first: Int, $after: String) {
  accountEvents(first: $first, after: $after) {
    totalCount edges { node { name properties } } pageInfo { hasNextPage endCursor }
  }
}"""


async def post(client: httpx.AsyncClient, name: str, *, copy: bool = False) -> None:
    payload = load_case(name, int(time.time()))
    response = await post_webhook(client, payload, indent=1 if copy else None)
    assert response.status_code == 200, response.text


async def events() -> list[WhatsAppAnalyticsEvent]:
    rows = await WhatsAppAnalyticsEvent.all().order_by("created_at")
    return [row for row in rows if row.name.startswith(("account.", "phone_number."))]


async def state(gql: GraphQL) -> dict[str, Any]:
    result = await gql(ACCOUNTS)
    assert "errors" not in result, result
    data: dict[str, Any] = result["data"]
    return data


async def test_a_violation_is_kept_and_emitted(client: httpx.AsyncClient, gql: GraphQL) -> None:
    # when
    await post(client, "account_violation")
    await post(client, "account_violation", copy=True)  # a redelivery changes nothing

    # then
    [account] = [edge["node"] for edge in (await state(gql))["businessAccounts"]["edges"]]
    assert account["wabaId"] == WABA_ID
    assert (account["lastAccountEvent"], account["violationType"]) == (
        "ACCOUNT_VIOLATION",
        "ADULT",
    )
    [event] = await events()
    assert event.name == "account.updated"
    assert event.source == "webhook"
    assert event.properties["event"] == "ACCOUNT_VIOLATION"
    assert event.properties["violationType"] == "ADULT"
    assert event.properties["phoneNumber"] == NUMBER
    assert event.properties["wabaId"] == WABA_ID


async def test_a_ban_a_restriction_and_a_tier_update_each_update_the_account(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # when
    for name in ("account_ban", "account_restriction", "account_tier_update"):
        await post(client, name)
        await post(client, name, copy=True)

    # then: the latest of each kept together
    [account] = [edge["node"] for edge in (await state(gql))["businessAccounts"]["edges"]]
    assert account["lastAccountEvent"] == "VOLUME_BASED_PRICING_TIER_UPDATE"
    assert (account["banState"], account["banDate"]) == ("DISABLE", "2026-12-05")
    assert account["restrictions"] == [
        {"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": 1767830400}
    ]
    assert account["pricingTier"]["tier"] == "25000001:50000000"
    assert account["pricingTier"]["pricing_category"] == "UTILITY"
    ban, restriction, tier = await events()
    assert ban.properties["ban"] == {"state": "DISABLE", "date": "2026-12-05"}
    assert restriction.properties["restrictions"][0]["expiration"] == 1767830400
    assert tier.properties["volumeTier"]["effective_month"] == "2026-12"
    assert {ban.name, restriction.name, tier.name} == {"account.updated"}


async def test_review_name_and_capabilities(client: httpx.AsyncClient, gql: GraphQL) -> None:
    # when
    for case in ("account_review_update", "phone_number_name_update", "account_capability_update"):
        await post(client, case)
        await post(client, case, copy=True)

    # then
    found = await state(gql)
    [account] = [edge["node"] for edge in found["businessAccounts"]["edges"]]
    [number] = [edge["node"] for edge in found["phoneNumbers"]["edges"]]
    assert account["reviewDecision"] == "APPROVED"
    assert account["capabilities"] == {
        "max_daily_conversation_per_phone": 1000,
        "max_phone_numbers_per_business": 2,
        "max_daily_conversations_per_business": 1000,
    }
    assert number == {
        "displayPhoneNumber": NUMBER,
        "wabaId": WABA_ID,
        "qualityRating": None,
        "qualityEvent": None,
        "messagingLimit": None,
        "nameDecision": "REJECTED",
        "requestedName": "Acme Shoes",
        "nameRejectionReason": "NAME_FORMAT_UNACCEPTABLE",
    }
    review, name, capability = await events()
    assert (review.name, review.properties["decision"]) == ("account.review_updated", "APPROVED")
    assert name.name == "phone_number.name_updated"
    assert name.properties["requestedName"] == "Acme Shoes"
    assert name.properties["rejectionReason"] == "NAME_FORMAT_UNACCEPTABLE"
    assert capability.name == "account.capability_updated"
    assert capability.properties["capabilities"]["max_phone_numbers_per_business"] == 2


async def test_flagged_means_red_and_an_automation_hears_it(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given: an operator wants to know when quality drops to RED
    automation = await make_automation(
        name="Quality alarm",
        trigger="phone_number.quality_updated",
        conditions=[{"path": "qualityRating", "op": "eq", "value": "RED"}],
    )

    # when: flagged (twice: a redelivery), then unflagged, then upgraded with a stated rating
    await post(client, "phone_number_quality_flagged")
    await post(client, "phone_number_quality_flagged", copy=True)
    [number] = [edge["node"] for edge in (await state(gql))["phoneNumbers"]["edges"]]
    assert (number["qualityRating"], number["qualityEvent"], number["messagingLimit"]) == (
        "RED",
        "FLAGGED",
        "TIER_1K",
    )
    await post(client, "phone_number_quality_unflagged")
    await post(client, "phone_number_quality_upgrade")

    # then
    [number] = [edge["node"] for edge in (await state(gql))["phoneNumbers"]["edges"]]
    assert (number["qualityRating"], number["qualityEvent"], number["messagingLimit"]) == (
        "GREEN",
        "UPGRADE",
        "TIER_10K",
    )
    found = [
        (e.properties["event"], e.properties["qualityRating"], e.properties["previousRating"])
        for e in await events()
    ]
    assert found == [
        ("FLAGGED", "RED", None),
        ("UNFLAGGED", "GREEN", "RED"),
        ("UPGRADE", "GREEN", "GREEN"),
    ]
    flagged = (await events())[0]
    assert flagged.properties["currentLimit"] == "TIER_1K"
    assert (await events())[2].properties["oldLimit"] == "TIER_1K"
    # one run, for the RED one only
    runs = await WhatsAppAutomationRun.filter(automation_id=automation.id)
    assert [run.event_id for run in runs] == [flagged.id]


async def test_the_same_words_again_after_a_change_are_a_new_event(
    client: httpx.AsyncClient,
) -> None:
    # when: flagged, unflagged, flagged again (same content as the first)
    await post(client, "phone_number_quality_flagged")
    await post(client, "phone_number_quality_unflagged")
    payload = load_case("phone_number_quality_flagged", int(time.time()))
    await post_webhook(client, payload, indent=2)

    # then
    ratings = [event.properties["qualityRating"] for event in await events()]
    assert ratings == ["RED", "GREEN", "RED"]
    assert (await WhatsAppPhoneNumber.get(display_phone_number=NUMBER)).quality_rating == "RED"


async def test_account_events_lists_only_account_and_number_events(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given: account events, and an event of something else
    await post(client, "account_violation")
    await post(client, "phone_number_quality_flagged")
    await post(client, "account_review_update")
    await WhatsAppAnalyticsEvent.create(name="accounting.closed", source="api")

    # when
    first = await gql(ACCOUNT_EVENTS, {"first": 2})
    after = first["data"]["accountEvents"]["pageInfo"]["endCursor"]
    rest = await gql(ACCOUNT_EVENTS, {"first": 2, "after": after})

    # then: newest first, across pages
    names = [edge["node"]["name"] for edge in first["data"]["accountEvents"]["edges"]]
    names += [edge["node"]["name"] for edge in rest["data"]["accountEvents"]["edges"]]
    assert names == ["account.review_updated", "phone_number.quality_updated", "account.updated"]
    assert first["data"]["accountEvents"]["totalCount"] == 3


async def test_a_quality_update_without_its_number_is_set_aside(
    client: httpx.AsyncClient,
) -> None:
    from models import WebhookDeadLetter

    # given
    payload = load_case("phone_number_quality_flagged", int(time.time()))
    del payload["entry"][0]["changes"][0]["value"]["display_phone_number"]

    # when
    response = await post_webhook(client, payload)

    # then
    assert response.status_code == 200
    [letter] = await WebhookDeadLetter.all()
    assert letter.field == "phone_number_quality_update"
    assert "display_phone_number" in letter.reason
    assert await WhatsAppPhoneNumber.all().count() == 0
    assert await events() == []
