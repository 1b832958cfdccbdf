"""Marketing consent from Meta's webhooks (§11.5): Stop/Resume (`user_preferences`), STOP written
as a message, and a send Meta failed with 131050 — each recorded with its history and event."""

from __future__ import annotations

from typing import Any

import httpx

from models import (
    ConsentState,
    MessageStatus,
    MessageType,
    WhatsAppAnalyticsEvent,
    WhatsAppConsentChange,
    WhatsAppContact,
    WhatsAppMessage,
)
from sandbox import Sandbox
from tests.conftest import GraphQL
from tests.webhooks.cases import load_case, post_case
from tests.webhooks.test_whatsapp_webhook import outbound, post_webhook
from whatsapp.conversations.contacts import get_or_create_contact

MARTA_NUMBER, MARTA_BSUID = "15550102002", "US.10293847561029384756"

CONSENT = """
query C($bsuid: String) {
  contact(bsuid: $bsuid) {
    waId
    marketingConsent {
      state since source
      history(first: 10) { totalCount edges { node { state source detail messageId } } }
    }
  }
}"""


async def consent_of(gql: GraphQL) -> dict[str, Any]:
    result = await gql(CONSENT, {"bsuid": MARTA_BSUID})
    assert "errors" not in result, result
    consent: dict[str, Any] = result["data"]["contact"]["marketingConsent"]
    return consent


async def event_names() -> list[str]:
    rows = await WhatsAppAnalyticsEvent.filter(name__startswith="contact.").order_by("created_at")
    return [row.name for row in rows]


async def test_stop_then_resume(client: httpx.AsyncClient, gql: GraphQL) -> None:
    # when: the customer presses Stop (delivered twice, the second copy byte-different)
    await post_case(client, "preferences_stop")
    await post_webhook(client, load_case("preferences_stop"), indent=1)

    # then
    stopped = await consent_of(gql)
    assert (stopped["state"], stopped["source"]) == ("OPTED_OUT", "user_preferences")
    assert stopped["since"] is not None
    assert stopped["history"]["totalCount"] == 1
    contact = await WhatsAppContact.get(bsuid=MARTA_BSUID)
    assert (contact.wa_id, contact.marketing_consent) == (MARTA_NUMBER, ConsentState.OPTED_OUT)

    # when: then Resume
    await post_case(client, "preferences_resume")

    # then: opted in again, both kept
    resumed = await consent_of(gql)
    assert resumed["state"] == "OPTED_IN"
    assert [edge["node"] for edge in resumed["history"]["edges"]] == [
        {
            "state": "OPTED_IN",
            "source": "user_preferences",
            "detail": "User requested to resume marketing messages",
            "messageId": None,
        },
        {
            "state": "OPTED_OUT",
            "source": "user_preferences",
            "detail": "User requested to stop marketing messages",
            "messageId": None,
        },
    ]
    assert await event_names() == ["contact.opted_out", "contact.opted_in"]


async def test_stop_written_as_a_message_opts_out_without_a_reply(
    client: httpx.AsyncClient, gql: GraphQL, sandbox: Sandbox
) -> None:
    await post_case(client, "keyword_stop")

    consent = await consent_of(gql)
    message = await WhatsAppMessage.get(wamid="wamid.CORPUS-MARTA-1")
    assert (consent["state"], consent["source"]) == ("OPTED_OUT", "keyword")
    assert consent["history"]["edges"][0]["node"] == {
        "state": "OPTED_OUT",
        "source": "keyword",
        "detail": "Stop",
        "messageId": str(message.id),
    }
    assert await event_names() == ["contact.opted_out"]
    assert sandbox.requests == []  # nothing is answered unless the business says so


async def test_a_send_meta_failed_with_131050_opts_the_customer_out(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given: a MARKETING template we sent by number, accepted by Meta
    marta = await get_or_create_contact(MARTA_NUMBER)
    message = await outbound(
        "wamid.CORPUS-OUT-2",
        customer_wa_id=MARTA_NUMBER,
        contact=marta,
        type=MessageType.TEMPLATE,
        template_name="spring_sale",
    )

    # when: Meta reports it failed: the customer stopped marketing messages
    await post_case(client, "status_failed_131050")

    # then
    await message.refresh_from_db()
    assert (message.status, message.error_code) == (MessageStatus.FAILED, 131050)
    consent = await consent_of(gql)
    assert (consent["state"], consent["source"]) == ("OPTED_OUT", "cloud_api")
    change = await WhatsAppConsentChange.get(contact_id=marta.id)
    assert change.message_id == message.id
    assert change.detail is not None and "stop receiving marketing" in change.detail
