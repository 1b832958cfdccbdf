"""Status webhooks: signed sent -> delivered -> read, later failures, pricing, retries."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from tests.sandbox.conftest import (
    CLOSED_CUSTOMER,
    DISPLAY,
    MESSAGES,
    OPEN_CUSTOMER,
    PNID,
    WABA,
    Receiver,
    inbound,
    message,
    signature_ok,
)


async def send_ok(client: httpx.AsyncClient, body: dict[str, Any]) -> str:
    response = await client.post(MESSAGES, json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["messages"][0]["id"])


async def test_sent_delivered_read_are_signed_and_ordered(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # when
    wamid = await send_ok(client, message(biz_opaque_callback_data="order-42"))
    assert await sandbox.drain(5)

    # then
    assert all(signature_ok(d) for d in hooks.deliveries)
    assert all(d.headers["content-type"] == "application/json" for d in hooks.deliveries)
    statuses = hooks.statuses(wamid)
    assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
    stamps = [int(s["timestamp"]) for s in statuses]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == 3
    assert all(isinstance(s["timestamp"], str) for s in statuses)
    for status in statuses:
        assert status["recipient_id"] == OPEN_CUSTOMER
        assert status["biz_opaque_callback_data"] == "order-42"
        assert status["pricing"] == {
            "billable": False,
            "pricing_model": "PMP",
            "category": "service",
            "type": "free_customer_service",
        }
        assert status["conversation"]["origin"] == {"type": "service"}
    assert "expiration_timestamp" in statuses[0]["conversation"]
    assert "expiration_timestamp" not in statuses[1]["conversation"]
    assert len({s["conversation"]["id"] for s in statuses}) == 1


@pytest.mark.parametrize(
    ("to", "template", "pricing"),
    [
        # §11.3: PMP; the template's category outside the window; service/utility free inside
        (CLOSED_CUSTOMER, "hello_world", ("utility", "regular", True)),
        (OPEN_CUSTOMER, "hello_world", ("utility", "free_customer_service", False)),
        (OPEN_CUSTOMER, None, ("service", "free_customer_service", False)),
    ],
)
async def test_sent_delivered_and_read_each_carry_the_pricing(
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    hooks: Receiver,
    to: str,
    template: str | None,
    pricing: tuple[str, str, bool],
) -> None:
    body = message("template", to=to) if template else message(to=to)

    wamid = await send_ok(client, body)
    assert await sandbox.drain(5)

    category, kind, billable = pricing
    statuses = hooks.statuses(wamid)
    assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
    for status in statuses:
        assert status["pricing"] == {
            "billable": billable,
            "pricing_model": "PMP",
            "category": category,
            "type": kind,
        }


async def test_envelope_matches_meta(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    await send_ok(client, message())
    assert await sandbox.drain(5)

    payload = hooks.deliveries[0].payload
    assert payload["object"] == "whatsapp_business_account"
    entry = payload["entry"][0]
    assert entry["id"] == WABA
    change = entry["changes"][0]
    assert change["field"] == "messages"
    assert change["value"]["messaging_product"] == "whatsapp"
    assert change["value"]["metadata"] == {"display_phone_number": DISPLAY, "phone_number_id": PNID}
    assert hooks.deliveries[0].body == json.dumps(payload).encode()


async def test_no_read_status_without_read_receipts(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    sandbox.config.read_receipts = False

    wamid = await send_ok(client, message())
    assert await sandbox.drain(5)

    assert [s["status"] for s in hooks.statuses(wamid)] == ["sent", "delivered"]


async def test_no_callback_data_key_when_not_sent(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    wamid = await send_ok(client, message())
    assert await sandbox.drain(5)

    assert all("biz_opaque_callback_data" not in s for s in hooks.statuses(wamid))


LATER_FAILURES = [
    ("closed-window", message(to=CLOSED_CUSTOMER), 131047, "24 hours"),
    ("not-on-whatsapp", message(to="9991234567"), 131026, "Undeliverable"),
    ("not-on-whatsapp-template", message("template", to="9991234567"), 131026, "Undeliverable"),
    (
        "bad-link",
        message("image", image={"link": "https://cdn.broken.invalid/p.jpg"}),
        131053,
        "cdn.broken.invalid",
    ),
    (
        "bad-header-link",
        message(
            "interactive",
            interactive={
                "type": "button",
                "header": {"type": "image", "image": {"link": "http://x.invalid/h.png"}},
                "body": {"text": "b"},
                "action": {"buttons": [{"type": "reply", "reply": {"id": "a", "title": "A"}}]},
            },
        ),
        131053,
        "x.invalid",
    ),
    (
        "wrong-media-kind",
        message("image", image={"id": "1013859600285444"}),
        131053,
        "cannot be sent as image",
    ),
    (
        "unknown-reaction-target",
        message(
            "reaction",
            reaction={"message_id": "wamid.HBgLMTU1NTEyMzQ1NjcVAgARGBI=", "emoji": "\U0001f44d"},
        ),
        131009,
        "not a message in this chat",
    ),
]


@pytest.mark.parametrize(
    ("body", "code", "detail"), [c[1:] for c in LATER_FAILURES], ids=[c[0] for c in LATER_FAILURES]
)
async def test_later_failures_arrive_as_one_signed_failed_status(
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    hooks: Receiver,
    body: dict[str, Any],
    code: int,
    detail: str,
) -> None:
    # when: Meta accepts the message synchronously
    wamid = await send_ok(client, body)
    assert await sandbox.drain(5)

    # then: exactly one failed status, never sent/delivered
    statuses = hooks.statuses(wamid)
    assert [s["status"] for s in statuses] == ["failed"]
    failed = statuses[0]
    assert "pricing" not in failed
    assert "conversation" not in failed
    (error,) = failed["errors"]
    assert error["code"] == code
    assert error["title"] == error["message"]
    assert detail in error["error_data"]["details"]
    assert error["href"].startswith("https://developers.facebook.com/")
    assert all(signature_ok(d) for d in hooks.deliveries)
    assert sandbox.stats()["messages"]["failed_later"] == 1


async def test_template_outside_window_is_billed_by_category(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    wamid = await send_ok(client, message("template", to=CLOSED_CUSTOMER))
    assert await sandbox.drain(5)

    statuses = hooks.statuses(wamid)
    assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
    assert statuses[0]["pricing"] == {
        "billable": True,
        "pricing_model": "PMP",
        "category": "utility",
        "type": "regular",
    }
    assert statuses[0]["conversation"]["origin"] == {"type": "utility"}


async def test_marketing_template_inside_window_is_still_billed(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    body = message(
        "template",
        template={
            "name": "new_arrivals_video",
            "language": {"code": "en_US"},
            "components": [
                {
                    "type": "header",
                    "parameters": [
                        {"type": "video", "video": {"link": "https://cdn.example.com/v.mp4"}}
                    ],
                },
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Ana"},
                        {"type": "text", "text": "autumn"},
                    ],
                },
            ],
        },
    )
    wamid = await send_ok(client, body)
    assert await sandbox.drain(5)

    pricing = hooks.statuses(wamid)[0]["pricing"]
    assert (pricing["category"], pricing["type"], pricing["billable"]) == (
        "marketing",
        "regular",
        True,
    )


async def test_utility_template_inside_window_is_free(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    wamid = await send_ok(client, message("template"))
    assert await sandbox.drain(5)

    pricing = hooks.statuses(wamid)[0]["pricing"]
    assert (pricing["category"], pricing["type"], pricing["billable"]) == (
        "utility",
        "free_customer_service",
        False,
    )


async def test_reply_to_ad_click_is_a_free_entry_point(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    await inbound(
        client, "15550001111", referral={"source_type": "ad", "source_id": "1", "ctwa_clid": "abc"}
    )

    wamid = await send_ok(client, message(to="15550001111"))
    assert await sandbox.drain(5)

    pricing = hooks.statuses(wamid)[0]["pricing"]
    assert (pricing["category"], pricing["type"], pricing["billable"]) == (
        "referral_conversion",
        "free_entry_point",
        False,
    )


async def test_retries_until_acknowledged(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # given: the receiver fails twice
    hooks.script.extend([500, 503])
    sandbox.config.read_receipts = False

    # when
    wamid = await send_ok(client, message())
    assert await sandbox.drain(5)

    # then
    assert [s["status"] for s in hooks.statuses(wamid)] == ["sent", "delivered"]
    assert hooks.attempts == 4
    assert sandbox.stats()["webhooks"] == {"delivered": 2, "failed": 0, "pending": 0, "attempts": 4}


async def test_gives_up_after_the_retry_horizon(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    hooks.script.extend([500] * 100)
    sandbox.config.read_receipts = False

    await send_ok(client, message())
    assert await sandbox.drain(5)

    webhooks = sandbox.stats()["webhooks"]
    assert webhooks["delivered"] == 0
    assert webhooks["failed"] == 2
    assert webhooks["pending"] == 0
    assert webhooks["attempts"] >= 4  # backoff 0.01, 0.02, 0.04... inside a 0.3 s horizon


async def test_connection_errors_are_retried_then_fail(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    sandbox.config.webhook_url = "http://127.0.0.1:9/unreachable"
    sandbox.config.read_receipts = False

    await send_ok(client, message())
    assert await sandbox.drain(5)

    assert sandbox.stats()["webhooks"]["failed"] == 2
    log = (await client.get("/_sandbox/webhooks")).json()["webhooks"]
    assert [entry["delivered"] for entry in log] == [False, False]
    assert log[0]["last_status"] is None


async def test_pending_counts_scheduled_deliveries(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    sandbox.config.update({"status_delays_s": [5.0, 5.0, 5.0]})

    await send_ok(client, message())

    assert sandbox.stats()["webhooks"]["pending"] == 3
    assert not await sandbox.drain(0.05)
    sandbox.reset()
    assert sandbox.stats()["webhooks"]["pending"] == 0
    assert await sandbox.drain(1)
    assert hooks.deliveries == []


async def test_no_webhooks_without_url(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    await send_ok(client, message())

    assert await sandbox.drain(1)
    assert sandbox.stats()["webhooks"]["attempts"] == 0


async def test_non_ascii_is_escaped_and_signature_covers_raw_bytes(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    await inbound(client, "15550002222", text={"body": "Olá, ação 😀"}, profile_name="João")
    assert await sandbox.drain(5)

    (delivery,) = hooks.deliveries
    assert b"\\u00e1" in delivery.body
    assert b"\\ud83d\\ude00" in delivery.body
    assert delivery.body.isascii()
    assert signature_ok(delivery)
    assert not signature_ok(delivery, secret="another-secret")
