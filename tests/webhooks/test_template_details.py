"""Template status details (`disable_info`, `other_info`, the reason) and
`message_template_components_update` (§6.4, §11.6), posted signed as Meta posts them: kept on
the template an operator reads through GraphQL, and emitted as events — once each."""

from __future__ import annotations

import time

import httpx

from models import WhatsAppAnalyticsEvent, WhatsAppTemplate
from tests.conftest import WABA_ID, GraphQL
from tests.webhooks.cases import load_case
from tests.webhooks.test_whatsapp_webhook import post_webhook

TRACK = "https://acme.example/track/{{1}}"
TEMPLATE = """
query T($id: ID!) {
  template(id: $id) {
    status rejectedReason
    statusDetails { event reason disableDate otherInfo { title description } at }
    componentsUpdate { body title footer buttons { type text url phoneNumber } at }
  }
}"""


async def stored() -> WhatsAppTemplate:
    return await WhatsAppTemplate.create(
        waba_id=WABA_ID,
        meta_id="12345",
        name="order_update",
        language="en_US",
        status="APPROVED",
        category="UTILITY",
    )


async def post(client: httpx.AsyncClient, name: str, *, copy: bool = False) -> None:
    payload = load_case(name, int(time.time()))
    response = await post_webhook(client, payload, indent=1 if copy else None)
    assert response.status_code == 200, response.text


async def read(gql: GraphQL, template: WhatsAppTemplate) -> dict:
    result = await gql(TEMPLATE, {"id": str(template.id)})
    assert "errors" not in result, result
    found: dict = result["data"]["template"]
    return found


async def events(name: str) -> list[WhatsAppAnalyticsEvent]:
    return list(await WhatsAppAnalyticsEvent.filter(name=name).order_by("created_at"))


async def test_a_pause_keeps_meta_s_explanation(client: httpx.AsyncClient, gql: GraphQL) -> None:
    # given
    template = await stored()

    # when: paused, and the notice redelivered
    await post(client, "template_status_paused")
    await post(client, "template_status_paused", copy=True)

    # then
    found = await read(gql, template)
    assert found["status"] == "PAUSED"
    assert found["rejectedReason"] is None
    details = found["statusDetails"]
    assert (details["event"], details["reason"], details["disableDate"]) == ("PAUSED", None, None)
    assert details["otherInfo"] == {
        "title": "FIRST_PAUSE",
        "description": "Your template has been paused for 3 hours due to low quality.",
    }
    assert details["at"] is not None
    [event] = await events("template.status_updated")
    assert event.properties["status"] == "PAUSED"
    assert event.properties["statusDetails"]["otherInfo"]["title"] == "FIRST_PAUSE"
    assert event.properties["templateId"] == "12345"


async def test_a_disable_keeps_its_date_and_reason(client: httpx.AsyncClient, gql: GraphQL) -> None:
    # given
    template = await stored()

    # when
    await post(client, "template_status_disabled")
    await post(client, "template_status_disabled", copy=True)

    # then
    found = await read(gql, template)
    assert (found["status"], found["rejectedReason"]) == ("DISABLED", "LOW_QUALITY")
    details = found["statusDetails"]
    assert (details["event"], details["reason"], details["disableDate"]) == (
        "DISABLED",
        "LOW_QUALITY",
        "2026-12-12",
    )
    assert details["otherInfo"] is None
    [event] = await events("template.status_updated")
    assert event.properties["statusDetails"]["disableInfo"] == {"disable_date": "2026-12-12"}


async def test_new_details_on_the_same_status_are_an_update(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given: paused once
    template = await stored()
    await post(client, "template_status_paused")

    # when: paused again, with another explanation
    payload = load_case("template_status_paused", int(time.time()))
    value = payload["entry"][0]["changes"][0]["value"]
    value["other_info"] = {"title": "SECOND_PAUSE", "description": "Paused for 6 hours."}
    await post_webhook(client, payload)

    # then
    found = await read(gql, template)
    assert found["statusDetails"]["otherInfo"]["title"] == "SECOND_PAUSE"
    titles = [
        e.properties["statusDetails"]["otherInfo"]["title"]
        for e in await events("template.status_updated")
    ]
    assert titles == ["FIRST_PAUSE", "SECOND_PAUSE"]


async def test_a_components_update_is_kept_with_its_time(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given
    template = await stored()

    # when
    await post(client, "template_components_update")
    await post(client, "template_components_update", copy=True)

    # then
    found = await read(gql, template)
    update = found["componentsUpdate"]
    assert (update["body"], update["title"], update["footer"]) == (
        "Your order {{1}} ships today.",
        "Order update",
        "Acme Shoes",
    )
    assert update["buttons"] == [
        {
            "type": "URL",
            "text": "Track",
            "url": "https://acme.example/track/{{1}}",
            "phoneNumber": None,
        },
        {"type": "PHONE_NUMBER", "text": "Call us", "url": None, "phoneNumber": "+15550783881"},
    ]
    assert update["at"] is not None
    assert found["status"] == "APPROVED"  # an edit does not change the review
    [event] = await events("template.components_updated")
    assert event.properties["name"] == "order_update"
    assert event.properties["componentsUpdate"]["buttons"][0]["text"] == "Track"


async def test_an_update_of_a_template_never_synced_is_still_heard_once(
    client: httpx.AsyncClient,
) -> None:
    # when: no template is stored
    await post(client, "template_status_disabled")
    await post(client, "template_status_disabled", copy=True)
    await post(client, "template_components_update")

    # then
    [status] = await events("template.status_updated")
    assert status.properties["statusDetails"]["reason"] == "LOW_QUALITY"
    assert len(await events("template.components_updated")) == 1
    assert await WhatsAppTemplate.all().count() == 0
