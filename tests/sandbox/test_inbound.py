"""Simulated customers: every inbound type as Meta's webhook, windows, mark-as-read."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from sandbox.ids import wa_id_of
from tests.sandbox.conftest import (
    CLOSED_CUSTOMER,
    DISPLAY,
    MESSAGES,
    PNID,
    WABA,
    Clock,
    Receiver,
    error_of,
    inbound,
    message,
    signature_ok,
)

CUSTOMER = "16505551234"

TYPES: list[tuple[str, dict[str, Any], Any]] = [
    (
        "text",
        {"text": {"body": "Does it come in red?"}},
        lambda m: m["text"] == {"body": "Does it come in red?"},
    ),
    (
        "image",
        {"image": {"caption": "my receipt"}},
        lambda m: m["image"]["mime_type"] == "image/jpeg" and m["image"]["caption"] == "my receipt",
    ),
    ("video", {"video": {}}, lambda m: m["video"]["mime_type"] == "video/mp4"),
    (
        "audio",
        {"audio": {"voice": True}},
        lambda m: m["audio"]["mime_type"] == "audio/ogg; codecs=opus" and m["audio"]["voice"],
    ),
    (
        "document",
        {"document": {"filename": "cv.pdf", "caption": "CV"}},
        lambda m: m["document"]["filename"] == "cv.pdf",
    ),
    (
        "sticker",
        {"sticker": {"animated": True}},
        lambda m: m["sticker"]["mime_type"] == "image/webp" and m["sticker"]["animated"],
    ),
    (
        "location",
        {"location": {"latitude": 38.7, "longitude": -9.1, "name": "Lisboa"}},
        lambda m: m["location"]["latitude"] == 38.7,
    ),
    (
        "contacts",
        {"contacts": [{"name": {"formatted_name": "Ana B", "first_name": "Ana"}}]},
        lambda m: m["contacts"][0]["name"]["first_name"] == "Ana",
    ),
    (
        "interactive",
        {
            "interactive": {
                "type": "button_reply",
                "button_reply": {"id": "slot_am", "title": "Morning"},
            }
        },
        lambda m: (
            m["interactive"]
            == {"type": "button_reply", "button_reply": {"id": "slot_am", "title": "Morning"}}
        ),
    ),
    (
        "interactive",
        {
            "interactive": {
                "type": "list_reply",
                "list_reply": {"id": "br_1", "title": "Uptown", "description": "9-18"},
            }
        },
        lambda m: m["interactive"]["list_reply"]["id"] == "br_1",
    ),
    (
        "interactive",
        {
            "interactive": {
                "type": "nfm_reply",
                "nfm_reply": {"response_json": {"flow_token": "sess-9f2c", "slot": "am"}},
            }
        },
        lambda m: (
            m["interactive"]["nfm_reply"]["name"] == "flow"
            and m["interactive"]["nfm_reply"]["body"] == "Sent"
            and json.loads(m["interactive"]["nfm_reply"]["response_json"])
            == {"flow_token": "sess-9f2c", "slot": "am"}
        ),
    ),
    (
        "button",
        {"button": {"payload": "STOP_PROMO", "text": "Stop promotions"}},
        lambda m: m["button"] == {"payload": "STOP_PROMO", "text": "Stop promotions"},
    ),
    (
        "reaction",
        {"reaction": {"message_id": "wamid.X", "emoji": "\u2764\ufe0f"}},
        lambda m: m["reaction"] == {"message_id": "wamid.X", "emoji": "\u2764\ufe0f"},
    ),
    (
        "unsupported",
        {"unsupported": {"type": "poll"}},
        lambda m: m["errors"][0]["code"] == 131051 and m["unsupported"] == {"type": "poll"},
    ),
    (
        "order",
        {
            "order": {
                "catalog_id": "1",
                "text": "",
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
        lambda m: m["order"]["product_items"][0]["quantity"] == 2,
    ),
    (
        "system",
        {"system": {"type": "user_changed_number", "wa_id": "16505559999"}},
        lambda m: (
            m["system"]["wa_id"] == "16505559999" and m["system"]["type"] == "user_changed_number"
        ),
    ),
    (
        "system",
        {"system": {"type": "customer_identity_changed"}},
        lambda m: m["system"]["customer"] == CUSTOMER,
    ),
    ("request_welcome", {}, lambda m: m["type"] == "request_welcome"),
]


@pytest.mark.parametrize(
    ("msg_type", "extra", "check"),
    TYPES,
    ids=[f"{t[0]}-{i}" for i, t in enumerate(TYPES)],
)
async def test_every_inbound_type_is_delivered_signed(
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    hooks: Receiver,
    msg_type: str,
    extra: dict[str, Any],
    check: Any,
) -> None:
    # when
    result = await inbound(client, CUSTOMER, type=msg_type, profile_name="Sheena", **extra)
    assert await sandbox.drain(5)

    # then
    (delivery,) = hooks.deliveries
    assert signature_ok(delivery)
    assert delivery.payload == result["payload"]
    entry = delivery.payload["entry"][0]
    assert entry["id"] == WABA
    change = entry["changes"][0]
    assert change["field"] == "messages"
    value = change["value"]
    assert value["metadata"] == {"display_phone_number": DISPLAY, "phone_number_id": PNID}
    user_id = sandbox.customers.get_or_create(CUSTOMER).user_id
    assert value["contacts"] == [
        {"profile": {"name": "Sheena"}, "wa_id": CUSTOMER, "user_id": user_id}
    ]
    (msg,) = value["messages"]
    assert msg["from"] == CUSTOMER
    assert msg["from_user_id"] == user_id
    assert msg["id"] == result["wamid"]
    assert msg["type"] == msg_type
    assert msg["timestamp"].isdigit()
    assert check(msg)


async def test_inbound_media_can_be_fetched_and_forwarded(client: httpx.AsyncClient) -> None:
    data = b"\xff\xd8 real jpeg bytes"
    result = await inbound(
        client, CUSTOMER, type="image", image={"data_base64": base64.b64encode(data).decode()}
    )
    media_id = result["payload"]["entry"][0]["changes"][0]["value"]["messages"][0]["image"]["id"]

    meta = (await client.get(f"/v23.0/{media_id}")).json()
    download = await client.get(meta["url"])
    forward = await client.post(
        MESSAGES, json=message("image", to=CUSTOMER, image={"id": media_id})
    )

    assert download.content == data
    assert forward.status_code == 200


async def test_inbound_wamid_is_inbound_shaped(client: httpx.AsyncClient) -> None:
    result = await inbound(client, CUSTOMER)

    assert wa_id_of(result["wamid"]) == CUSTOMER
    record = base64.b64decode(result["wamid"].removeprefix("wamid."))
    assert record[3 + len(CUSTOMER) + 3] == 0x12  # outbound ids carry 0x11


async def test_reply_context_gets_the_business_number(client: httpx.AsyncClient) -> None:
    sent = await client.post(MESSAGES, json=message())
    wamid = sent.json()["messages"][0]["id"]

    result = await inbound(client, CUSTOMER, context={"id": wamid})

    msg = result["payload"]["entry"][0]["changes"][0]["value"]["messages"][0]
    assert msg["context"] == {"id": wamid, "from": DISPLAY}


async def test_inbound_opens_the_window(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # given: a customer who never wrote in
    before = await client.post(MESSAGES, json=message(to=CLOSED_CUSTOMER))

    # when
    await inbound(client, CLOSED_CUSTOMER)
    after = await client.post(MESSAGES, json=message(to=CLOSED_CUSTOMER))
    assert await sandbox.drain(5)

    # then
    first = hooks.statuses(before.json()["messages"][0]["id"])
    second = hooks.statuses(after.json()["messages"][0]["id"])
    assert [s["status"] for s in first] == ["failed"]
    assert [s["status"] for s in second] == ["sent", "delivered", "read"]


async def test_window_closes_after_window_hours(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver, clock: Clock
) -> None:
    await inbound(client, CLOSED_CUSTOMER)
    clock.advance(24 * 3600 + 1)

    late = await client.post(MESSAGES, json=message(to=CLOSED_CUSTOMER))
    assert await sandbox.drain(5)

    statuses = hooks.statuses(late.json()["messages"][0]["id"])
    assert [(s["status"], s["errors"][0]["code"]) for s in statuses] == [("failed", 131047)]


async def test_window_is_per_phone_number(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    sandbox.config.phone_numbers["200000000000001"] = "15550000001"

    await inbound(client, CLOSED_CUSTOMER, phone_number_id="200000000000001")

    now = sandbox.now()
    assert sandbox.windows.current("200000000000001", CLOSED_CUSTOMER, now, 24) is not None
    assert sandbox.windows.current(PNID, CLOSED_CUSTOMER, now, 24) is None


async def test_reaction_to_inbound_message_is_delivered(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    wamid = (await inbound(client, CUSTOMER))["wamid"]

    sent = await client.post(
        MESSAGES,
        json=message(
            "reaction", to=CUSTOMER, reaction={"message_id": wamid, "emoji": "\U0001f44d"}
        ),
    )
    assert await sandbox.drain(5)

    statuses = hooks.statuses(sent.json()["messages"][0]["id"])
    assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]


READ = {"messaging_product": "whatsapp", "status": "read"}


async def test_mark_as_read_inbound_message(client: httpx.AsyncClient) -> None:
    wamid = (await inbound(client, CUSTOMER))["wamid"]

    plain = await client.post(MESSAGES, json={**READ, "message_id": wamid})
    typing = await client.post(
        MESSAGES, json={**READ, "message_id": wamid, "typing_indicator": {"type": "text"}}
    )

    assert plain.json() == {"success": True}
    assert typing.json() == {"success": True}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({**READ, "message_id": "wamid.unknown"}, 131009),
        ({**READ}, 131008),
        ({**READ, "status": "delivered", "message_id": "x"}, 131009),
        ({**READ, "message_id": "x", "typing_indicator": {"type": "audio"}}, 131009),
        ({**READ, "message_id": "x", "extra": 1}, 100),
    ],
    ids=["unknown", "no-id", "bad-status", "bad-typing", "unknown-key"],
)
async def test_mark_as_read_errors(client: httpx.AsyncClient, body: Any, code: int) -> None:
    error_of(await client.post(MESSAGES, json=body), 400, code)


async def test_outbound_message_cannot_be_marked_read(client: httpx.AsyncClient) -> None:
    wamid = (await client.post(MESSAGES, json=message())).json()["messages"][0]["id"]

    error_of(await client.post(MESSAGES, json={**READ, "message_id": wamid}), 400, 131009)


@pytest.mark.parametrize(
    ("path_wa_id", "body"),
    [
        ("12", {"type": "text", "text": {"body": "x"}}),
        (CUSTOMER, {"type": "poll"}),
        (CUSTOMER, {"type": "text"}),
        (CUSTOMER, {"type": "location", "location": {"latitude": "x", "longitude": 1}}),
        (CUSTOMER, {"type": "interactive", "interactive": {"type": "tap"}}),
        (CUSTOMER, {"type": "image", "image": {"data_base64": "***"}}),
        (CUSTOMER, {"type": "text", "text": {"body": "x"}, "phone_number_id": "1"}),
        (CUSTOMER, {"type": "system", "system": {"type": "user_changed_number"}}),
    ],
)
async def test_bad_inbound_requests_are_400(
    client: httpx.AsyncClient, path_wa_id: str, body: dict[str, Any]
) -> None:
    response = await client.post(f"/_sandbox/customers/{path_wa_id}/messages", json=body)

    assert response.status_code == 400
    assert response.json()["error"]


async def test_inbound_without_webhook_url_still_returns_payload(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    result = await inbound(client, CUSTOMER)

    assert result["payload"]["object"] == "whatsapp_business_account"
    assert sandbox.stats()["webhooks"]["attempts"] == 0
