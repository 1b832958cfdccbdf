"""Identity changes (§7.4, §11.2): new number, new BSUID, new security code."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from sandbox.customers import derive_bsuid
from tests.sandbox.conftest import MESSAGES, WABA, Receiver, inbound, message, signature_ok

PABLO = "US.18402957316640219381"  # seeded: @pablomorales, number 15550101001 hidden
PABLO_PARENT = "US.ENT.11815799212886844830"
CUSTOMER = "16505551234"
NEW_NUMBER = "16505559999"


def value_of(result: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = result["payload"]["entry"][0]["changes"][0]["value"]
    return value


async def act(client: httpx.AsyncClient, ref: str, action: str, **body: Any) -> dict[str, Any]:
    response = await client.post(f"/_sandbox/customers/{ref}/{action}", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_a_visible_customer_changes_number(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # given: a customer who wrote in (their window is open)
    await inbound(client, CUSTOMER, profile_name="Sheena")
    old_bsuid = sandbox.customers.get(CUSTOMER).user_id  # type: ignore[union-attr]

    # when
    result = await act(client, CUSTOMER, "change-number", wa_id=NEW_NUMBER)
    assert await sandbox.drain(5)

    # then: Meta's system message — old number in `from`, the new number and BSUID in `system`
    new_bsuid = derive_bsuid(WABA, NEW_NUMBER)
    value = value_of(result)
    assert "contacts" not in value  # system messages carry none
    (msg,) = value["messages"]
    assert msg["from"] == CUSTOMER
    assert msg["from_user_id"] == old_bsuid
    assert msg["type"] == "system"
    assert msg["system"] == {
        "body": f"User Customer 1234 changed from {CUSTOMER} to {NEW_NUMBER}",
        "wa_id": NEW_NUMBER,
        "user_id": new_bsuid,
        "type": "user_changed_number",
    }
    assert result["customer"]["wa_id"] == NEW_NUMBER
    assert hooks.deliveries[-1].payload == result["payload"]
    assert signature_ok(hooks.deliveries[-1])

    # and: the person keeps their window under the new number and the new BSUID
    by_number = await client.post(MESSAGES, json=message(to=NEW_NUMBER))
    body = message()
    del body["to"]
    body["recipient"] = new_bsuid
    by_bsuid = await client.post(MESSAGES, json=body)
    assert await sandbox.drain(5)
    for response in (by_number, by_bsuid):
        statuses = hooks.statuses(response.json()["messages"][0]["id"])
        assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
    assert sandbox.customers.get(old_bsuid) is None


async def test_the_old_bsuid_is_gone_after_a_number_change(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    await act(client, "15550101001", "change-number", wa_id="15550101002")
    body = message("template")
    del body["to"]
    body["recipient"] = PABLO

    sent = await client.post(MESSAGES, json=body)
    assert await sandbox.drain(5)

    (failed,) = hooks.statuses(sent.json()["messages"][0]["id"])
    assert failed["errors"][0]["code"] == 131026


async def test_a_hidden_customer_changing_number_reports_only_the_new_bsuid(
    client: httpx.AsyncClient,
) -> None:
    result = await act(
        client, "@pablomorales", "change-number", wa_id="15550101002", user_id="US.42"
    )

    (msg,) = value_of(result)["messages"]
    assert "from" not in msg
    assert msg["from_user_id"] == PABLO
    system = msg["system"]
    assert system["type"] == "user_changed_user_id"
    assert system["user_id"] == "US.42"
    assert system["parent_user_id"].startswith("US.ENT.")
    assert system["parent_user_id"] != PABLO_PARENT
    assert "wa_id" not in system
    assert "15550101" not in system["body"]
    assert result["customer"]["wa_id"] == "15550101002"


async def test_a_bsuid_change_keeps_the_number(client: httpx.AsyncClient) -> None:
    result = await act(
        client,
        PABLO,
        "change-user-id",
        user_id="US.55555555555555555555",
        parent_user_id="US.ENT.66666666666666666666",
    )

    (msg,) = value_of(result)["messages"]
    assert msg["from_user_id"] == PABLO
    assert msg["from_parent_user_id"] == PABLO_PARENT
    assert msg["system"] == {
        "body": f"User Pablo M. changed from {PABLO} to US.55555555555555555555",
        "user_id": "US.55555555555555555555",
        "parent_user_id": "US.ENT.66666666666666666666",
        "type": "user_changed_user_id",
    }
    assert result["customer"]["wa_id"] == "15550101001"
    found = (await client.get("/_sandbox/customers/US.55555555555555555555")).json()
    assert found["username"] == "@pablomorales"


async def test_a_derived_bsuid_change_is_deterministic(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    first = (await act(client, CUSTOMER, "change-user-id"))["customer"]["user_id"]
    await client.post("/_sandbox/reset")
    second = (await act(client, CUSTOMER, "change-user-id"))["customer"]["user_id"]

    assert first == second
    assert first != derive_bsuid(WABA, CUSTOMER)


async def test_a_security_code_change(client: httpx.AsyncClient) -> None:
    result = await act(client, CUSTOMER, "change-identity")

    value = value_of(result)
    assert value["contacts"][0]["wa_id"] == CUSTOMER  # its readers take the user from contacts
    (msg,) = value["messages"]
    assert msg["system"]["type"] == "customer_identity_changed"
    assert msg["system"]["customer"] == CUSTOMER
    identity = msg["identity"]
    assert identity["acknowledged"] is False
    assert isinstance(identity["created_timestamp"], int)
    assert len(identity["hash"]) == 16


@pytest.mark.parametrize(
    ("ref", "action", "body", "status"),
    [
        (CUSTOMER, "change-number", {}, 400),
        (CUSTOMER, "change-number", {"wa_id": CUSTOMER}, 400),
        (CUSTOMER, "change-number", {"wa_id": "15550101001"}, 400),  # Pablo's number
        (CUSTOMER, "change-number", {"wa_id": NEW_NUMBER, "user_id": PABLO}, 400),
        (CUSTOMER, "change-user-id", {"user_id": "bad"}, 400),
        (CUSTOMER, "change-number", {"wa_id": NEW_NUMBER, "phone_number_id": "1"}, 400),
        ("@nobody", "change-identity", {}, 404),
        (CUSTOMER, "marketing-preference", {"value": "later"}, 400),
    ],
)
async def test_bad_identity_requests(
    client: httpx.AsyncClient, ref: str, action: str, body: dict[str, Any], status: int
) -> None:
    response = await client.post(f"/_sandbox/customers/{ref}/{action}", json=body)

    assert response.status_code == status
    assert response.json()["error"]


async def test_the_legacy_system_form_still_works(client: httpx.AsyncClient) -> None:
    result = await inbound(
        client, CUSTOMER, type="system", system={"type": "user_changed_number", "wa_id": "1"}
    )

    (msg,) = value_of(result)["messages"]
    assert msg["system"]["wa_id"] == "1"
    assert msg["from"] == CUSTOMER
