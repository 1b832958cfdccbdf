"""Sending to a BSUID (`recipient`, §11.2): responses, statuses, windows, 131062, the log."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from tests.sandbox.conftest import (
    MESSAGES,
    OPEN_CUSTOMER,
    PNID,
    Receiver,
    error_of,
    inbound,
    message,
)

PABLO = "US.18402957316640219381"  # seeded: @pablomorales, number 15550101001 hidden (absent)
PABLO_PARENT = "US.ENT.11815799212886844830"
SHEENA = "GB.15829371046618203957"  # seeded: @sheena.nelson, number hidden (empty strings)
DEMO = "US.13491208655302741918"  # seeded: OPEN_CUSTOMER's BSUID
OTP = {
    "name": "verification_code",
    "language": {"code": "en_US"},
    "components": [
        {"type": "body", "parameters": [{"type": "text", "text": "123456"}]},
        {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "123456"}],
        },
    ],
}


def to_bsuid(bsuid: str, msg_type: str = "text", **extra: Any) -> dict[str, Any]:
    body = message(msg_type, **extra)
    del body["to"]
    body["recipient"] = bsuid
    return body


def last_note(sandbox: Sandbox) -> dict[str, Any]:
    """The accepted-request log's summary of the last send."""
    note = sandbox.requests[-1].message
    assert note is not None
    return note


async def sent_ok(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(MESSAGES, json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_a_username_only_customer_is_answered_by_bsuid(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # given: the customer writes without showing a number
    await inbound(client, "@pablomorales")

    # when: the business answers free-form through their BSUID
    answer = await sent_ok(client, to_bsuid(PABLO))
    assert await sandbox.drain(5)

    # then: Meta's BSUID response, delivered inside the window the customer opened
    assert answer["contacts"] == [{"input": PABLO, "user_id": PABLO}]
    wamid = answer["messages"][0]["id"]
    statuses = hooks.statuses(wamid)
    assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
    for status in statuses:
        assert "recipient_id" not in status
        assert status["recipient_user_id"] == PABLO
        assert status["parent_recipient_user_id"] == PABLO_PARENT
        assert status["pricing"]["category"] == "service"
    assert all(b"15550101001" not in d.body for d in hooks.deliveries)
    (logged,) = (await client.get("/_sandbox/requests", params={"method": "POST"})).json()[
        "requests"
    ]
    assert logged["message"] == {
        "endpoint": "messages",
        "to": None,
        "recipient": PABLO,
        "wa_id": "15550101001",
        "user_id": PABLO,
        "type": "text",
        "template": None,
        "category": None,
        "wamid": wamid,
    }
    assert sandbox.stats()["sends_per_recipient"] == {PABLO: 1}


async def test_statuses_carry_the_contact_except_failed_and_username_except_sent(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    await inbound(client, "@pablomorales")

    ok = (await sent_ok(client, to_bsuid(PABLO)))["messages"][0]["id"]
    failed = (await sent_ok(client, to_bsuid(SHEENA)))["messages"][0]["id"]  # window closed
    assert await sandbox.drain(5)

    contacts: dict[tuple[str, str], Any] = {
        (s["id"], s["status"]): v.get("contacts") for s, v in status_values(hooks)
    }
    assert contacts[(ok, "sent")] == [
        {"profile": {"name": "Pablo M."}, "user_id": PABLO, "parent_user_id": PABLO_PARENT}
    ]
    assert contacts[(ok, "delivered")][0]["profile"]["username"] == "@pablomorales"
    assert contacts[(ok, "read")][0]["profile"]["username"] == "@pablomorales"
    assert contacts[(failed, "failed")] is None
    (fail,) = hooks.statuses(failed)
    assert fail["errors"][0]["code"] == 131047
    assert fail["recipient_id"] == ""  # Sheena's hidden number renders as ""
    assert fail["recipient_user_id"] == SHEENA


def status_values(hooks: Receiver) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(status, the value it came in) for every status webhook received."""
    values = [d.payload["entry"][0]["changes"][0]["value"] for d in hooks.deliveries]
    return [(v["statuses"][0], v) for v in values if "statuses" in v]


async def test_phone_sends_name_the_bsuid_in_statuses(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    wamid = (await sent_ok(client, message()))["messages"][0]["id"]
    assert await sandbox.drain(5)

    delivered = hooks.statuses(wamid)[1]
    assert delivered["recipient_id"] == OPEN_CUSTOMER
    assert delivered["recipient_user_id"] == DEMO
    assert "parent_recipient_user_id" not in delivered
    value = next(v for s, v in status_values(hooks) if s["status"] == "delivered")
    assert value["contacts"] == [
        {"profile": {"name": "Customer 4567"}, "wa_id": OPEN_CUSTOMER, "user_id": DEMO}
    ]


async def test_a_phone_send_to_a_hidden_customer_shows_the_number_used(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    wamid = (await sent_ok(client, message("template", to="15550101001")))["messages"][0]["id"]
    assert await sandbox.drain(5)

    assert {s["recipient_id"] for s in hooks.statuses(wamid)} == {"15550101001"}


async def test_to_takes_precedence_over_recipient(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    answer = await sent_ok(client, message(to="+1 555 123 4567", recipient=DEMO))

    assert answer["contacts"] == [
        {"input": "+1 555 123 4567", "wa_id": OPEN_CUSTOMER, "user_id": DEMO}
    ]
    assert last_note(sandbox)["to"] == "+1 555 123 4567"


async def test_parent_bsuid_reaches_the_same_customer(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    await inbound(client, PABLO)

    answer = await sent_ok(client, to_bsuid(PABLO_PARENT))

    assert answer["contacts"] == [{"input": PABLO_PARENT, "user_id": PABLO_PARENT}]
    assert last_note(sandbox)["wa_id"] == "15550101001"


async def test_a_window_opened_by_a_visible_number_is_found_by_bsuid(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # given: a customer who writes from a visible number
    await inbound(client, "16505551234")
    bsuid = sandbox.customers.get("16505551234").user_id  # type: ignore[union-attr]

    # when
    wamid = (await sent_ok(client, to_bsuid(bsuid)))["messages"][0]["id"]
    assert await sandbox.drain(5)

    # then
    assert [s["status"] for s in hooks.statuses(wamid)] == ["sent", "delivered", "read"]
    assert hooks.statuses(wamid)[0]["recipient_id"] == "16505551234"


async def test_free_form_to_a_bsuid_outside_the_window_fails_later(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    wamid = (await sent_ok(client, to_bsuid(PABLO)))["messages"][0]["id"]
    assert await sandbox.drain(5)

    assert [(s["status"], s["errors"][0]["code"]) for s in hooks.statuses(wamid)] == [
        ("failed", 131047)
    ]


async def test_an_unknown_bsuid_is_undeliverable(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    answer = await sent_ok(client, to_bsuid("BR.99999999999999999999", "template"))
    assert await sandbox.drain(5)

    (failed,) = hooks.statuses(answer["messages"][0]["id"])
    assert failed["errors"][0]["code"] == 131026
    assert failed["recipient_user_id"] == "BR.99999999999999999999"
    assert "recipient_id" not in failed


async def test_authentication_templates_cannot_go_to_a_bsuid(client: httpx.AsyncClient) -> None:
    refused = await client.post(MESSAGES, json=to_bsuid(DEMO, "template", template=OTP))
    by_phone = await client.post(MESSAGES, json=message("template", template=OTP))
    both = await client.post(MESSAGES, json=message("template", template=OTP, recipient=DEMO))

    error = error_of(refused, 400, 131062)
    assert error["error_data"]["details"] == (
        "Business-scoped User ID (BSUID) recipients are not supported for this message."
    )
    assert by_phone.status_code == both.status_code == 200


@pytest.mark.parametrize(
    ("recipient", "code"),
    [
        ("15551234567", 131009),
        ("US-123", 131009),
        ("us.123", 131009),
        ("US." + "1" * 129, 131009),
        (12345, 100),
    ],
)
async def test_malformed_recipients_are_refused(
    client: httpx.AsyncClient, recipient: Any, code: int
) -> None:
    body = message()
    del body["to"]
    body["recipient"] = recipient

    error_of(await client.post(MESSAGES, json=body), 400, code)


async def test_neither_to_nor_recipient_is_131008(client: httpx.AsyncClient) -> None:
    body = message()
    del body["to"]

    error = error_of(await client.post(MESSAGES, json=body), 400, 131008)
    assert "recipient" in error["error_data"]["details"]


async def test_reactions_and_pair_limits_follow_the_customer_not_the_address(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # given: a message received from the hidden customer
    received = (await inbound(client, "@pablomorales"))["wamid"]
    sandbox.config.pair_limit_burst = 2

    # when: reacting through the BSUID, then a phone send uses the same pair budget
    reaction = {"message_id": received, "emoji": "\U0001f44d"}
    reacted = await sent_ok(client, to_bsuid(PABLO, "reaction", reaction=reaction))
    await sent_ok(client, message("template", to="15550101001"))
    limited = await client.post(MESSAGES, json=to_bsuid(PABLO))
    assert await sandbox.drain(5)

    # then
    statuses = hooks.statuses(reacted["messages"][0]["id"])
    assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
    error_of(limited, 400, 131056)


@pytest.mark.parametrize("version", ["v21.0", "v23.0", "v25.0", "v26.0", "v30.0"])
async def test_current_graph_versions_are_served(client: httpx.AsyncClient, version: str) -> None:
    response = await client.post(f"/{version}/{PNID}/messages", json=to_bsuid(DEMO))

    assert response.status_code == 200
    assert response.headers["facebook-api-version"] == version
