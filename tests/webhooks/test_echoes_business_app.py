"""`smb_message_echoes`: what the business wrote in the WhatsApp Business app is stored as our
outbound message on the customer's timeline — posted signed, asserted on what is stored and on
what GraphQL returns."""

from __future__ import annotations

from typing import Any

import httpx

from models import (
    MessageDirection,
    MessageOrigin,
    MessageStatus,
    MessageType,
    WebhookDeadLetter,
    WhatsAppAnalyticsEvent,
    WhatsAppContact,
    WhatsAppMessage,
    WhatsAppSession,
)
from tests.conftest import GraphQL
from tests.resolvers.test_messages_send import SEND
from tests.webhooks.cases import load_case, post_case
from tests.webhooks.test_whatsapp_webhook import post_webhook, status

ANA, ANA_BSUID = "15551234567", "US.13491208655302741918"
ECHO = "wamid.CORPUS-ECHO-1"

CONTACT = """
query C($bsuid: String) {
  contact(bsuid: $bsuid) {
    windowOpen
    messages(first: 10) { edges { node { wamid direction origin status text from to } } }
  }
}"""
MESSAGE = "query M($id: ID!) { message(id: $id) { origin status sentAt session { id } } }"


def echo(**changes: Any) -> dict[str, Any]:
    payload = load_case("echo_text")
    payload["entry"][0]["changes"][0]["value"]["message_echoes"][0].update(changes)
    return payload


async def test_an_echo_is_our_message_from_the_business_app_on_the_customers_timeline(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # when: the business wrote to Ana from its app (echo delivered twice); Ana is new to us
    await post_case(client, "echo_text")
    await post_case(client, "echo_text")

    # then: one outbound message, SENT, from the business app, to Ana's contact
    [message] = await WhatsAppMessage.all()
    assert (message.direction, message.origin, message.status, message.type) == (
        MessageDirection.OUTBOUND,
        MessageOrigin.BUSINESS_APP,
        MessageStatus.SENT,
        MessageType.TEXT,
    )
    assert message.sent_at is not None and message.text == "Your order ships today!"
    contact = await WhatsAppContact.get(id=message.contact_id)
    assert (contact.wa_id, contact.bsuid) == (ANA, ANA_BSUID)
    # an echo starts no session and opens no window (only the customer opens it)
    assert message.session_id is None
    assert await WhatsAppSession.all().count() == 0
    found = (await gql(CONTACT, {"bsuid": ANA_BSUID}))["data"]["contact"]
    assert found["windowOpen"] is False
    assert found["messages"]["edges"] == [
        {
            "node": {
                "wamid": ECHO,
                "direction": "OUTBOUND",
                "origin": "BUSINESS_APP",
                "status": "SENT",
                "text": "Your order ships today!",
                "from": "106540352242922",
                "to": ANA,
            }
        }
    ]
    [event] = await WhatsAppAnalyticsEvent.filter(name="message.echoed")
    assert (event.message_id, event.contact_id) == (message.id, contact.id)
    assert event.properties["text"] == "Your order ships today!"


async def test_an_echo_joins_the_customers_active_session_and_its_statuses_apply(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given: Ana wrote (her session is active)
    await post_case(client, "edit_original")
    [session] = await WhatsAppSession.all()

    # when: a status of the echo arrives before the echo, then the echo
    await post_webhook(client, status(ECHO, "delivered", 1767225600, recipient_id=ANA))
    await post_case(client, "echo_text")

    # then: the echo is on her session, and already DELIVERED
    found = (await gql(MESSAGE, {"id": ECHO}))["data"]["message"]
    assert found["session"] == {"id": str(session.id)}
    assert (found["origin"], found["status"]) == ("BUSINESS_APP", "DELIVERED")


async def test_messages_sent_through_wagraph_say_so(
    client: httpx.AsyncClient, gql: GraphQL, customer: str
) -> None:
    # when
    sent = await gql(SEND, {"input": {"to": customer, "content": {"text": {"body": "Hi"}}}})
    wamid = sent["data"]["sendMessage"]["message"]["wamid"]

    # then: ours say API; a customer's message has no origin
    assert (await gql(MESSAGE, {"id": wamid}))["data"]["message"]["origin"] == "API"
    inbound = await WhatsAppMessage.get(direction=MessageDirection.INBOUND)
    assert (await gql(MESSAGE, {"id": inbound.wamid}))["data"]["message"]["origin"] is None
    # rows written before the origin column existed are ours too
    await WhatsAppMessage.filter(wamid=wamid).update(origin=None)
    assert (await gql(MESSAGE, {"id": wamid}))["data"]["message"]["origin"] == "API"


async def test_an_echo_naming_no_customer_is_set_aside(client: httpx.AsyncClient) -> None:
    # when
    await post_webhook(client, echo(to="", to_user_id=None))

    # then
    assert await WhatsAppMessage.all().count() == 0
    [letter] = await WebhookDeadLetter.all()
    assert "names no customer" in letter.reason
