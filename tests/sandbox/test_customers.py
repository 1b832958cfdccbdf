"""Simulated customers (2026): BSUIDs, usernames, hidden numbers, and the control API for them."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from sandbox.customers import BSUID_RE, country_of, derive_bsuid
from tests.sandbox.conftest import OPEN_CUSTOMER, WABA, Receiver, inbound

PABLO = "US.18402957316640219381"  # seeded: @pablomorales, number hidden (keys left out)
PABLO_PARENT = "US.ENT.11815799212886844830"
SHEENA = "GB.15829371046618203957"  # seeded: @sheena.nelson, number hidden (empty strings)


def value_of(payload: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = payload["entry"][0]["changes"][0]["value"]
    return value


async def test_seeded_customers_have_fixed_identities(client: httpx.AsyncClient) -> None:
    listing = (await client.get("/_sandbox/customers")).json()

    by_number = {c["wa_id"]: c for c in listing["customers"]}
    assert listing["count"] == len(by_number) == 6
    assert by_number[OPEN_CUSTOMER]["user_id"] == "US.13491208655302741918"
    assert by_number["15550101001"] == {
        "wa_id": "15550101001",
        "user_id": PABLO,
        "parent_user_id": PABLO_PARENT,
        "username": "@pablomorales",
        "profile_name": "Pablo M.",
        "hide_number": True,
        "hidden_number_as": "absent",
        "marketing": "resume",
        "marketing_limited": False,
        "country": "US",
    }
    assert by_number["447700900456"]["hidden_number_as"] == "empty"
    assert by_number["15550102002"]["marketing"] == "stop"
    assert by_number["15550103003"]["marketing_limited"] is True


@pytest.mark.parametrize(
    "ref", ["15550101001", PABLO, PABLO_PARENT, "@pablomorales", "PabloMorales"]
)
async def test_a_customer_is_found_by_number_bsuid_parent_or_username(
    client: httpx.AsyncClient, ref: str
) -> None:
    found = await client.get(f"/_sandbox/customers/{ref}")

    assert found.status_code == 200, found.text
    assert found.json()["user_id"] == PABLO


def test_derived_bsuids_are_stable_per_number_and_portfolio() -> None:
    first = derive_bsuid(WABA, "5215512345678")

    assert first == derive_bsuid(WABA, "5215512345678")
    assert first != derive_bsuid(WABA, "5215512345679")
    assert first != derive_bsuid("another-portfolio", "5215512345678")
    assert first.startswith("MX.") and BSUID_RE.fullmatch(first)
    assert [country_of(n) for n in ("15551234567", "447700900123", "35191234567", "0")] == [
        "US",
        "GB",
        "PT",
        "ZZ",
    ]


async def test_a_new_number_becomes_a_customer_with_a_derived_bsuid(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    await inbound(client, "5511912345678")

    customer = (await client.get("/_sandbox/customers/5511912345678")).json()
    assert customer["user_id"] == derive_bsuid(WABA, "5511912345678")
    assert customer["country"] == "BR"
    assert customer["username"] is None and customer["hide_number"] is False


async def test_create_then_patch_a_username_only_customer(client: httpx.AsyncClient) -> None:
    # when
    created = await client.post(
        "/_sandbox/customers",
        json={
            "wa_id": "15550177777",
            "user_id": "US.77777777777777777777",
            "parent_user_id": True,
            "username": "lena.k",
            "profile_name": "Lena",
            "hide_number": True,
        },
    )
    patched = await client.patch(
        "/_sandbox/customers/@lena.k", json={"hidden_number_as": "empty", "marketing": "stop"}
    )
    again = await client.post("/_sandbox/customers", json={"wa_id": "15550177777"})

    # then
    assert created.status_code == 201, created.text
    assert created.json()["username"] == "@lena.k"
    assert created.json()["parent_user_id"].startswith("US.ENT.")
    assert patched.json()["hidden_number_as"] == "empty"
    assert patched.json()["marketing"] == "stop"
    assert again.status_code == 200  # an update: nothing else changes
    assert again.json()["user_id"] == "US.77777777777777777777"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({}, "wa_id"),
        ({"wa_id": "12"}, "wa_id"),
        ({"wa_id": "15550177777", "user_id": "15550177777"}, "not a BSUID"),
        ({"wa_id": "15550177777", "parent_user_id": "US.123"}, "parent BSUID"),
        ({"wa_id": "15550177777", "hide_number": True}, "username"),
        ({"wa_id": "15550177777", "username": "a"}, "username"),
        ({"wa_id": "15550177777", "hidden_number_as": "null"}, "hidden_number_as"),
        ({"wa_id": "15550177777", "marketing": "maybe"}, "marketing"),
        ({"wa_id": "15550177777", "user_id": PABLO}, "already belongs"),
        ({"wa_id": "15550177777", "username": "@PabloMorales"}, "already belongs"),
        ({"wa_id": "15550177777", "nickname": "x"}, "unknown customer fields"),
    ],
)
async def test_bad_customer_definitions_are_400(
    client: httpx.AsyncClient, body: dict[str, Any], detail: str
) -> None:
    response = await client.post("/_sandbox/customers", json=body)

    assert response.status_code == 400
    assert detail in response.json()["error"]


async def test_unknown_bsuid_or_username_is_404(client: httpx.AsyncClient) -> None:
    for ref in ("US.00000000000000000000", "@nobody"):
        assert (await client.get(f"/_sandbox/customers/{ref}")).status_code == 404
        sent = await client.post(f"/_sandbox/customers/{ref}/messages", json={"type": "text"})
        assert sent.status_code == 404


async def test_a_visible_customer_gets_the_2026_ids_too(client: httpx.AsyncClient) -> None:
    result = await inbound(client, "5511987654321", text={"body": "oi"})

    value = value_of(result["payload"])
    assert value["contacts"] == [
        {
            "profile": {"name": "Ana Souza", "username": "@ana.souza"},
            "wa_id": "5511987654321",
            "user_id": "BR.17730261948852016634",
        }
    ]
    message = value["messages"][0]
    assert message["from"] == "5511987654321"
    assert message["from_user_id"] == "BR.17730261948852016634"
    assert "from_parent_user_id" not in message


async def test_a_hidden_number_is_left_out(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # when: the customer is named by username; the webhook is Meta's exactly
    result = await inbound(client, "@pablomorales", type="image", image={"caption": "c"})
    assert await sandbox.drain(5)

    # then
    (delivery,) = hooks.deliveries
    value = value_of(delivery.payload)
    assert value["contacts"] == [
        {
            "profile": {"name": "Pablo M.", "username": "@pablomorales"},
            "user_id": PABLO,
            "parent_user_id": PABLO_PARENT,
        }
    ]
    message = value["messages"][0]
    assert "from" not in message
    assert (message["from_user_id"], message["from_parent_user_id"]) == (PABLO, PABLO_PARENT)
    assert b"15550101001" not in delivery.body
    assert b"15550101001" not in base64.b64decode(result["wamid"].removeprefix("wamid."))


async def test_a_hidden_number_can_be_empty_strings(client: httpx.AsyncClient) -> None:
    result = await inbound(client, SHEENA, profile_name="Sheena N.")

    value = value_of(result["payload"])
    (contact,) = value["contacts"]
    assert contact["wa_id"] == "" and contact["user_id"] == SHEENA
    assert contact["profile"] == {"name": "Sheena N.", "username": "@sheena.nelson"}
    assert value["messages"][0]["from"] == ""


async def test_the_messages_endpoint_can_configure_the_customer_first(
    client: httpx.AsyncClient,
) -> None:
    # given: a customer who wrote before with a visible number
    await inbound(client, "16505550001")

    # when: they take a username and hide their number, then write again
    result = await inbound(
        client,
        "16505550001",
        customer={"username": "@new.handle", "hide_number": True},
        type="interactive",
        interactive={"type": "button_reply", "button_reply": {"id": "a", "title": "A"}},
    )

    value = value_of(result["payload"])
    assert "wa_id" not in value["contacts"][0]
    assert value["contacts"][0]["profile"]["username"] == "@new.handle"
    assert value["contacts"][0]["profile"]["name"].startswith("Customer ")
    assert "0001" not in value["contacts"][0]["profile"]["name"]  # never leaks the number
    assert "from" not in value["messages"][0]


async def test_a_hidden_customer_opens_the_window_of_their_real_number(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    await inbound(client, "@sheena.nelson")

    assert sandbox.windows.current("106540352242922", "447700900456", sandbox.now(), 24)


async def test_reset_restores_the_seeded_customers(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    await client.patch("/_sandbox/customers/@pablomorales", json={"hide_number": False})
    await inbound(client, "16505550002")

    await client.post("/_sandbox/reset")

    assert sandbox.customers.get("@pablomorales").hide_number is True  # type: ignore[union-attr]
    assert sandbox.customers.get("16505550002") is None
    assert sandbox.stats()["customers"] == 6
