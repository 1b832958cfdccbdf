"""The webhook shim and inbound processing: verify, store, acknowledge, process — once."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tortoise.expressions import Q

from models import (
    InboxStatus,
    MessageDirection,
    MessageStatus,
    MessageType,
    SessionStatus,
    WebhookDelivery,
    WhatsAppAnalyticsEvent,
    WhatsAppMessage,
    WhatsAppMessageStatus,
    WhatsAppSession,
    WhatsAppTemplate,
)
from sandbox import Sandbox
from tests.conftest import APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN, WABA_ID, GraphQL
from tests.resolvers.test_messages_send import SEND
from whatsapp.conversations.contacts import find_contact, get_or_create_contact
from whatsapp.inbound import inbox
from whatsapp.inbound.dispatch import apply_webhook
from whatsapp.kit.clock import utcnow
from whatsapp.messages.statuses import attach_pending_statuses

CUSTOMER = "16505551234"


# -- helpers -----------------------------------------------------------------------------------


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def post_webhook(
    client: httpx.AsyncClient,
    payload: Any,
    *,
    indent: int | None = None,
    signature: str | None = None,
) -> httpx.Response:
    body = json.dumps(payload, indent=indent).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": signature if signature is not None else sign(body),
    }
    response = await client.post("/webhooks/whatsapp", content=body, headers=headers)
    await client.app.state.background.drain()  # type: ignore[attr-defined]
    return response


def envelope(value: dict[str, Any], field: str = "messages") -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA_ID,
                "changes": [
                    {
                        "field": field,
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def status(wamid: str, name: str, ts: int, **extra: Any) -> dict[str, Any]:
    return envelope(
        {
            "statuses": [
                {
                    "id": wamid,
                    "status": name,
                    "timestamp": str(ts),
                    "recipient_id": CUSTOMER,
                    **extra,
                }
            ]
        }
    )


async def customer_says(sandbox_url: str, type_: str = "text", **body: Any) -> dict[str, Any]:
    """The sandbox builds Meta's exact inbound webhook for any message type."""
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{sandbox_url}/_sandbox/customers/{CUSTOMER}/messages",
            json={"type": type_, "profile_name": "Sheena", **body},
        )
    response.raise_for_status()
    return response.json()


async def outbound(wamid: str | None = "wamid.OUT1", **fields: Any) -> WhatsAppMessage:
    contact = await get_or_create_contact(CUSTOMER)
    values = {
        "direction": MessageDirection.OUTBOUND,
        "type": MessageType.TEXT,
        "status": MessageStatus.SENT,
        "phone_number_id": PHONE_NUMBER_ID,
        "customer_wa_id": CUSTOMER,
        "wamid": wamid,
        "contact": contact,
        **fields,
    }
    return await WhatsAppMessage.create(**values)


# -- the handshake -----------------------------------------------------------------------------


async def test_handshake_echoes_the_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/webhooks/whatsapp",
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        },
    )

    assert response.status_code == 200
    assert response.text == "1158201444"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
)
async def test_handshake_refuses_anything_else(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await client.get("/webhooks/whatsapp", params=params)

    assert response.status_code == 403
    assert "1" not in response.text


# -- signatures and the inbox ------------------------------------------------------------------


@pytest.mark.parametrize(
    "signature",
    ["", "sha256=" + "0" * 64, sign(b"other body"), sign(b"x", "wrong-secret")[:20], "md5=abc"],
)
async def test_missing_or_wrong_signature_is_401_and_nothing_is_stored(
    client: httpx.AsyncClient, signature: str
) -> None:
    response = await post_webhook(client, status("wamid.X", "sent", 1), signature=signature)

    assert response.status_code == 401
    assert await WebhookDelivery.all().count() == 0


async def test_signed_delivery_is_stored_then_processed(client: httpx.AsyncClient) -> None:
    message = await outbound()

    response = await post_webhook(client, status("wamid.OUT1", "delivered", 1700000000))

    assert response.status_code == 200
    delivery = await WebhookDelivery.get()
    assert delivery.status == InboxStatus.PROCESSED
    assert delivery.attempts == 1
    await message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


async def test_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    body = b"{" + b" " * (3 * 1024 * 1024) + b"}"
    response = await client.post(
        "/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": sign(body)}
    )

    assert response.status_code == 413
    assert await WebhookDelivery.all().count() == 0


async def test_same_delivery_ten_times_is_applied_once(
    client: httpx.AsyncClient, sandbox_url: str
) -> None:
    payload = (await customer_says(sandbox_url, text={"body": "hello"}))["payload"]

    responses = [await post_webhook(client, payload) for _ in range(10)]

    assert {r.status_code for r in responses} == {200}
    assert await WebhookDelivery.all().count() == 1
    assert await WhatsAppMessage.filter(direction=MessageDirection.INBOUND).count() == 1
    assert await WhatsAppAnalyticsEvent.filter(name="message.received").count() == 1
    assert await WhatsAppSession.all().count() == 1


async def test_the_inbox_stores_the_same_bytes_once_and_says_so() -> None:
    body = json.dumps(status("wamid.SAME", "sent", 1)).encode()

    first_id, first_new = await inbox.store_delivery(body)
    again_id, again_new = await inbox.store_delivery(body)

    assert (first_new, again_new) == (True, False)
    assert again_id == first_id
    assert await WebhookDelivery.all().count() == 1


async def test_concurrent_copies_with_different_bytes_apply_once(
    client: httpx.AsyncClient, sandbox_url: str
) -> None:
    # given: the same content, serialised differently (as two Meta retries could be)
    message = await outbound()
    inbound = (await customer_says(sandbox_url, text={"body": "hi"}))["payload"]
    statuses = status("wamid.OUT1", "read", 1700000100)

    # when: copies land at the same moment
    await asyncio.gather(
        *(
            post_webhook(client, payload, indent=indent)
            for payload in (inbound, statuses)
            for indent in (None, 1, 2)
        )
    )

    # then
    assert await WebhookDelivery.all().count() == 6
    assert await WebhookDelivery.filter(status=InboxStatus.PROCESSED).count() == 6
    assert await WhatsAppMessage.filter(direction=MessageDirection.INBOUND).count() == 1
    assert await WhatsAppMessageStatus.filter(message_id=message.id).count() == 1
    assert await WhatsAppAnalyticsEvent.filter(name="message.read").count() == 1
    assert await WhatsAppAnalyticsEvent.filter(name="message.received").count() == 1


# -- statuses ----------------------------------------------------------------------------------


async def test_shuffled_statuses_end_in_read_with_every_step_kept(
    client: httpx.AsyncClient,
) -> None:
    message = await outbound(status=MessageStatus.SENT)
    conversation = {"id": "c1", "origin": {"type": "service"}}
    pricing = {
        "billable": False,
        "pricing_model": "PMP",
        "category": "service",
        "type": "free_customer_service",
    }

    for name, ts in (("read", 1700000300), ("delivered", 1700000200), ("sent", 1700000100)):
        extra = {"conversation": conversation, "pricing": pricing}
        await post_webhook(client, status("wamid.OUT1", name, ts, **extra))

    await message.refresh_from_db()
    assert message.status == MessageStatus.READ
    assert int(message.read_at.timestamp()) == 1700000300  # type: ignore[union-attr]
    assert int(message.delivered_at.timestamp()) == 1700000200  # type: ignore[union-attr]
    assert message.pricing == pricing
    history = await WhatsAppMessageStatus.filter(message_id=message.id).order_by("occurred_at")
    assert [h.status for h in history] == [
        MessageStatus.SENT,
        MessageStatus.DELIVERED,
        MessageStatus.READ,
    ]
    names = await WhatsAppAnalyticsEvent.filter(message_id=message.id).values_list(
        "name", flat=True
    )
    assert sorted(names) == ["message.delivered", "message.read"]


async def test_failed_is_terminal_and_keeps_metas_error(client: httpx.AsyncClient) -> None:
    message = await outbound(status=MessageStatus.SENT)
    error = {
        "code": 131047,
        "title": "Re-engagement message",
        "message": "Re-engagement message",
        "error_data": {
            "details": "Message failed to send because more than 24 hours "
            "have passed since the customer last replied."
        },
    }

    await post_webhook(client, status("wamid.OUT1", "failed", 1700000100, errors=[error]))
    await post_webhook(client, status("wamid.OUT1", "delivered", 1700000200))

    await message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert (message.error_code, message.error_title) == (131047, "Re-engagement message")
    assert message.error_details and "24 hours" in message.error_details
    event = await WhatsAppAnalyticsEvent.get(name="message.failed")
    assert event.properties["error"]["code"] == 131047


async def test_a_status_before_its_send_is_applied_when_the_message_appears(
    client: httpx.AsyncClient,
) -> None:
    # given: Meta's "delivered" for a wamid we have not stored yet
    await post_webhook(client, status("wamid.EARLY", "delivered", 1700000000))
    assert await WhatsAppMessageStatus.filter(wamid="wamid.EARLY", message_id=None).count() == 1

    # when: our send stores the wamid
    message = await outbound(wamid="wamid.EARLY", status=MessageStatus.SENT)
    assert await attach_pending_statuses(message) == 1

    # then
    await message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert await WhatsAppAnalyticsEvent.filter(name="message.delivered").count() == 1


async def test_a_status_finds_its_message_by_callback_data_before_the_wamid(
    client: httpx.AsyncClient,
) -> None:
    message = await outbound(wamid=None, status=MessageStatus.SENDING)

    await post_webhook(
        client,
        status("wamid.NEW", "delivered", 1700000000, biz_opaque_callback_data=str(message.id)),
    )

    await message.refresh_from_db()
    assert (message.status, message.wamid) == (MessageStatus.DELIVERED, "wamid.NEW")


async def test_a_send_never_moves_a_webhook_status_back(
    gql: GraphQL, client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """The sandbox's 'sent' can race our own update; SENT never overwrites DELIVERED."""
    from tests.conftest import open_service_window

    await open_service_window("15551234567")
    result = await gql(SEND, {"input": {"to": "15551234567", "content": {"text": {"body": "x"}}}})
    message = await WhatsAppMessage.get(id=result["data"]["sendMessage"]["message"]["id"])
    await post_webhook(client, status(message.wamid or "", "delivered", int(time.time())))

    await post_webhook(client, status(message.wamid or "", "sent", int(time.time()) - 5))

    await message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


# -- inbound messages --------------------------------------------------------------------------

INBOUND = [
    ("text", {"text": {"body": "Does it come in red?"}}, MessageType.TEXT, "Does it come in red?"),
    ("image", {"image": {"caption": "my receipt"}}, MessageType.IMAGE, "image: my receipt"),
    ("video", {"video": {}}, MessageType.VIDEO, "video: video"),
    ("audio", {"audio": {"voice": True}}, MessageType.AUDIO, "audio: audio"),
    ("document", {"document": {"filename": "cv.pdf"}}, MessageType.DOCUMENT, "document: cv.pdf"),
    ("sticker", {"sticker": {}}, MessageType.STICKER, "sticker: sticker"),
    (
        "location",
        {"location": {"latitude": 38.7, "longitude": -9.1, "name": "Lisboa"}},
        MessageType.LOCATION,
        "location: Lisboa",
    ),
    (
        "contacts",
        {"contacts": [{"name": {"formatted_name": "Ana B", "first_name": "Ana"}}]},
        MessageType.CONTACTS,
        "contacts: Ana B",
    ),
    (
        "interactive",
        {"interactive": {"type": "button_reply", "button_reply": {"id": "am", "title": "Morning"}}},
        MessageType.INTERACTIVE_REPLY,
        "interactive: Morning",
    ),
    (
        "interactive",
        {"interactive": {"type": "list_reply", "list_reply": {"id": "b1", "title": "Uptown"}}},
        MessageType.INTERACTIVE_REPLY,
        "interactive: Uptown",
    ),
    (
        "interactive",
        {
            "interactive": {
                "type": "nfm_reply",
                "nfm_reply": {"response_json": {"flow_token": "unknown-token", "slot": "am"}},
            }
        },
        MessageType.INTERACTIVE_REPLY,
        "interactive: Sent",
    ),
    (
        "button",
        {"button": {"payload": "STOP_PROMO", "text": "Stop promotions"}},
        MessageType.BUTTON_REPLY,
        "button: Stop promotions",
    ),
    (
        "reaction",
        {"reaction": {"message_id": "wamid.OUT1", "emoji": "👍"}},
        MessageType.REACTION,
        "reaction: 👍",
    ),
    (
        "unsupported",
        {"unsupported": {"type": "poll"}},
        MessageType.UNSUPPORTED,
        "unsupported: Message type unknown",
    ),
    (
        "order",
        {
            "order": {
                "catalog_id": "1",
                "text": "2 please",
                "product_items": [
                    {
                        "product_retailer_id": "sku1",
                        "quantity": 2,
                        "item_price": 9.5,
                        "currency": "USD",
                    }
                ],
            }
        },
        MessageType.ORDER,
        "order: 2 please",
    ),
    (
        "system",
        {"system": {"type": "user_changed_number", "wa_id": "16505559999"}},
        MessageType.SYSTEM,
        None,
    ),
]


@pytest.mark.parametrize(
    ("type_", "body", "stored_type", "text"),
    INBOUND,
    ids=[f"{t[0]}-{i}" for i, t in enumerate(INBOUND)],
)
async def test_every_inbound_type_becomes_a_received_message(
    client: httpx.AsyncClient,
    sandbox_url: str,
    type_: str,
    body: dict[str, Any],
    stored_type: MessageType,
    text: str | None,
) -> None:
    target = await outbound()  # the message a reaction or reply points at
    said = await customer_says(sandbox_url, type_, **body)

    response = await post_webhook(client, said["payload"])

    assert response.status_code == 200
    message = await WhatsAppMessage.get(wamid=said["wamid"])
    assert message.direction == MessageDirection.INBOUND
    assert message.status == MessageStatus.RECEIVED
    assert message.type == stored_type
    assert message.phone_number_id == PHONE_NUMBER_ID
    assert message.content == said["payload"]["entry"][0]["changes"][0]["value"]["messages"][0]
    assert message.received_at is not None
    if text is not None:
        assert message.text == text
    if type_ == "reaction":
        assert message.reply_to_id == target.id
    contact = await find_contact(wa_id=CUSTOMER)  # a number change keeps the old one findable
    assert contact is not None
    assert contact.profile_name == "Sheena"
    assert contact.last_inbound_at == message.received_at
    session = await WhatsAppSession.get(id=message.session_id)
    assert session.last_inbound_at == message.received_at
    event = await WhatsAppAnalyticsEvent.get(name="message.received")
    assert (event.message_id, event.session_id, event.contact_id) == (
        message.id,
        session.id,
        contact.id,
    )
    assert await WhatsAppAnalyticsEvent.filter(name="session.started").count() == 1


async def test_a_customer_message_opens_the_window_for_free_form(
    client: httpx.AsyncClient, gql: GraphQL, sandbox: Sandbox, sandbox_url: str
) -> None:
    text = {"to": CUSTOMER, "content": {"text": {"body": "Happy to help"}}}
    before = await gql(SEND, {"input": text})
    assert before["data"]["sendMessage"]["errors"][0]["code"] == "OUTSIDE_SERVICE_WINDOW"

    await post_webhook(client, (await customer_says(sandbox_url, text={"body": "hi"}))["payload"])
    after = await gql(SEND, {"input": text})

    assert after["data"]["sendMessage"]["errors"] == []
    message = await WhatsAppMessage.get(id=after["data"]["sendMessage"]["message"]["id"])
    inbound = await WhatsAppMessage.get(direction=MessageDirection.INBOUND)
    assert message.session_id == inbound.session_id  # the reply joins the conversation


async def test_messages_in_one_conversation_share_a_session(
    client: httpx.AsyncClient, sandbox_url: str
) -> None:
    for word in ("one", "two", "three"):
        await post_webhook(
            client, (await customer_says(sandbox_url, text={"body": word}))["payload"]
        )

    sessions = await WhatsAppMessage.filter(direction=MessageDirection.INBOUND).values_list(
        "session_id", flat=True
    )
    assert len(set(sessions)) == 1
    assert await WhatsAppAnalyticsEvent.filter(name="session.started").count() == 1


async def test_a_flow_completion_completes_its_session(
    client: httpx.AsyncClient, gql: GraphQL, sandbox: Sandbox, sandbox_url: str
) -> None:
    from tests.conftest import open_service_window

    await open_service_window(CUSTOMER)
    sent = await gql(
        SEND,
        {
            "input": {
                "to": CUSTOMER,
                "content": {
                    "flow": {
                        "body": "Book",
                        "flowName": "booking",
                        "flowCta": "Open",
                        "flowToken": "sess-9f2c",
                        "screen": "WELCOME",
                    }
                },
            }
        },
    )
    session_id = sent["data"]["sendMessage"]["message"]["session"]["id"]

    said = await customer_says(
        sandbox_url,
        "interactive",
        interactive={
            "type": "nfm_reply",
            "nfm_reply": {"response_json": {"flow_token": "sess-9f2c", "slot": "am"}},
        },
    )
    await post_webhook(client, said["payload"])

    session = await WhatsAppSession.get(id=session_id)
    assert session.status == SessionStatus.COMPLETED
    assert session.completed_at is not None
    assert session.context["flowResponse"] == {"flow_token": "sess-9f2c", "slot": "am"}
    event = await WhatsAppAnalyticsEvent.get(name="flow.completed")
    assert event.properties["flow"] == "booking"
    assert str(event.session_id) == session_id


async def test_template_status_updates_change_the_stored_template(
    client: httpx.AsyncClient,
) -> None:
    await WhatsAppTemplate.create(
        waba_id=WABA_ID,
        meta_id="1689556908129835",
        name="abandoned_cart",
        language="en",
        status="PENDING",
    )
    update = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA_ID,
                "time": 1,
                "changes": [
                    {
                        "field": "message_template_status_update",
                        "value": {
                            "event": "REJECTED",
                            "message_template_id": 1689556908129835,
                            "message_template_name": "abandoned_cart",
                            "message_template_language": "en",
                            "reason": "INVALID_FORMAT",
                        },
                    }
                ],
            }
        ],
    }

    await post_webhook(client, update)
    await post_webhook(client, update, indent=1)  # a copy changes nothing more

    template = await WhatsAppTemplate.get(name="abandoned_cart")
    assert (template.status, template.rejected_reason) == ("REJECTED", "INVALID_FORMAT")
    assert await WhatsAppAnalyticsEvent.filter(name="template.status_updated").count() == 1


# -- failures are retried, never lost ----------------------------------------------------------


async def test_a_processing_failure_is_retried_and_not_lost(
    client: httpx.AsyncClient, sandbox_url: str
) -> None:
    # given: the first attempt fails (the database hiccups, say)
    payload = (await customer_says(sandbox_url, text={"body": "still here?"}))["payload"]
    body = json.dumps(payload).encode()
    delivery_id, _ = await inbox.store_delivery(body)
    delivery = await WebhookDelivery.get(id=delivery_id)
    calls = 0

    async def flaky(data: Any, **context: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database went away")
        return await apply_webhook(data, **context)

    assert await inbox.process_delivery(delivery.id, processor=flaky)
    await delivery.refresh_from_db()
    assert delivery.status == InboxStatus.PENDING
    assert delivery.attempts == 1
    assert "database went away" in (delivery.last_error or "")
    assert delivery.next_attempt_at is not None
    assert await WhatsAppMessage.filter(direction=MessageDirection.INBOUND).count() == 0

    # when: its retry time comes
    await WebhookDelivery.filter(id=delivery.id).update(next_attempt_at=None)
    assert await inbox.process_due(processor=flaky) == 1

    # then
    await delivery.refresh_from_db()
    assert delivery.status == InboxStatus.PROCESSED
    assert delivery.attempts == 2
    assert await WhatsAppMessage.filter(direction=MessageDirection.INBOUND).count() == 1


async def test_the_sweep_leaves_new_deliveries_to_their_consumers_for_a_while(
    client: httpx.AsyncClient, sandbox_url: str
) -> None:
    # given: a delivery just acknowledged (its process's consumer will take it) and one
    # acknowledged long ago by a process that stopped before processing it
    fresh_id, _ = await inbox.store_delivery(json.dumps(status("wamid.A", "sent", 1)).encode())
    stale_id, _ = await inbox.store_delivery(json.dumps(status("wamid.B", "sent", 1)).encode())
    fresh, stale = await WebhookDelivery.get(id=fresh_id), await WebhookDelivery.get(id=stale_id)
    await WebhookDelivery.filter(id=stale.id).update(
        created_at=utcnow() - inbox.SETTLED - timedelta(seconds=1)
    )

    # when: the sweep runs
    assert await inbox.process_due(settled_for=inbox.SETTLED) == 1

    # then: it took the old one only; the new one is still waiting for its consumer
    statuses = {d.id: d.status for d in await WebhookDelivery.all()}
    assert statuses == {stale.id: InboxStatus.PROCESSED, fresh.id: InboxStatus.PENDING}
    # and a direct run (the CLI, a replay) takes everything at once
    assert await inbox.process_due() == 1


async def test_exhausted_deliveries_wait_for_replay(
    client: httpx.AsyncClient, sandbox_url: str
) -> None:
    payload = (await customer_says(sandbox_url, text={"body": "hello?"}))["payload"]
    delivery_id, _ = await inbox.store_delivery(json.dumps(payload).encode())
    delivery = await WebhookDelivery.get(id=delivery_id)

    async def broken(data: Any, **context: Any) -> Any:
        raise RuntimeError("bug in a handler")

    for _ in range(inbox.MAX_ATTEMPTS):
        await WebhookDelivery.filter(id=delivery.id).update(next_attempt_at=None)
        await inbox.process_due(processor=broken)
    await delivery.refresh_from_db()
    assert delivery.status == InboxStatus.FAILED

    replayed = await inbox.replay(failed=True)
    assert replayed == [delivery.id]
    assert await inbox.process_due() == 1
    await delivery.refresh_from_db()
    assert delivery.status == InboxStatus.PROCESSED
    assert await WhatsAppMessage.filter(direction=MessageDirection.INBOUND).count() == 1


async def test_a_signed_body_that_is_not_a_webhook_is_kept_as_failed(
    client: httpx.AsyncClient,
) -> None:
    response = await post_webhook(client, {"hello": "world"})

    assert response.status_code == 200  # Meta must not retry what can never succeed
    delivery = await WebhookDelivery.get()
    assert delivery.status == InboxStatus.FAILED
    assert "unprocessable" in (delivery.last_error or "")


async def test_unknown_fields_are_acknowledged_and_kept(client: httpx.AsyncClient) -> None:
    response = await post_webhook(client, envelope({"anything": 1}, field="account_alerts"))

    assert response.status_code == 200
    assert await WebhookDelivery.filter(~Q(status=InboxStatus.PROCESSED)).count() == 0
    [event] = await WhatsAppAnalyticsEvent.filter(name="webhook.unhandled")
    assert event.properties["field"] == "account_alerts"
    assert event.properties["value"]["anything"] == 1
