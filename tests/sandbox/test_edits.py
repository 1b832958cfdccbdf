"""A customer edits or deletes (revokes) a message they sent (§11.8): Meta's shapes and limits."""

from __future__ import annotations

import httpx
import pytest

from sandbox import Sandbox
from tests.sandbox.conftest import (
    DISPLAY,
    MESSAGES,
    PNID,
    Clock,
    Receiver,
    change_of,
    control,
    inbound,
    message,
    posted,
)

CUSTOMER = "16505551234"
PABLO = "US.18402957316640219381"  # seeded: @pablomorales, number hidden (keys left out)


async def test_an_edit_names_the_original_and_carries_the_new_text(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # given
    original = (await inbound(client, CUSTOMER, text={"body": "see you at 5"}))["wamid"]

    # when
    result = await control(
        client, f"/customers/{CUSTOMER}/messages/{original}/edit", {"text": "see you at 6"}
    )

    # then: a new inbound message of type edit, signed, with the new content under edit.message
    await posted(sandbox, hooks, result["payload"])
    field, value = change_of(result["payload"])
    assert field == "messages"
    assert value["metadata"] == {"display_phone_number": DISPLAY, "phone_number_id": PNID}
    assert value["contacts"][0]["wa_id"] == CUSTOMER
    (msg,) = value["messages"]
    assert msg["id"] == result["wamid"] != original
    assert msg["from"] == CUSTOMER
    assert msg["from_user_id"].startswith("US.")
    assert msg["type"] == "edit"
    assert msg["edit"] == {
        "original_message_id": original,
        "message": {"type": "text", "text": {"body": "see you at 6"}},
    }
    assert isinstance(msg["timestamp"], str)


async def test_a_caption_edit_keeps_the_media(client: httpx.AsyncClient) -> None:
    original = await inbound(client, CUSTOMER, type="image", image={"caption": "old"})
    image = original["payload"]["entry"][0]["changes"][0]["value"]["messages"][0]["image"]

    result = await control(
        client,
        f"/customers/{CUSTOMER}/messages/{original['wamid']}/edit",
        {"caption": "new caption"},
    )

    (msg,) = change_of(result["payload"])[1]["messages"]
    assert msg["edit"]["message"] == {"type": "image", "image": {**image, "caption": "new caption"}}


async def test_a_revoke_names_the_original(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    original = (await inbound(client, PABLO))["wamid"]

    result = await control(client, f"/customers/{PABLO}/messages/{original}/revoke")

    await posted(sandbox, hooks, result["payload"])
    (msg,) = change_of(result["payload"])[1]["messages"]
    assert "from" not in msg  # a hidden number stays hidden
    assert msg["from_user_id"] == PABLO
    assert msg["type"] == "revoke"
    assert msg["revoke"] == {"original_message_id": original}


async def test_edits_follow_whatsapp_time_limits(client: httpx.AsyncClient, clock: Clock) -> None:
    # given: a message sent 14 minutes ago, and one sent 16 minutes ago
    late = (await inbound(client, CUSTOMER))["wamid"]
    clock.advance(2 * 60)
    recent = (await inbound(client, CUSTOMER))["wamid"]
    clock.advance(14 * 60)

    # then: WhatsApp allows edits within 15 minutes, deletions within two days
    await control(client, f"/customers/{CUSTOMER}/messages/{recent}/edit", {"text": "ok"})
    refused = await control(
        client, f"/customers/{CUSTOMER}/messages/{late}/edit", {"text": "no"}, status=400
    )
    assert "15 minutes" in refused["error"]
    await control(client, f"/customers/{CUSTOMER}/messages/{late}/revoke")
    clock.advance(2 * 24 * 3600)
    too_old = await control(client, f"/customers/{CUSTOMER}/messages/{recent}/revoke", status=400)
    assert "two days" in too_old["error"]


async def test_an_encoded_wamid_with_a_slash_is_found(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    # wamids are base64: a client URL-encodes the "/" it may hold
    wamid = (await inbound(client, CUSTOMER))["wamid"]
    known = sandbox.messages.pop(wamid)
    slashed = "wamid.HBgL/abc+def=="
    sandbox.messages[slashed] = known

    response = await client.post(
        f"/_sandbox/customers/{CUSTOMER}/messages/wamid.HBgL%2Fabc+def==/edit",
        json={"text": "fixed"},
    )

    assert response.status_code == 200, response.text
    (msg,) = change_of(response.json()["payload"])[1]["messages"]
    assert msg["edit"]["original_message_id"] == slashed


@pytest.mark.parametrize(
    ("action", "body", "status", "error"),
    [
        ("edit", {"text": ""}, 400, "text"),
        ("edit", {"caption": "x"}, 400, "text"),
        ("edit", {"text": {"body": 5}}, 400, "text"),
        ("revoke", {}, 200, None),
    ],
)
async def test_edit_bodies(
    client: httpx.AsyncClient, action: str, body: dict[str, object], status: int, error: str | None
) -> None:
    wamid = (await inbound(client, CUSTOMER))["wamid"]

    answer = await control(
        client, f"/customers/{CUSTOMER}/messages/{wamid}/{action}", body, status=status
    )

    if error is not None:
        assert error in answer["error"]


async def test_refusals(client: httpx.AsyncClient) -> None:
    # given: a location (not editable), the business's own message, another customer's message
    location = await inbound(
        client, CUSTOMER, type="location", location={"latitude": 1.0, "longitude": 2.0}
    )
    sent = await client.post(MESSAGES, json=message())
    ours = sent.json()["messages"][0]["id"]
    theirs = (await inbound(client, "15551234567"))["wamid"]
    base = f"/customers/{CUSTOMER}/messages"

    # then
    not_editable = await control(
        client, f"{base}/{location['wamid']}/edit", {"text": "x"}, status=400
    )
    assert "cannot be edited" in not_editable["error"]
    business = await control(client, f"/customers/15551234567/messages/{ours}/revoke", status=400)
    assert "sent by the business" in business["error"]
    await control(client, f"{base}/{theirs}/revoke", status=404)
    await control(client, f"{base}/wamid.nothing/edit", {"text": "x"}, status=404)
    await control(client, "/customers/@nobody/messages/wamid.x/revoke", status=404)
    await control(client, f"{base}/{location['wamid']}/revoke")
    again = await control(client, f"{base}/{location['wamid']}/revoke", status=400)
    assert "already deleted" in again["error"]
    bad_json = await client.post(f"/_sandbox{base}/{theirs}/edit", content=b"{")
    assert bad_json.status_code == 400
