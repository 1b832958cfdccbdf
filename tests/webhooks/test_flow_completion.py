"""A Flow's completion message (`nfm_reply`): it completes the session its flow token names —
once, whoever completed it first — and a reply that names no session of the customer's closes
nothing: it is kept as the customer's message, and `flow.reply_unmatched` says why.

Flow sessions are created as `sendMessage` creates them (a contact, a flow, a flow token), with
their journey state written as the Flow endpoint writes it; the completion is Meta's webhook,
built by the sandbox and posted signed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest
from tortoise.transactions import in_transaction

from models import (
    MessageDirection,
    MessageStatus,
    MessageType,
    SessionStatus,
    WhatsAppAnalyticsEvent,
    WhatsAppContact,
    WhatsAppMessage,
    WhatsAppSession,
)
from tests.conftest import PHONE_NUMBER_ID
from tests.webhooks.test_whatsapp_webhook import CUSTOMER, post_webhook
from whatsapp.conversations.contacts import get_or_create_contact
from whatsapp.events.log import emit_event
from whatsapp.inbound.flow_replies import match_flow_reply, read_flow_reply, settle_flow_reply
from whatsapp.kit.clock import utcnow

OTHER_CUSTOMER = "16505559876"
TOKEN = "wg-booking-7Qx"
JOURNEY = {
    "screen": "CONFIRM",
    "answers": {"DESTINATION": {"destination": "Lisbon"}, "DATES": {"from": "2027-05-01"}},
    "history": [
        {"action": "INIT", "screen": None, "next": "DESTINATION", "at": "2027-01-01T10:00:00"},
    ],
    "startedAt": "2027-01-01T10:00:00+00:00",
}
ANSWERS = {"destination": "Lisbon", "travellers": 2}


# -- helpers -----------------------------------------------------------------------------------


async def flow_session(
    wa_id: str = CUSTOMER,
    *,
    token: str = TOKEN,
    status: SessionStatus = SessionStatus.ACTIVE,
    context: dict[str, Any] | None = None,
) -> WhatsAppSession:
    """A Flow's session as a send creates it, with the journey the endpoint recorded so far."""
    contact = await get_or_create_contact(wa_id)
    return await WhatsAppSession.create(
        contact=contact,
        phone_number_id=PHONE_NUMBER_ID,
        flow="booking",
        flow_token=token,
        status=status,
        context={"flowState": dict(JOURNEY)} if context is None else context,
        completed_at=utcnow() - timedelta(minutes=1) if status == SessionStatus.COMPLETED else None,
    )


async def customer_writes(
    client: httpx.AsyncClient, sandbox_url: str, body: dict[str, Any], wa_id: str = CUSTOMER
) -> dict[str, Any]:
    """The sandbox builds Meta's webhook for the customer's message; it is posted signed."""
    async with httpx.AsyncClient() as http:
        said = await http.post(
            f"{sandbox_url}/_sandbox/customers/{wa_id}/messages",
            json={"profile_name": "Sheena", **body},
        )
    said.raise_for_status()
    payload: dict[str, Any] = said.json()["payload"]
    assert (await post_webhook(client, payload)).status_code == 200
    return payload


async def completes(
    client: httpx.AsyncClient, sandbox_url: str, response_json: Any, wa_id: str = CUSTOMER
) -> dict[str, Any]:
    """The customer submits the Flow's last screen: WhatsApp sends its `nfm_reply`."""
    nfm = {"type": "nfm_reply", "nfm_reply": {"response_json": response_json}}
    return await customer_writes(
        client, sandbox_url, {"type": "interactive", "interactive": nfm}, wa_id
    )


async def names(**where: Any) -> list[str]:
    return sorted(event.name for event in await WhatsAppAnalyticsEvent.filter(**where))


async def the_message(payload: dict[str, Any]) -> WhatsAppMessage:
    wamid = payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    return await WhatsAppMessage.get(wamid=wamid)


async def unmatched() -> dict[str, Any]:
    event = await WhatsAppAnalyticsEvent.get(name="flow.reply_unmatched")
    return {"session_id": event.session_id, "contact_id": event.contact_id, **event.properties}


# -- matched --------------------------------------------------------------------------------


async def test_a_completion_completes_the_session_its_token_names(
    client: httpx.AsyncClient, sandbox_url: str
) -> None:
    # given: the customer is chatting (an ordinary conversation) and walking the booking Flow
    await customer_writes(client, sandbox_url, {"type": "text", "text": {"body": "hi"}})
    conversation = await WhatsAppSession.get(flow_token__isnull=True)
    session = await flow_session()

    # when
    payload = await completes(client, sandbox_url, {"flow_token": TOKEN, **ANSWERS})

    # then: that session completes with the answers; the conversation goes on
    done = await WhatsAppSession.get(id=session.id)
    assert done.status == SessionStatus.COMPLETED
    assert done.completed_at is not None
    assert done.context["flowState"]["result"] == ANSWERS
    assert done.context["flowState"]["answers"] == JOURNEY["answers"]  # the journey is kept
    assert done.context["flowResponse"] == {"flow_token": TOKEN, **ANSWERS}
    assert (await WhatsAppSession.get(id=conversation.id)).status == SessionStatus.ACTIVE
    message = await the_message(payload)
    assert message.session_id == session.id
    assert await names(session_id=session.id) == ["flow.completed", "message.received"]
    event = await WhatsAppAnalyticsEvent.get(name="flow.completed")
    assert event.properties == {
        "flow": "booking",
        "flowToken": TOKEN,
        "response": {"flow_token": TOKEN, **ANSWERS},
        "via": "webhook",
    }
    assert (event.message_id, event.contact_id) == (message.id, done.contact_id)


async def test_a_redelivered_completion_changes_nothing(
    client: httpx.AsyncClient, sandbox_url: str
) -> None:
    # given
    session = await flow_session()
    payload = await completes(client, sandbox_url, {"flow_token": TOKEN, **ANSWERS})
    first = await WhatsAppSession.get(id=session.id)

    # when: Meta delivers the same webhook again
    assert (await post_webhook(client, payload)).status_code == 200

    # then
    again = await WhatsAppSession.get(id=session.id)
    assert (again.status, again.completed_at, again.context) == (
        first.status,
        first.completed_at,
        first.context,
    )
    assert await WhatsAppMessage.filter(session_id=session.id).count() == 1
    assert await names(session_id=session.id) == ["flow.completed", "message.received"]


async def test_a_session_the_endpoint_completed_is_not_completed_again(
    client: httpx.AsyncClient, sandbox_url: str
) -> None:
    # given: the handler's final screen completed the Flow through the endpoint
    endpoint_result = {"booking": "BK-1", "destination": "Lisbon"}
    session = await flow_session(
        status=SessionStatus.COMPLETED,
        context={"flowState": {**JOURNEY, "screen": "SUCCESS", "result": endpoint_result}},
    )
    await emit_event(
        "flow.completed",
        source="flow",
        properties={"flow": "booking", "flowToken": TOKEN, "via": "endpoint"},
        session_id=session.id,
        contact_id=session.contact_id,
    )

    # when: WhatsApp's completion message follows
    payload = await completes(client, sandbox_url, {"flow_token": TOKEN, **endpoint_result})

    # then: the message joins the session, which keeps its completion; one flow.completed
    after = await WhatsAppSession.get(id=session.id)
    assert after.status == SessionStatus.COMPLETED
    assert after.completed_at == session.completed_at
    assert after.context["flowState"]["result"] == endpoint_result
    assert after.context["flowResponse"] == {"flow_token": TOKEN, **endpoint_result}
    assert (await the_message(payload)).session_id == session.id
    assert await names(session_id=session.id) == ["flow.completed", "message.received"]


async def test_a_completion_racing_the_endpoint_completes_once() -> None:
    # given: the reply matched the session while it was ACTIVE
    session = await flow_session()
    contact = await WhatsAppContact.get(id=session.contact_id)
    nfm = {
        "type": "nfm_reply",
        "nfm_reply": {"response_json": orjson.dumps({"flow_token": TOKEN}).decode()},
    }
    reply = read_flow_reply({"type": "interactive", "interactive": nfm})
    assert reply is not None
    async with in_transaction() as conn:
        match = await match_flow_reply(reply, contact, conn)
    assert match.completes

    # when: the endpoint's final screen completed it first (on PostgreSQL the row lock makes
    # the two wait for each other; the completing UPDATE checks the status all the same)
    await WhatsAppSession.filter(id=session.id).update(status=SessionStatus.COMPLETED)
    async with in_transaction() as conn:
        links = {"message_id": None, "session_id": session.id, "contact_id": contact.id}
        await settle_flow_reply(match, match.session, links, conn)

    # then
    assert not await WhatsAppAnalyticsEvent.filter(name="flow.completed").exists()
    assert (await WhatsAppSession.get(id=session.id)).completed_at is None


async def test_a_second_completion_of_a_completed_session_closes_nothing(
    client: httpx.AsyncClient, sandbox_url: str
) -> None:
    # given: the Flow completed by its completion message
    session = await flow_session()
    await completes(client, sandbox_url, {"flow_token": TOKEN, **ANSWERS})
    completed = await WhatsAppSession.get(id=session.id)

    # when: another completion message names it (the Flow was sent again with its token)
    changed = {"flow_token": TOKEN, "destination": "Porto"}
    payload = await completes(client, sandbox_url, changed)

    # then: kept in that session, which stays as it was; an event says why
    after = await WhatsAppSession.get(id=session.id)
    assert (after.status, after.completed_at) == (completed.status, completed.completed_at)
    assert after.context["flowState"] == completed.context["flowState"]
    assert (await the_message(payload)).session_id == session.id
    assert await WhatsAppAnalyticsEvent.filter(name="flow.completed").count() == 1
    assert await unmatched() == {
        "session_id": session.id,
        "contact_id": session.contact_id,
        "flowToken": TOKEN,
        "reason": "already completed",
        "response": changed,
    }


async def test_a_completion_of_a_cancelled_session_leaves_it_cancelled(
    client: httpx.AsyncClient, sandbox_url: str
) -> None:
    session = await flow_session(status=SessionStatus.CANCELLED)

    payload = await completes(client, sandbox_url, {"flow_token": TOKEN, **ANSWERS})

    after = await WhatsAppSession.get(id=session.id)
    assert (after.status, after.completed_at) == (SessionStatus.CANCELLED, None)
    assert "flowResponse" not in after.context
    assert (await the_message(payload)).session_id == session.id
    assert (await unmatched())["reason"] == "session cancelled"
    assert not await WhatsAppAnalyticsEvent.filter(name="flow.completed").exists()


# -- matching nothing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response_json", "token", "reason"),
    [
        ({"flow_token": "wg-never-issued", "slot": "am"}, "wg-never-issued", "unknown token"),
        ({"slot": "am"}, None, "no token"),
        ({"flow_token": "", "slot": "am"}, None, "no token"),
        ('{"flow_token": "wg-cut', None, "unreadable response_json"),
        ("[1, 2]", None, "unreadable response_json"),
    ],
    ids=["unknown-token", "no-token", "empty-token", "truncated-json", "not-an-object"],
)
async def test_a_reply_that_names_no_flow_session_closes_nothing(
    client: httpx.AsyncClient,
    sandbox_url: str,
    response_json: Any,
    token: str | None,
    reason: str,
) -> None:
    # given: the customer is in an ordinary conversation, and walking a Flow
    await customer_writes(client, sandbox_url, {"type": "text", "text": {"body": "hi"}})
    conversation = await WhatsAppSession.get(flow_token__isnull=True)
    flow = await flow_session()

    # when
    payload = await completes(client, sandbox_url, response_json)

    # then: kept as a message of the conversation, which goes on; the Flow goes on too
    assert (await WhatsAppSession.get(id=conversation.id)).status == SessionStatus.ACTIVE
    after = await WhatsAppSession.get(id=flow.id)
    assert (after.status, after.context) == (SessionStatus.ACTIVE, flow.context)
    message = await the_message(payload)
    assert message.session_id == conversation.id
    assert message.text == "interactive: Sent"
    assert await WhatsAppSession.all().count() == 2  # no session started for it
    assert not await WhatsAppAnalyticsEvent.filter(name="flow.completed").exists()
    assert await unmatched() == {
        "session_id": conversation.id,
        "contact_id": message.contact_id,
        "flowToken": token,
        "reason": reason,
        "response": response_json,
    }


async def test_a_token_of_another_customer_closes_nothing(
    client: httpx.AsyncClient, sandbox_url: str
) -> None:
    # given: another customer's Flow
    theirs = await flow_session(OTHER_CUSTOMER)

    # when: this customer's completion names their token
    payload = await completes(client, sandbox_url, {"flow_token": TOKEN, **ANSWERS})

    # then: their session is untouched; the message is this customer's, in a conversation of
    # theirs (started by it), and an event says why it matched nothing
    after = await WhatsAppSession.get(id=theirs.id)
    assert (after.status, after.context) == (SessionStatus.ACTIVE, theirs.context)
    message = await the_message(payload)
    assert message.contact_id != theirs.contact_id
    assert message.session_id not in (None, theirs.id)
    own = await WhatsAppSession.get(id=message.session_id)
    assert (own.contact_id, own.status, own.flow) == (
        message.contact_id,
        SessionStatus.ACTIVE,
        None,
    )
    assert await names(session_id=theirs.id) == []
    assert await names(session_id=own.id) == [
        "flow.reply_unmatched",
        "message.received",
        "session.started",
    ]
    assert (await unmatched())["reason"] == "token of another contact"

    # and a redelivery adds nothing
    assert (await post_webhook(client, payload)).status_code == 200
    assert await WhatsAppAnalyticsEvent.filter(name="flow.reply_unmatched").count() == 1
    assert await WhatsAppMessage.filter(wamid=message.wamid).count() == 1


async def test_an_unmatched_reply_to_a_flow_message_stays_out_of_that_flow(
    client: httpx.AsyncClient, sandbox_url: str
) -> None:
    # given: a Flow sent in its session (the customer has no other conversation)
    flow = await flow_session()
    sent = await WhatsAppMessage.create(
        direction=MessageDirection.OUTBOUND,
        type=MessageType.FLOW,
        status=MessageStatus.DELIVERED,
        phone_number_id=PHONE_NUMBER_ID,
        customer_wa_id=CUSTOMER,
        contact_id=flow.contact_id,
        session=flow,
        wamid="wamid.FLOWMSG",
    )

    # when: a completion answering that message names another token
    nfm = {"type": "nfm_reply", "nfm_reply": {"response_json": {"flow_token": "wg-other"}}}
    payload = await customer_writes(
        client,
        sandbox_url,
        {"type": "interactive", "interactive": nfm, "context": {"id": sent.wamid}},
    )

    # then: a conversation of its own, not the Flow's session
    message = await the_message(payload)
    assert message.reply_to_id == sent.id
    assert message.session_id != flow.id
    assert (await WhatsAppSession.get(id=flow.id)).status == SessionStatus.ACTIVE
    assert await names(session_id=flow.id) == []
    assert (await unmatched())["reason"] == "unknown token"
