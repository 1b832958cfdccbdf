"""Calls (§11.8): a customer calls, the business calls, a customer answers a permission request."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandbox import Sandbox
from tests.sandbox.conftest import (
    DISPLAY,
    PNID,
    Clock,
    Receiver,
    change_of,
    control,
    posted,
)

CUSTOMER = "16505551234"
PABLO = "US.18402957316640219381"  # seeded: @pablomorales, number hidden (keys left out)
PABLO_PARENT = "US.ENT.11815799212886844830"


def call_value(payload: dict[str, Any]) -> dict[str, Any]:
    field, value = change_of(payload)
    assert field == "calls"
    assert value["messaging_product"] == "whatsapp"
    assert value["metadata"] == {"display_phone_number": DISPLAY, "phone_number_id": PNID}
    return value


async def test_a_customer_calls_then_hangs_up(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver, clock: Clock
) -> None:
    # given
    clock.freeze()

    # when: the customer calls, 42 seconds later the call ends
    started = await control(client, f"/customers/{CUSTOMER}/calls")
    clock.advance(42)
    ended = await control(client, f"/calls/{started['call_id']}/terminate")

    # then: connect (with an SDP offer), then terminate with the times and duration
    await posted(sandbox, hooks, started["payload"])
    await posted(sandbox, hooks, ended["payload"])
    connect_value = call_value(started["payload"])
    assert connect_value["contacts"][0]["wa_id"] == CUSTOMER
    (connect,) = connect_value["calls"]
    call_id = started["call_id"]
    assert call_id.startswith("wacid.")
    assert connect["id"] == call_id
    assert connect["from"] == CUSTOMER
    assert connect["from_user_id"].startswith("US.")
    assert connect["to"] == DISPLAY
    assert connect["event"] == "connect"
    assert connect["direction"] == "USER_INITIATED"
    assert connect["session"]["sdp_type"] == "offer"
    assert connect["session"]["sdp"].startswith("v=0")
    (terminate,) = call_value(ended["payload"])["calls"]
    assert terminate["id"] == call_id
    assert terminate["event"] == "terminate"
    assert terminate["status"] == "COMPLETED"
    assert terminate["duration"] == 42
    assert int(terminate["end_time"]) - int(terminate["start_time"]) == 42
    assert isinstance(terminate["timestamp"], str)
    assert ended["call"]["status"] == "COMPLETED"


async def test_a_missed_call_in_one_request(client: httpx.AsyncClient) -> None:
    result = await control(client, f"/customers/{PABLO}/calls", {"status": "FAILED"})

    connect, terminate = (call_value(p)["calls"][0] for p in result["webhooks"])
    assert "from" not in connect  # a hidden number stays hidden
    assert connect["from_user_id"] == PABLO
    assert connect["from_parent_user_id"] == PABLO_PARENT
    assert terminate["status"] == "FAILED"
    assert not {"start_time", "end_time", "duration"} & set(terminate)


async def test_a_business_call_rings_is_accepted_and_ends(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    # when
    result = await control(
        client,
        f"/customers/{PABLO}/calls",
        {
            "direction": "BUSINESS_INITIATED",
            "statuses": ["RINGING", "ACCEPTED"],
            "status": "COMPLETED",
            "duration": 30,
            "biz_opaque_callback_data": "call-7",
        },
    )

    # then: RINGING and ACCEPTED statuses, the connect with the SDP answer, the terminate
    for payload in result["webhooks"]:
        await posted(sandbox, hooks, payload)
    ringing, accepted, connect, terminate = (call_value(p) for p in result["webhooks"])
    for value, status in ((ringing, "RINGING"), (accepted, "ACCEPTED")):
        (item,) = value["statuses"]
        assert item == {
            "id": result["call_id"],
            "type": "call",
            "status": status,
            "timestamp": item["timestamp"],
            "recipient_user_id": PABLO,
            "recipient_parent_user_id": PABLO_PARENT,
            "biz_opaque_callback_data": "call-7",
        }
    (connected,) = connect["calls"]
    assert connected["from"] == DISPLAY
    assert connected["to_user_id"] == PABLO
    assert "to" not in connected
    assert connected["direction"] == "BUSINESS_INITIATED"
    assert connected["session"]["sdp_type"] == "answer"
    (ended,) = terminate["calls"]
    assert ended["duration"] == 30
    assert ended["biz_opaque_callback_data"] == "call-7"


async def test_a_business_call_is_rejected_later(client: httpx.AsyncClient) -> None:
    started = await control(
        client, f"/customers/{CUSTOMER}/calls", {"direction": "BUSINESS_INITIATED"}
    )

    rejected = await control(client, f"/calls/{started['call_id']}/status", {"status": "REJECTED"})

    (item,) = call_value(rejected["payload"])["statuses"]
    assert item["status"] == "REJECTED"
    assert item["recipient_id"] == CUSTOMER
    await control(client, f"/calls/{started['call_id']}/terminate", status=400)
    listed = (await client.get("/_sandbox/calls")).json()
    assert [c["status"] for c in listed["calls"]] == ["REJECTED"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"direction": "SIDEWAYS"}, "direction"),
        ({"statuses": ["RINGING"]}, "business-initiated"),
        ({"direction": "BUSINESS_INITIATED", "statuses": []}, "at least one"),
        ({"direction": "BUSINESS_INITIATED", "statuses": ["ACCEPTED"]}, "cannot become"),
        ({"direction": "BUSINESS_INITIATED", "status": "COMPLETED"}, "never connected"),
        (
            {
                "direction": "BUSINESS_INITIATED",
                "statuses": ["RINGING", "REJECTED"],
                "status": "FAILED",
            },
            "ended",
        ),
        ({"status": "HUNG_UP"}, "status"),
        ({"status": "COMPLETED", "duration": -1}, "duration"),
        ({"status": "COMPLETED", "duration": "42"}, "duration"),
        ({"biz_opaque_callback_data": "x"}, "business-initiated"),
        ({"colour": "red"}, "unknown keys"),
    ],
)
async def test_bad_call_requests(
    client: httpx.AsyncClient, sandbox: Sandbox, body: dict[str, Any], error: str
) -> None:
    answer = await control(client, f"/customers/{CUSTOMER}/calls", body, status=400)

    assert error in answer["error"]
    assert sandbox.calls.all() == []  # nothing half-done


async def test_calls_of_unknown_things(client: httpx.AsyncClient) -> None:
    await control(client, "/customers/@nobody/calls", status=404)
    await control(client, "/calls/wacid.nothing/terminate", status=404)
    await control(client, "/calls/wacid.nothing/status", {"status": "RINGING"}, status=404)
    user_call = await control(client, f"/customers/{CUSTOMER}/calls")
    path = f"/calls/{user_call['call_id']}"
    await control(client, f"{path}/status", {"status": "ACCEPTED"}, status=400)
    await control(client, f"{path}/terminate", {"status": "FAILED"})
    again = await control(client, f"{path}/terminate", status=400)
    assert "already ended" in again["error"]


async def test_call_permission_replies(
    client: httpx.AsyncClient, sandbox: Sandbox, hooks: Receiver
) -> None:
    accepted = await control(
        client, f"/customers/{CUSTOMER}/call-permission", {"response": "accept"}
    )
    forever = await control(
        client,
        f"/customers/{PABLO}/call-permission",
        {"response": "accept", "is_permanent": True, "context": {"id": "wamid.request"}},
    )
    rejected = await control(
        client, f"/customers/{CUSTOMER}/call-permission", {"response": "reject"}
    )

    for result in (accepted, forever, rejected):
        await posted(sandbox, hooks, result["payload"])
    messages = [change_of(r["payload"])[1]["messages"][0] for r in (accepted, forever, rejected)]
    for msg in messages:
        assert msg["type"] == "interactive"
        assert msg["interactive"]["type"] == "call_permission_reply"
    temporary = messages[0]["interactive"]["call_permission_reply"]
    assert temporary["response"] == "accept"
    assert temporary["is_permanent"] is False
    assert isinstance(temporary["expiration_timestamp"], int)
    assert temporary["response_source"] == "user_action"
    permanent = messages[1]["interactive"]["call_permission_reply"]
    assert "expiration_timestamp" not in permanent
    assert messages[1]["context"] == {"id": "wamid.request", "from": DISPLAY}
    assert messages[2]["interactive"]["call_permission_reply"]["response"] == "reject"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"response": "maybe"},
        {"response": "accept", "is_permanent": "yes"},
        {"response": "accept", "response_source": "robot"},
        {"response": "accept", "expiration_timestamp": "soon"},
        {"response": "accept", "context": "wamid.x"},
    ],
)
async def test_bad_call_permission_replies(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    answer = await control(client, f"/customers/{CUSTOMER}/call-permission", body, status=400)

    assert answer["error"]
