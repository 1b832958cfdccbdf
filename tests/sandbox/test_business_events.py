"""Events that are not a customer's doing: echoes from the Business app, account and number
events, template changes upstream, and raw changes of any field."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from tests.sandbox.conftest import (
    DISPLAY,
    MESSAGES,
    PNID,
    WABA,
    Receiver,
    change_of,
    control,
    error_of,
    message,
    posted,
)

CUSTOMER = "16505551234"
PABLO = "US.18402957316640219381"  # seeded: @pablomorales, number hidden (keys left out)
PABLO_PARENT = "US.ENT.11815799212886844830"


# -- smb_message_echoes ------------------------------------------------------------------------


async def test_the_business_writes_from_the_app(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    result = await control(
        client,
        "/business-app/messages",
        {"to": CUSTOMER, "type": "text", "text": {"body": "Your order shipped"}},
    )

    await posted(sandbox, hooks, result["payload"])
    field, value = change_of(result["payload"])
    assert field == "smb_message_echoes"
    assert value["metadata"] == {"display_phone_number": DISPLAY, "phone_number_id": PNID}
    assert value["contacts"] == [{"wa_id": CUSTOMER, "user_id": value["contacts"][0]["user_id"]}]
    (echo,) = value["message_echoes"]
    assert echo == {
        "from": DISPLAY,
        "to": CUSTOMER,
        "to_user_id": value["contacts"][0]["user_id"],
        "id": result["wamid"],
        "timestamp": echo["timestamp"],
        "type": "text",
        "text": {"body": "Your order shipped"},
    }


async def test_an_echo_to_a_hidden_number_names_the_bsuid_only(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    await control(client, "/customers/@pablomorales/messages", {"text": {"body": "hi"}})
    result = await control(
        client, "/business-app/messages", {"to": "@pablomorales", "type": "image", "image": {}}
    )
    # an echo is a message of the chat: a reaction to it through the API is delivered
    reaction = await client.post(
        MESSAGES,
        json=message(
            "reaction", to="15550101001", reaction={"message_id": result["wamid"], "emoji": "👍"}
        ),
    )
    assert await sandbox.drain(5)

    value = change_of(result["payload"])[1]
    assert value["contacts"] == [
        {"profile": {"username": "@pablomorales"}, "user_id": PABLO, "parent_user_id": PABLO_PARENT}
    ]
    (echo,) = value["message_echoes"]
    assert "to" not in echo
    assert echo["to_user_id"] == PABLO
    assert echo["to_parent_user_id"] == PABLO_PARENT
    assert echo["image"]["mime_type"] == "image/jpeg"
    wamid = reaction.json()["messages"][0]["id"]
    assert [s["status"] for s in hooks.statuses(wamid)] == ["sent", "delivered", "read"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"type": "text", "text": {"body": "x"}}, 400),  # no `to`
        ({"to": "@nobody", "type": "text", "text": {"body": "x"}}, 404),
        ({"to": CUSTOMER, "type": "interactive", "interactive": {}}, 400),
        ({"to": CUSTOMER, "type": "text", "text": {}}, 400),
        ({"to": CUSTOMER, "type": "text", "text": {"body": "x"}, "phone_number_id": "1"}, 400),
    ],
)
async def test_bad_echoes(client: httpx.AsyncClient, body: dict[str, Any], status: int) -> None:
    assert (await control(client, "/business-app/messages", body, status=status))["error"]


# -- account and phone-number fields ------------------------------------------------------------


def account_value(payload: dict[str, Any], field: str) -> dict[str, Any]:
    got, value = change_of(payload)
    assert got == field
    assert isinstance(payload["entry"][0]["time"], int)
    assert "metadata" not in value
    return value


@pytest.mark.parametrize(
    ("event", "block"),
    [
        ("VERIFIED_ACCOUNT", "phone_number"),
        ("DISABLED_UPDATE", "ban_info"),
        ("ACCOUNT_VIOLATION", "violation_info"),
        ("ACCOUNT_RESTRICTION", "restriction_info"),
        ("PARTNER_ADDED", "waba_info"),
        ("VOLUME_BASED_PRICING_TIER_UPDATE", "volume_tier_info"),
        ("AUTH_INTL_PRICE_ELIGIBILITY_UPDATE", "auth_international_rate_eligibility"),
        ("BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE", "country"),
        ("PARTNER_CLIENT_CERTIFICATION_STATUS_UPDATE", "partner_client_certification_info"),
        ("ACCOUNT_DELETED", None),
    ],
)
async def test_account_updates_carry_their_info_block(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver, event: str, block: str | None
) -> None:
    result = await control(client, "/account/events", {"field": "account_update", "event": event})

    await posted(sandbox, hooks, result["payload"])
    value = account_value(result["payload"], "account_update")
    assert value["event"] == event
    assert set(value) == {"event"} | ({block} if block else set())


async def test_account_update_blocks_follow_meta(client: httpx.AsyncClient) -> None:
    ban = await control(
        client, "/account/events", {"field": "account_update", "event": "DISABLED_UPDATE"}
    )
    tier = await control(
        client,
        "/account/events",
        {"field": "account_update", "event": "VOLUME_BASED_PRICING_TIER_UPDATE"},
    )
    custom = await control(
        client,
        "/account/events",
        {
            "field": "account_update",
            "event": "ACCOUNT_RESTRICTION",
            "restriction_info": [{"restriction_type": "RESTRICTED_ADD_PHONE_NUMBER_ACTION"}],
        },
    )

    ban_info = account_value(ban["payload"], "account_update")["ban_info"]
    assert ban_info["waba_ban_state"] == "DISABLE"
    assert isinstance(ban_info["waba_ban_date"], str)
    volume = account_value(tier["payload"], "account_update")["volume_tier_info"]
    assert set(volume) == {
        "tier_update_time",
        "pricing_category",
        "tier",
        "effective_month",
        "region",
    }
    restriction = account_value(custom["payload"], "account_update")["restriction_info"]
    assert restriction == [{"restriction_type": "RESTRICTED_ADD_PHONE_NUMBER_ACTION"}]


async def test_number_and_review_events(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    bodies: list[dict[str, Any]] = [
        {"field": "account_review_update", "decision": "REJECTED"},
        {"field": "phone_number_quality_update", "event": "DOWNGRADE"},
        {"field": "phone_number_quality_update", "quality_rating": "RED"},
        {"field": "phone_number_name_update", "decision": "REJECTED"},
        {"field": "phone_number_name_update", "requested_verified_name": "Acme Shoes"},
        {"field": "business_capability_update", "max_daily_conversation_per_phone": 10000},
    ]
    results = [await control(client, "/account/events", body) for body in bodies]

    for result in results:
        await posted(sandbox, hooks, result["payload"])
    review, downgrade, red, rejected, approved, capability = (
        account_value(r["payload"], b["field"]) for r, b in zip(results, bodies, strict=True)
    )
    assert review == {"decision": "REJECTED"}
    assert downgrade == {
        "display_phone_number": DISPLAY,
        "event": "DOWNGRADE",
        "current_limit": "TIER_2K",
        "old_limit": "TIER_10K",
        "max_daily_conversations_per_business": "TIER_2K",
    }
    assert red["event"] == "FLAGGED"
    assert red["quality_rating"] == "RED"
    assert rejected["rejection_reason"] == "INCLUDES_UNSUPPORTED_CHARACTERS"
    assert approved == {
        "display_phone_number": DISPLAY,
        "decision": "APPROVED",
        "requested_verified_name": "Acme Shoes",
        "rejection_reason": None,
    }
    assert capability["max_daily_conversation_per_phone"] == 10000
    assert capability["max_phone_numbers_per_business"] == 2


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "field"),
        ({"field": "messages"}, "field"),
        ({"field": "account_update", "event": "EXPLODED"}, "event"),
        ({"field": "account_update", "ban_info": "banned"}, "ban_info"),
        ({"field": "account_review_update", "decision": "MAYBE"}, "decision"),
        ({"field": "account_review_update", "colour": "red"}, "colour"),
        ({"field": "phone_number_quality_update", "event": 5}, "event"),
        ({"field": "business_capability_update", "max_phone_numbers_per_business": True}, "max"),
        ({"field": "phone_number_name_update", "phone_number_id": "1"}, "phone_number_id"),
    ],
)
async def test_bad_account_events(
    client: httpx.AsyncClient, body: dict[str, Any], error: str
) -> None:
    answer = await control(client, "/account/events", body, status=400)

    assert error in answer["error"]


# -- templates upstream -------------------------------------------------------------------------


async def test_a_template_is_paused_with_meta_details(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    result = await control(client, "/templates/seasonal_promo/status", {"event": "PAUSED"})

    await posted(sandbox, hooks, result["payload"])
    field, value = change_of(result["payload"])
    assert field == "message_template_status_update"
    assert value["event"] == "PAUSED"
    assert value["message_template_name"] == "seasonal_promo"
    assert isinstance(value["message_template_id"], int)
    assert value["reason"] == "NONE"
    assert value["other_info"]["title"] == "FIRST_PAUSE"
    assert result["templates"][0]["status"] == "PAUSED"
    paused = await client.post(
        MESSAGES,
        json=message(
            "template", template={"name": "seasonal_promo", "language": {"code": "en_US"}}
        ),
    )
    error_of(paused, 400, 132015)


async def test_disable_reinstate_reject_and_flag(client: httpx.AsyncClient) -> None:
    disabled = await control(client, "/templates/hello_world/status", {"event": "DISABLED"})
    reinstated = await control(client, "/templates/hello_world/status", {"event": "REINSTATED"})
    flagged = await control(client, "/templates/hello_world/status", {"event": "FLAGGED"})
    rejected = await control(
        client,
        "/templates/order_update/status",
        {"event": "REJECTED", "reason": "TAG_CONTENT_MISMATCH", "rejection_info": None},
    )

    value = change_of(disabled["payload"])[1]
    assert isinstance(value["disable_info"]["disable_date"], int)
    assert change_of(reinstated["payload"])[1]["other_info"]["title"] == "UNPAUSE"
    assert reinstated["templates"][0]["status"] == "APPROVED"
    assert flagged["templates"][0]["status"] == "FLAGGED"
    sent = await client.post(MESSAGES, json=message("template"))  # hello_world: still sendable
    assert sent.status_code == 200, sent.text
    assert len(rejected["webhooks"]) == 3  # one per language of order_update
    for payload in rejected["webhooks"]:
        value = change_of(payload)[1]
        assert value["reason"] == "TAG_CONTENT_MISMATCH"
        assert "rejection_info" not in value


async def test_a_template_edit_announces_its_components(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    result = await control(
        client,
        "/templates/order_update/components",
        {
            "language": "en_US",
            "body": "Hi {{1}}, order {{2}} arrives {{3}}.",
            "footer": "Acme Shoes",
            "buttons": [
                {"type": "URL", "text": "Track", "url": "https://acme.example/t/{{1}}"},
                {"type": "PHONE_NUMBER", "text": "Call us", "phone_number": "+15550783881"},
                {"type": "QUICK_REPLY", "text": "Thanks"},
            ],
        },
    )

    await posted(sandbox, hooks, result["payload"])
    field, value = change_of(result["payload"])
    assert field == "message_template_components_update"
    assert value["message_template_name"] == "order_update"
    assert value["message_template_language"] == "en_US"
    assert value["message_template_element"] == "Hi {{1}}, order {{2}} arrives {{3}}."
    assert value["message_template_footer"] == "Acme Shoes"
    assert "message_template_title" in value  # order_update has a TEXT header
    assert value["message_template_buttons"] == [
        {
            "message_template_button_type": "URL",
            "message_template_button_text": "Track",
            "message_template_button_url": "https://acme.example/t/{{1}}",
        },
        {
            "message_template_button_type": "PHONE_NUMBER",
            "message_template_button_text": "Call us",
            "message_template_button_phone_number": "+15550783881",
        },
    ]
    listed = (
        await client.get(
            f"/v23.0/{WABA}/message_templates", params={"name": "order_update", "language": "en_US"}
        )
    ).json()
    (template,) = listed["data"]
    assert {"type": "FOOTER", "text": "Acme Shoes"} in template["components"]


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/templates/nope/status", {"event": "PAUSED"}, 404),
        ("/templates/hello_world/status", {}, 400),
        ("/templates/hello_world/status", {"event": "SLEEPING"}, 400),
        ("/templates/hello_world/status", {"event": "PAUSED", "other_info": "x"}, 400),
        ("/templates/hello_world/status", {"event": "PAUSED", "reason": 5}, 400),
        ("/templates/hello_world/status", {"event": "PAUSED", "colour": "red"}, 400),
        ("/templates/nope/components", {"body": "x"}, 404),
        ("/templates/hello_world/components", {"body": ""}, 400),
        ("/templates/hello_world/components", {"buttons": [{"type": "LASER", "text": "x"}]}, 400),
        ("/templates/hello_world/components", {"buttons": [{"type": "URL", "text": "x"}]}, 400),
        ("/templates/invoice_ready/components", {"header": "Invoice"}, 400),  # DOCUMENT header
        ("/templates/hello_world/components", {"colour": "red"}, 400),
    ],
)
async def test_bad_template_events(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], status: int
) -> None:
    assert (await control(client, path, body, status=status))["error"]


# -- raw changes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        {"anything": ["at", "all"]},
        {"messaging_product": "whatsapp", "messages": [{"id": "wamid.x", "type": "hologram"}]},
        "a string",
        None,
    ],
)
async def test_a_raw_change_is_posted_exactly(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver, value: Any
) -> None:
    result = await control(
        client, "/webhooks/raw", {"field": "future_field", "value": value, "time": 1767225600}
    )

    delivery = await posted(sandbox, hooks, result["payload"])
    assert delivery.payload == {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA,
                "changes": [{"value": value, "field": "future_field"}],
                "time": 1767225600,
            }
        ],
    }


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"value": {}},
        {"field": "", "value": {}},
        {"field": 5, "value": {}},
        {"field": "x"},
        {"field": "x", "value": {}, "time": "now"},
        {"field": "x", "value": {}, "entry": []},
    ],
)
async def test_bad_raw_changes(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    assert (await control(client, "/webhooks/raw", body, status=400))["error"]


async def test_a_non_object_body_is_refused(client: httpx.AsyncClient) -> None:
    for path in ("/webhooks/raw", "/account/events", "/business-app/messages", "/groups"):
        response = await client.post(f"/_sandbox{path}", json=[1, 2])
        assert response.status_code == 400
        assert "JSON object" in response.json()["error"]
