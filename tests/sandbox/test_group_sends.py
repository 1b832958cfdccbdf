"""Sending to a group (`recipient_type: "group"`): aggregated statuses, group pricing, refusals."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from tests.sandbox.conftest import (
    PNID,
    Receiver,
    control,
    error_of,
    message,
    signature_ok,
)
from tests.sandbox.test_marketing import PROMO

ANA = "5511987654321"  # seeded: @ana.souza, number visible
PABLO = "US.18402957316640219381"  # seeded: @pablomorales, number hidden (keys left out)
PABLO_PARENT = "US.ENT.11815799212886844830"
ORDER_UPDATE = {
    "name": "order_update",
    "language": {"code": "en_US"},
    "components": [
        {"type": "header", "parameters": [{"type": "text", "text": "1042"}]},
        {
            "type": "body",
            "parameters": [{"type": "text", "text": v} for v in ("Ana", "1042", "Friday")],
        },
        {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "1042"}],
        },
    ],
}


async def make_group(client: httpx.AsyncClient, *, wrote: bool = True) -> str:
    created = await control(
        client, "/groups", {"subject": "Order 1042", "participants": [ANA, PABLO]}, status=201
    )
    group_id: str = created["group"]["id"]
    if wrote:  # a participant's message opens the window of the whole group
        await control(client, f"/groups/{group_id}/messages", {"from": ANA, "text": {"body": "hi"}})
    return group_id


def to_group(group_id: str, msg_type: str = "text", **extra: Any) -> dict[str, Any]:
    return message(msg_type, to=group_id, recipient_type="group", **extra)


def status_deliveries(hooks: Receiver, wamid: str) -> list[dict[str, Any]]:
    """The `value` of every status webhook about `wamid`, in delivery order."""
    return [
        change["value"]
        for d in hooks.deliveries
        for change in d.payload["entry"][0]["changes"]
        if any(s["id"] == wamid for s in change["value"].get("statuses", []))
    ]


async def test_a_text_to_a_group_reports_each_participant(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # given
    group_id = await make_group(client)

    # when
    response = await client.post(
        f"/v25.0/{PNID}/messages", json=to_group(group_id, biz_opaque_callback_data="m-1")
    )
    assert await sandbox.drain(5)

    # then: Meta's answer names the group; one signed webhook per status, one item per member
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["contacts"] == [{"input": group_id}]
    wamid = answer["messages"][0]["id"]
    assert all(signature_ok(d) for d in hooks.deliveries)
    values = status_deliveries(hooks, wamid)
    assert [v["statuses"][0]["status"] for v in values] == ["sent", "delivered", "read"]
    for value in values:
        ana, pablo = value["statuses"]
        assert {ana["status"], pablo["status"]} == {value["statuses"][0]["status"]}
        for item in (ana, pablo):
            assert item["recipient_type"] == "group"
            assert item["recipient_id"] == group_id
            assert item["biz_opaque_callback_data"] == "m-1"
            assert item["pricing"] == {
                "billable": False,
                "pricing_model": "PMP",
                "category": "group_service",
                "type": "free_customer_service",
            }
        assert ana["recipient_participant_id"] == ANA
        assert ana["recipient_participant_user_id"] == "BR.17730261948852016634"
        assert "recipient_participant_id" not in pablo  # hidden number
        assert pablo["recipient_participant_user_id"] == PABLO
        assert pablo["recipient_participant_parent_user_id"] == PABLO_PARENT
    assert "contacts" not in values[0]  # sent
    assert [c["user_id"] for c in values[1]["contacts"]] == ["BR.17730261948852016634", PABLO]
    log = (await client.get("/_sandbox/requests", params={"path_contains": "messages"})).json()
    assert log["requests"][-1]["message"]["group_id"] == group_id


@pytest.mark.parametrize(
    ("template", "wrote", "pricing"),
    [
        (PROMO, True, ("group_marketing", "regular", True)),
        (ORDER_UPDATE, True, ("group_utility", "free_customer_service", False)),
        (ORDER_UPDATE, False, ("group_utility", "regular", True)),
    ],
)
async def test_templates_to_a_group_are_priced_by_group_category(
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    hooks: Receiver,
    template: dict[str, Any],
    wrote: bool,
    pricing: tuple[str, str, bool],
) -> None:
    group_id = await make_group(client, wrote=wrote)

    response = await client.post(
        f"/v25.0/{PNID}/messages", json=to_group(group_id, "template", template=template)
    )
    assert await sandbox.drain(5)

    assert response.status_code == 200, response.text
    assert response.json()["messages"][0]["message_status"] == "accepted"
    wamid = response.json()["messages"][0]["id"]
    category, kind, billable = pricing
    for value in status_deliveries(hooks, wamid):
        for item in value["statuses"]:
            assert item["pricing"] == {
                "billable": billable,
                "pricing_model": "PMP",
                "category": category,
                "type": kind,
            }


async def test_free_form_outside_the_group_window_fails_later(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    group_id = await make_group(client, wrote=False)

    response = await client.post(f"/v25.0/{PNID}/messages", json=to_group(group_id))
    assert await sandbox.drain(5)

    wamid = response.json()["messages"][0]["id"]
    (value,) = status_deliveries(hooks, wamid)
    (failed,) = value["statuses"]
    assert failed["status"] == "failed"
    assert failed["recipient_type"] == "group"
    assert failed["recipient_id"] == group_id
    assert failed["errors"][0]["code"] == 131047


async def test_reactions_and_media_in_a_group(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    group_id = await make_group(client, wrote=False)
    said = await control(
        client, f"/groups/{group_id}/messages", {"from": PABLO, "text": {"body": "thanks"}}
    )
    outside = await control(client, f"/customers/{ANA}/messages", {"text": {"body": "1:1"}})

    good = await client.post(
        f"/v25.0/{PNID}/messages",
        json=to_group(group_id, "reaction", reaction={"message_id": said["wamid"], "emoji": "👍"}),
    )
    foreign = await client.post(
        f"/v25.0/{PNID}/messages",
        json=to_group(
            group_id, "reaction", reaction={"message_id": outside["wamid"], "emoji": "👍"}
        ),
    )
    image = await client.post(f"/v25.0/{PNID}/messages", json=to_group(group_id, "image"))
    assert await sandbox.drain(5)

    def statuses(response: httpx.Response) -> list[str]:
        assert response.status_code == 200, response.text
        values = status_deliveries(hooks, response.json()["messages"][0]["id"])
        return [v["statuses"][0]["status"] for v in values]

    assert statuses(good) == ["sent", "delivered", "read"]
    assert statuses(foreign) == ["failed"]
    assert statuses(image) == ["sent", "delivered", "read"]


async def test_refused_group_sends(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    # given: a group, an empty one, a suspended one and a deleted one
    group_id = await make_group(client)
    empty = (await control(client, "/groups", {"subject": "Alone"}, status=201))["group"]["id"]
    suspended = await make_group(client)
    await control(client, f"/groups/{suspended}/status", {"type": "group_suspend"})
    deleted = await make_group(client)
    assert (await client.delete(f"/_sandbox/groups/{deleted}")).status_code == 200
    url = f"/v25.0/{PNID}/messages"
    auth = message(
        "template",
        template={
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
        },
    )["template"]

    # then: Meta's Groups codes
    interactive = await client.post(url, json=to_group(group_id, "interactive"))
    assert "not supported in groups" in error_of(interactive, 400, 131051)["error_data"]["details"]
    error_of(
        await client.post(url, json=to_group(group_id, "template", template=auth)), 400, 131051
    )
    error_of(await client.post(url, json=to_group("Z" * 62)), 400, 131041)
    error_of(await client.post(url, json=to_group(deleted)), 400, 131041)
    error_of(await client.post(url, json=to_group(empty)), 400, 131020)
    error_of(await client.post(url, json=to_group(suspended)), 403, 131207)
    with_bsuid = to_group(group_id, recipient=PABLO)
    error_of(await client.post(url, json=with_bsuid), 400, 131009)
    error_of(await client.post(url, json={**to_group(group_id), "to": 5}), 400, 100)
    lite = await client.post(
        f"/v25.0/{PNID}/marketing_messages", json=to_group(group_id, "template", template=PROMO)
    )
    error_of(lite, 400, 131009)
    assert sandbox.stats()["messages"]["accepted"] == 0
