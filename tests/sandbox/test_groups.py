"""Groups (§11.7): lifecycle, participants, settings, suspension and messages in the group."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from tests.sandbox.conftest import (
    DISPLAY,
    MESSAGES,
    PNID,
    Receiver,
    change_of,
    control,
    error_of,
    posted,
)

ANA = "5511987654321"  # seeded: @ana.souza, number visible
PABLO = "US.18402957316640219381"  # seeded: @pablomorales, number hidden (keys left out)
PABLO_PARENT = "US.ENT.11815799212886844830"
CUSTOMER = "16505551234"


async def new_group(client: httpx.AsyncClient, *participants: str) -> dict[str, Any]:
    body: dict[str, Any] = {"subject": "Order 1042", "description": "Delivery questions"}
    if participants:
        body["participants"] = list(participants)
    return await control(client, "/groups", body, status=201)


def group_item(payload: dict[str, Any], field: str) -> dict[str, Any]:
    got, value = change_of(payload)
    assert got == field
    assert value["messaging_product"] == "whatsapp"
    assert value["metadata"] == {"display_phone_number": DISPLAY, "phone_number_id": PNID}
    (item,) = value["groups"]
    assert isinstance(item["timestamp"], str)
    return item


async def test_a_new_group_is_announced_with_a_long_opaque_id(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # when
    result = await new_group(client)

    # then: group_lifecycle_update, signed, with Meta's keys
    await posted(sandbox, hooks, result["payload"])
    item = group_item(result["payload"], "group_lifecycle_update")
    group_id = result["group"]["id"]
    assert len(group_id) >= 60
    assert re.fullmatch(r"[A-Za-z0-9_-]+", group_id)
    assert item["group_id"] == group_id
    assert item["type"] == "group_create"
    assert item["subject"] == "Order 1042"
    assert item["description"] == "Delivery questions"
    assert item["request_id"]
    assert item["invite_link"].startswith("https://chat.whatsapp.com/")
    assert result["webhooks"] == [result["payload"]]
    listed = (await client.get("/_sandbox/groups")).json()
    assert [g["id"] for g in listed["groups"]] == [group_id]


async def test_participants_join_and_leave(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # given: Ana joins with the group; Pablo (hidden number) joins later
    created = await new_group(client, ANA)
    group_id = created["group"]["id"]
    joined_first = group_item(created["webhooks"][1], "group_participants_update")

    # when
    joined = await control(client, f"/groups/{group_id}/participants", {"add": [PABLO]})
    removed = await control(client, f"/groups/{group_id}/participants", {"remove": [ANA]})
    left = await control(
        client,
        f"/groups/{group_id}/participants",
        {"remove": ["@pablomorales"], "initiated_by": "participant"},
    )

    # then
    for result in (joined, removed, left):
        await posted(sandbox, hooks, result["payload"])
    assert joined_first["type"] == "group_participants_add"
    assert joined_first["reason"] == "invite_link"
    assert joined_first["added_participants"] == [
        {"wa_id": ANA, "user_id": "BR.17730261948852016634", "username": "@ana.souza"}
    ]
    pablo = {"user_id": PABLO, "parent_user_id": PABLO_PARENT, "username": "@pablomorales"}
    add = group_item(joined["payload"], "group_participants_update")
    assert add["added_participants"] == [pablo]  # no wa_id: the number is hidden
    by_business = group_item(removed["payload"], "group_participants_update")
    assert by_business["type"] == "group_participants_remove"
    assert by_business["removed_participants"] == [{"input": ANA}]
    assert by_business["initiated_by"] == "business"
    assert by_business["request_id"]
    by_themself = group_item(left["payload"], "group_participants_update")
    assert by_themself["removed_participants"] == [pablo]
    assert by_themself["initiated_by"] == "participant"
    assert (await client.get(f"/_sandbox/groups/{group_id}")).json()["participants"] == []


async def test_settings_and_suspension(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    group_id = (await new_group(client))["group"]["id"]

    subject = await client.patch(f"/_sandbox/groups/{group_id}", json={"subject": "Order 1043"})
    suspended = await control(client, f"/groups/{group_id}/status", {"type": "group_suspend"})
    cleared = await control(client, f"/groups/{group_id}/status", {"type": "group_suspend_cleared"})
    deleted = await client.delete(f"/_sandbox/groups/{group_id}")

    assert subject.status_code == 200, subject.text
    settings = group_item(subject.json()["payload"], "group_settings_update")
    assert settings["group_subject"] == {"text": "Order 1043", "update_successful": True}
    assert "group_description" not in settings
    assert group_item(suspended["payload"], "group_status_update") == {
        "timestamp": suspended["payload"]["entry"][0]["changes"][0]["value"]["groups"][0][
            "timestamp"
        ],
        "group_id": group_id,
        "type": "group_suspend",
    }
    assert suspended["group"]["suspended"] is True
    assert group_item(cleared["payload"], "group_status_update")["type"] == "group_suspend_cleared"
    lifecycle = group_item(deleted.json()["payload"], "group_lifecycle_update")
    assert lifecycle["type"] == "group_delete"
    for payload in (subject.json()["payload"], suspended["payload"], deleted.json()["payload"]):
        await posted(sandbox, hooks, payload)
    assert (await client.get(f"/_sandbox/groups/{group_id}")).status_code == 404


async def test_a_participant_writes_in_the_group(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    group_id = (await new_group(client, ANA, PABLO))["group"]["id"]

    result = await control(
        client,
        f"/groups/{group_id}/messages",
        {"from": PABLO, "type": "text", "text": {"body": "when does it arrive?"}},
    )

    await posted(sandbox, hooks, result["payload"])
    field, value = change_of(result["payload"])
    assert field == "messages"
    assert value["contacts"][0]["user_id"] == PABLO
    (msg,) = value["messages"]
    assert msg["group_id"] == group_id
    assert msg["from_user_id"] == PABLO
    assert "from" not in msg
    assert msg["text"] == {"body": "when does it arrive?"}
    # group messages cannot be marked read, edited or deleted (Groups API)
    read = await client.post(
        MESSAGES, json={"messaging_product": "whatsapp", "status": "read", "message_id": msg["id"]}
    )
    assert "groups" in error_of(read, 400, 131009)["error_data"]["details"]
    await control(
        client, f"/customers/{PABLO}/messages/{msg['id']}/edit", {"text": "x"}, status=400
    )


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/groups", {}, 400),  # no subject
        ("/groups", {"subject": 5}, 400),
        ("/groups", {"subject": "x" * 129}, 400),
        ("/groups", {"subject": "s", "participants": "15550101001"}, 400),
        ("/groups", {"subject": "s", "participants": ["@nobody"]}, 404),
        ("/groups", {"subject": "s", "participants": [ANA, ANA]}, 400),
        ("/groups", {"subject": "s", "participants": [f"1555000{i:04d}" for i in range(9)]}, 400),
        ("/groups", {"subject": "s", "phone_number_id": "1"}, 400),
        ("/groups/nope/participants", {"add": [ANA]}, 404),
        ("/groups/nope/messages", {"from": ANA, "text": {"body": "x"}}, 404),
        ("/groups/nope/status", {}, 404),
    ],
)
async def test_bad_group_requests(
    client: httpx.AsyncClient, sandbox: Sandbox, path: str, body: dict[str, Any], status: int
) -> None:
    answer = await control(client, path, body, status=status)

    assert answer["error"]
    assert len(sandbox.groups) == 0  # nothing half-created


@pytest.mark.parametrize(
    ("action", "body", "status", "error"),
    [
        ("participants", {}, 400, "either"),
        ("participants", {"add": [ANA], "remove": [ANA]}, 400, "either"),
        ("participants", {"add": [ANA]}, 400, "already"),
        ("participants", {"remove": [CUSTOMER]}, 400, "not a participant"),
        ("participants", {"remove": [ANA], "initiated_by": "admin"}, 400, "initiated_by"),
        ("participants", {"add": ANA}, 400, "array"),
        ("status", {"type": "group_frozen"}, 400, "type"),
        ("status", {"type": "group_suspend_cleared"}, 400, "already active"),
        ("messages", {"from": CUSTOMER, "text": {"body": "x"}}, 400, "not a participant"),
        ("messages", {"text": {"body": "x"}}, 400, "customer reference"),
        ("messages", {"from": ANA, "type": "hologram"}, 400, "type"),
    ],
)
async def test_bad_requests_to_a_group(
    client: httpx.AsyncClient, action: str, body: dict[str, Any], status: int, error: str
) -> None:
    group_id = (await new_group(client, ANA))["group"]["id"]

    answer = await control(client, f"/groups/{group_id}/{action}", body, status=status)

    assert error in answer["error"]


async def test_nobody_writes_in_a_suspended_group(client: httpx.AsyncClient) -> None:
    group_id = (await new_group(client, ANA))["group"]["id"]
    await control(client, f"/groups/{group_id}/status", {"type": "group_suspend"})

    answer = await control(
        client, f"/groups/{group_id}/messages", {"from": ANA, "text": {"body": "x"}}, status=400
    )

    assert "suspended" in answer["error"]


async def test_settings_need_a_change(client: httpx.AsyncClient) -> None:
    group_id = (await new_group(client))["group"]["id"]

    response = await client.patch(f"/_sandbox/groups/{group_id}", json={})

    assert response.status_code == 400
    assert "subject" in response.json()["error"]


async def test_reset_forgets_groups_and_calls(client: httpx.AsyncClient) -> None:
    group_id = (await new_group(client, ANA))["group"]["id"]
    await control(client, f"/customers/{ANA}/calls")

    await control(client, "/reset")

    assert (await client.get("/_sandbox/groups")).json()["count"] == 0
    assert (await client.get("/_sandbox/calls")).json()["count"] == 0
    assert (await client.get(f"/_sandbox/groups/{group_id}")).status_code == 404
    stats = (await client.get("/_sandbox/stats")).json()
    assert (stats["groups"], stats["calls"]) == (0, 0)
