"""Calls (Cloud API Calling, §11.8): connect, terminate, call statuses and permission replies
posted signed as Meta posts them, become call records and events on the contact's timeline —
each once, whatever the order and however often they arrive."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import httpx

from models import (
    CallKind,
    MessageDirection,
    MessageType,
    WebhookDeadLetter,
    WhatsAppAnalyticsEvent,
    WhatsAppCall,
    WhatsAppContact,
    WhatsAppMessage,
)
from tests.conftest import PHONE_NUMBER_ID, GraphQL
from tests.webhooks.cases import load_case
from tests.webhooks.test_whatsapp_webhook import post_webhook

CALL_ID = "wacid.HBgLMTY1MDU1NTEyMzQVAgARGCBBQ0JDNEE0NDlCNjBBMTNDMkQzNDg1OEY5NkE0MjAyMQA="
OUT_CALL = "wacid.HBgLMTY1MDU1NTEyMzQVAgARGCA5QjVFNkQ3RjhBOUIwQzFEMkUzRjRBNUI2QzdEOEU5RgA="
BSUID = "US.13491208655302741918"
WA_ID = "16505551234"
REPLY = "wamid.CALL-PERMISSION-REPLY-1"

CONTACT_CALLS = """
query C($bsuid: String) {
  contact(bsuid: $bsuid) {
    waId profileName
    calls { totalCount edges { node {
      callId kind direction status startedAt connectedAt endedAt durationSeconds
      permissionExpiresAt permanentPermission history contact { bsuid }
    } } }
    timeline(first: 20) { totalCount edges { node {
      __typename
      ... on Event { name properties }
      ... on Message { wamid type }
    } } }
  }
}"""

CALLS = """
query L($contactId: ID, $first: Int, $after: String) {
  calls(contactId: $contactId, first: $first, after: $after) {
    totalCount edges { node { callId kind status } } pageInfo { hasNextPage endCursor }
  }
}"""


def at(stamp: int) -> datetime:
    return datetime.fromtimestamp(stamp, UTC)


async def post(client: httpx.AsyncClient, name: str, now: int, *, copy: bool = False) -> None:
    """Post a corpus case; `copy` posts it again as different bytes (a redelivery)."""
    response = await post_webhook(client, load_case(name, now), indent=1 if copy else None)
    assert response.status_code == 200, response.text


async def events(prefix: str = "call.") -> list[WhatsAppAnalyticsEvent]:
    rows = await WhatsAppAnalyticsEvent.filter(name__startswith=prefix).order_by("created_at")
    return list(rows)


async def call_state(meta_id: str) -> dict[str, Any]:
    call = await WhatsAppCall.get(meta_id=meta_id)
    return {
        "kind": call.kind,
        "direction": call.direction,
        "status": call.status,
        "started_at": call.started_at,
        "connected_at": call.connected_at,
        "ended_at": call.ended_at,
        "duration_seconds": call.duration_seconds,
        "events": sorted(entry["event"] for entry in call.history),
    }


async def test_a_user_initiated_call_is_one_record_with_its_events_on_the_timeline(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # when: the customer calls, the call connects and ends
    now = int(time.time())
    await post(client, "call_connect", now)
    await post(client, "call_terminate", now)

    # then: one record, with what an operator reads
    call = await WhatsAppCall.get(meta_id=CALL_ID)
    contact = await WhatsAppContact.get(bsuid=BSUID)
    assert (call.kind, call.direction, call.status) == (
        CallKind.CALL,
        MessageDirection.INBOUND,
        "COMPLETED",
    )
    assert (call.contact_id, call.customer_wa_id, call.customer_bsuid) == (contact.id, WA_ID, BSUID)
    assert (contact.wa_id, contact.profile_name) == (WA_ID, "Sheena Nelson")
    assert call.phone_number_id == PHONE_NUMBER_ID
    assert (call.started_at, call.connected_at) == (at(now - 300), at(now - 300))
    assert (call.ended_at, call.duration_seconds) == (at(now - 248), 42)
    # the history keeps what Meta said, without the SDP body
    assert [entry["event"] for entry in call.history] == ["connect", "terminate"]
    assert call.history[0]["said"]["session"] == {"sdp_type": "offer"}
    assert call.history[1]["said"]["biz_opaque_callback_data"] == "ticket-42"

    # and: one event per Meta event, on the contact
    connected, ended = await events()
    assert (connected.name, ended.name) == ("call.connected", "call.ended")
    assert connected.contact_id == ended.contact_id == contact.id
    assert connected.properties["callId"] == CALL_ID
    assert connected.properties["direction"] == "INBOUND"
    assert ended.properties["status"] == "COMPLETED"
    assert ended.properties["durationSeconds"] == 42

    # and: GraphQL shows the call and the contact's timeline
    result = await gql(CONTACT_CALLS, {"bsuid": BSUID})
    assert "errors" not in result, result
    found = result["data"]["contact"]
    [node] = [edge["node"] for edge in found["calls"]["edges"]]
    assert node["callId"] == CALL_ID
    assert (node["kind"], node["direction"], node["status"]) == ("CALL", "INBOUND", "COMPLETED")
    assert node["durationSeconds"] == 42
    assert node["contact"] == {"bsuid": BSUID}
    assert all("sdp" not in entry["said"].get("session", {}) for entry in node["history"])
    names = [edge["node"].get("name") for edge in found["timeline"]["edges"]]
    assert names == ["call.connected", "call.ended"]


async def test_a_redelivered_call_event_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    # given
    now = int(time.time())
    await post(client, "call_connect", now)
    await post(client, "call_terminate", now)
    before = await call_state(CALL_ID)

    # when: Meta delivers both again (other bytes, same content)
    await post(client, "call_terminate", now, copy=True)
    await post(client, "call_connect", now, copy=True)

    # then
    assert await call_state(CALL_ID) == before
    assert [event.name for event in await events()] == ["call.connected", "call.ended"]
    assert await WhatsAppCall.all().count() == 1


async def test_a_terminate_before_its_connect_gives_the_same_record(
    client: httpx.AsyncClient,
) -> None:
    # given: the usual order, for reference
    now = int(time.time())
    await post(client, "call_connect", now)
    await post(client, "call_terminate", now)
    in_order = await call_state(CALL_ID)
    await WhatsAppCall.all().delete()
    await WhatsAppAnalyticsEvent.all().delete()

    # when: the terminate comes first (as new deliveries: other bytes)
    await post(client, "call_terminate", now, copy=True)
    early = await WhatsAppCall.get(meta_id=CALL_ID)
    await post(client, "call_connect", now, copy=True)

    # then: the end was recorded at once, and the late connect does not undo it
    assert (early.status, early.connected_at, early.duration_seconds) == (
        "COMPLETED",
        at(now - 290),  # the terminate's start time, until the connect says more
        42,
    )
    assert await call_state(CALL_ID) == in_order
    assert sorted(event.name for event in await events()) == ["call.connected", "call.ended"]


async def test_a_business_initiated_call_reports_its_statuses(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # when: we call the customer; it rings, they accept, the call ends
    now = int(time.time())
    for name in ("call_status_ringing", "call_status_accepted", "call_business_terminate"):
        await post(client, name, now)
    await post(client, "call_status_accepted", now, copy=True)

    # then
    call = await WhatsAppCall.get(meta_id=OUT_CALL)
    contact = await WhatsAppContact.get(bsuid=BSUID)
    assert (call.direction, call.status, call.contact_id) == (
        MessageDirection.OUTBOUND,
        "COMPLETED",
        contact.id,
    )
    assert (call.started_at, call.connected_at) == (at(now - 200), at(now - 190))
    assert (call.ended_at, call.duration_seconds) == (at(now - 101), 89)
    found = [(event.name, event.properties.get("status")) for event in await events()]
    assert found == [
        ("call.status", "RINGING"),
        ("call.status", "ACCEPTED"),
        ("call.ended", "COMPLETED"),
    ]
    result = await gql(CALLS, {"contactId": str(contact.id)})
    assert result["data"]["calls"]["edges"] == [
        {"node": {"callId": OUT_CALL, "kind": "CALL", "status": "COMPLETED"}}
    ]


async def test_a_rejected_call_stays_rejected_when_its_ringing_comes_late(
    client: httpx.AsyncClient,
) -> None:
    # when: Meta's REJECTED overtakes the RINGING before it
    now = int(time.time())
    await post(client, "call_status_rejected", now)
    await post(client, "call_status_ringing", now)

    # then
    call = await WhatsAppCall.get(meta_id=OUT_CALL)
    assert (call.status, call.started_at, call.ended_at) == (
        "REJECTED",
        at(now - 200),
        at(now - 185),
    )
    assert sorted(event.properties["status"] for event in await events()) == [
        "REJECTED",
        "RINGING",
    ]


async def test_a_permission_reply_is_a_message_and_a_record(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # when: the customer allows us to call them, and Meta says it twice
    now = int(time.time())
    await post(client, "call_permission_reply", now)
    await post(client, "call_permission_reply", now, copy=True)

    # then: the message is stored as any reply…
    message = await WhatsAppMessage.get(wamid=REPLY)
    assert (message.direction, message.type) == (
        MessageDirection.INBOUND,
        MessageType.INTERACTIVE_REPLY,
    )
    # …and the permission is a record, with its event pointing at the message
    record = await WhatsAppCall.get(meta_id=REPLY)
    assert (record.kind, record.direction, record.status) == (
        CallKind.PERMISSION_REPLY,
        MessageDirection.INBOUND,
        "ACCEPTED",
    )
    assert record.permission_expires_at == at(1893456000)
    assert record.permanent_permission is False
    assert record.contact_id == message.contact_id
    [event] = await events()
    assert event.name == "call.permission_replied"
    assert (event.message_id, event.session_id, event.contact_id) == (
        message.id,
        message.session_id,
        message.contact_id,
    )
    assert event.properties["response"] == "accept"
    assert event.properties["expiresAt"] == at(1893456000).isoformat()
    assert event.properties["permanent"] is False
    assert await WhatsAppMessage.filter(wamid=REPLY).count() == 1

    result = await gql(CONTACT_CALLS, {"bsuid": BSUID})
    [node] = [edge["node"] for edge in result["data"]["contact"]["calls"]["edges"]]
    assert (node["kind"], node["status"], node["permanentPermission"]) == (
        "PERMISSION_REPLY",
        "ACCEPTED",
        False,
    )
    assert node["permissionExpiresAt"].startswith("2030-01-01T00:00:00")
    timeline = [edge["node"] for edge in result["data"]["contact"]["timeline"]["edges"]]
    assert {"__typename": "Message", "wamid": REPLY, "type": "INTERACTIVE_REPLY"} in timeline
    assert "call.permission_replied" in [node.get("name") for node in timeline]


async def test_a_calls_array_inside_a_messages_change_is_a_call(
    client: httpx.AsyncClient,
) -> None:
    await post(client, "call_connect_in_messages", int(time.time()))

    call = await WhatsAppCall.get(meta_id="wacid.IN-MESSAGES-1")
    assert (call.status, call.direction) == ("CONNECTED", MessageDirection.INBOUND)
    assert [event.name for event in await events()] == ["call.connected"]


async def test_a_malformed_call_is_set_aside_and_the_others_applied(
    client: httpx.AsyncClient,
) -> None:
    # given: a delivery whose first call has a duration Meta never sends
    now = int(time.time())
    payload = load_case("call_terminate", now)
    calls = payload["entry"][0]["changes"][0]["value"]["calls"]
    good = load_case("call_connect", now)["entry"][0]["changes"][0]["value"]["calls"][0]
    calls[0]["duration"] = "forty-two"
    calls.append(good)

    # when
    await post_webhook(client, payload)

    # then: the connect is applied; the terminate waits as a dead letter with its reason
    call = await WhatsAppCall.get(meta_id=CALL_ID)
    assert call.status == "CONNECTED"
    [letter] = await WebhookDeadLetter.all()
    assert (letter.field, letter.kind) == ("calls", "call")
    assert "forty-two" in letter.reason
    assert [event.name for event in await events()] == ["call.connected"]


async def test_calls_page_newest_first(client: httpx.AsyncClient, gql: GraphQL) -> None:
    # given: three calls heard of one after the other
    now = int(time.time())
    for name in ("call_connect", "call_status_ringing", "call_permission_reply"):
        await post(client, name, now)

    # when
    first = await gql(CALLS, {"first": 2})
    rest = await gql(CALLS, {"first": 2, "after": first["data"]["calls"]["pageInfo"]["endCursor"]})

    # then
    seen = [edge["node"]["callId"] for edge in first["data"]["calls"]["edges"]]
    seen += [edge["node"]["callId"] for edge in rest["data"]["calls"]["edges"]]
    assert seen == [REPLY, OUT_CALL, CALL_ID]
    assert first["data"]["calls"]["totalCount"] == 3
    assert rest["data"]["calls"]["pageInfo"]["hasNextPage"] is False


async def test_calls_of_a_malformed_contact_id_is_invalid_input(gql: GraphQL) -> None:
    result = await gql(CALLS, {"contactId": "nope"})

    assert result["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": ["contactId"]}
