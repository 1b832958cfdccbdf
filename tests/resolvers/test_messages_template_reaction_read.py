"""sendTemplate, sendReaction and markAsRead end to end."""

from __future__ import annotations

import httpx
import pytest

from models import (
    MessageDirection,
    MessageStatus,
    MessageType,
    WhatsAppAnalyticsEvent,
    WhatsAppMessage,
    WhatsAppTemplate,
)
from sandbox import Sandbox
from tests.conftest import PHONE_NUMBER_ID, WABA_ID, GraphQL
from tests.resolvers.test_messages_query import count_queries
from tests.resolvers.test_messages_send import SEND, graph_requests

pytestmark = pytest.mark.usefixtures("customer")

TEMPLATE = """
mutation T($input: SendTemplateInput!) {
  sendTemplate(input: $input) {
    message {
      id status wamid type templateName templateLanguage payload errorCode errorTitle text
    }
    errors { code message field cloudApiCode }
  }
}"""

REACT = """
mutation R($input: SendReactionInput!) {
  sendReaction(input: $input) {
    message { id status type payload replyTo { id } }
    errors { code message field }
  }
}"""

READ = """
mutation M($id: ID!) { markAsRead(messageId: $id) { message { id readAt } errors { code field } } }
"""

ORDER_UPDATE = {
    "to": "15551234567",
    "name": "order_update",
    "language": "en_US",
    "header": {"text": "#42"},
    "body": [
        {"text": "Ana"},
        {"text": "#42"},
        {"dateTime": {"fallbackValue": "March 3"}},
    ],
    "buttons": [
        {"index": 0, "subType": "URL", "parameter": "42"},
        {"index": 1, "subType": "QUICK_REPLY", "parameter": "SUPPORT"},
    ],
    "metadata": {"orderId": 42},
}


async def test_template_with_header_body_and_buttons(gql: GraphQL, sandbox: Sandbox) -> None:
    result = await gql(TEMPLATE, {"input": ORDER_UPDATE})

    payload = result["data"]["sendTemplate"]
    assert payload["errors"] == []
    message = payload["message"]
    # what the customer reads: the synced body filled in (a date by its fallback value)
    assert message["text"] == "Hi Ana, your order #42 has shipped and will arrive on March 3."
    assert graph_requests(sandbox) == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "15551234567",
            "type": "template",
            "biz_opaque_callback_data": message["id"],
            "template": {
                "name": "order_update",
                "language": {"code": "en_US", "policy": "deterministic"},
                "components": [
                    {"type": "header", "parameters": [{"type": "text", "text": "#42"}]},
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": "Ana"},
                            {"type": "text", "text": "#42"},
                            {"type": "date_time", "date_time": {"fallback_value": "March 3"}},
                        ],
                    },
                    {
                        "type": "button",
                        "sub_type": "url",
                        "index": "0",
                        "parameters": [{"type": "text", "text": "42"}],
                    },
                    {
                        "type": "button",
                        "sub_type": "quick_reply",
                        "index": "1",
                        "parameters": [{"type": "payload", "payload": "SUPPORT"}],
                    },
                ],
            },
        }
    ]
    assert message["status"] == "SENT"
    assert message["type"] == "TEMPLATE"
    assert message["templateName"] == "order_update"
    event = await WhatsAppAnalyticsEvent.get(message_id=message["id"])
    assert event.name == "template.sent"
    assert event.properties["template"] == "order_update"


async def test_unknown_template_is_refused_before_meta_is_asked_to_send(
    gql: GraphQL, sandbox: Sandbox
) -> None:
    # when: a template neither synced here nor known to Meta
    result = await gql(
        TEMPLATE, {"input": {"to": "15551234567", "name": "no_such_template", "language": "en_US"}}
    )

    # then: Meta was asked about the name, nothing was sent or stored
    payload = result["data"]["sendTemplate"]
    assert payload["message"] is None
    assert payload["errors"] == [
        {
            "code": "TEMPLATE_NOT_FOUND",
            "message": "Template no_such_template (en_US) does not exist in this business account",
            "field": ["input", "name"],
            "cloudApiCode": None,
        }
    ]
    lookups = [r for r in sandbox.requests if r.path.endswith("/message_templates")]
    assert [r.query.get("name") for r in lookups] == ["no_such_template"]
    assert graph_requests(sandbox) == []
    assert await WhatsAppMessage.filter(direction="OUTBOUND").count() == 0
    assert not await WhatsAppAnalyticsEvent.filter(name="template.failed").exists()


async def test_parameter_mismatch_caught_before_meta_when_template_is_known(
    gql: GraphQL, sandbox: Sandbox
) -> None:
    # given: the local copy of the template (as a sync would store it)
    await WhatsAppTemplate.create(
        waba_id=WABA_ID,
        name="appointment_reminder",
        language="en_US",
        status="APPROVED",
        category="UTILITY",
        components=[{"type": "BODY", "text": "Hi {{1}}, see you on {{2}} at {{3}}."}],
    )

    # when: two body parameters for three placeholders
    result = await gql(
        TEMPLATE,
        {
            "input": {
                "to": "15551234567",
                "name": "appointment_reminder",
                "language": "en_US",
                "body": [{"text": "Ana"}, {"text": "March 3"}],
            }
        },
    )

    # then
    errors = result["data"]["sendTemplate"]["errors"]
    assert errors[0]["code"] == "TEMPLATE_PARAMETER_MISMATCH"
    assert errors[0]["field"][:2] == ["input", "body"]
    assert graph_requests(sandbox) == []
    assert await WhatsAppMessage.filter(direction="OUTBOUND").count() == 0


async def test_paused_template_is_not_approved(gql: GraphQL, sandbox: Sandbox) -> None:
    await WhatsAppTemplate.create(
        waba_id=WABA_ID,
        name="winter_clearance",
        language="en_US",
        status="PAUSED",
        components=[{"type": "BODY", "text": "{{1}} off"}],
    )

    result = await gql(
        TEMPLATE,
        {
            "input": {
                "to": "15551234567",
                "name": "winter_clearance",
                "language": "en_US",
                "body": [{"text": "50%"}],
            }
        },
    )

    assert result["data"]["sendTemplate"]["errors"][0]["code"] == "TEMPLATE_NOT_APPROVED"
    assert graph_requests(sandbox) == []


async def test_reaction_and_its_removal(gql: GraphQL, sandbox: Sandbox) -> None:
    sent = await gql(SEND, {"input": {"to": "15551234567", "content": {"text": {"body": "hi"}}}})
    target = sent["data"]["sendMessage"]["message"]

    added = await gql(REACT, {"input": {"messageId": target["id"], "emoji": "👍"}})
    removed = await gql(REACT, {"input": {"messageId": target["wamid"], "emoji": ""}})

    assert added["data"]["sendReaction"]["errors"] == []
    assert removed["data"]["sendReaction"]["errors"] == []
    reactions = graph_requests(sandbox)[1:]
    assert [r["reaction"] for r in reactions] == [
        {"message_id": target["wamid"], "emoji": "👍"},
        {"message_id": target["wamid"], "emoji": ""},
    ]
    assert all(r["type"] == "reaction" and r["to"] == "15551234567" for r in reactions)
    assert added["data"]["sendReaction"]["message"]["replyTo"] == {"id": target["id"]}
    events = await WhatsAppAnalyticsEvent.filter(name="reaction.sent").count()
    assert events == 2


async def test_only_a_send_meta_cannot_tie_by_callback_data_looks_for_waiting_statuses(
    gql: GraphQL, sandbox: Sandbox
) -> None:
    # A message carries its id as callback data, which Meta echoes in every status: a status
    # finds the row by it, so none can be waiting. A reaction carries none: its statuses
    # can only wait for the wamid, so its send looks for them.
    with count_queries() as message_statements:
        sent = await gql(
            SEND, {"input": {"to": "15551234567", "content": {"text": {"body": "hi"}}}}
        )
    target = sent["data"]["sendMessage"]["message"]
    with count_queries() as reaction_statements:
        await gql(REACT, {"input": {"messageId": target["id"], "emoji": "👍"}})

    assert target["payload"]["biz_opaque_callback_data"] == target["id"]
    assert not [q for q in message_statements if "whatsapp_message_status" in q]
    assert [q for q in reaction_statements if 'FROM "whatsapp_message_status"' in q]


async def test_reaction_must_be_one_emoji(gql: GraphQL, sandbox: Sandbox) -> None:
    sent = await gql(SEND, {"input": {"to": "15551234567", "content": {"text": {"body": "hi"}}}})
    target = sent["data"]["sendMessage"]["message"]

    result = await gql(REACT, {"input": {"messageId": target["id"], "emoji": "ok"}})

    assert result["data"]["sendReaction"]["errors"][0]["code"] == "INVALID_INPUT"
    assert len(graph_requests(sandbox)) == 1


async def _inbound_message(sandbox_url: str) -> WhatsAppMessage:
    """A customer writes to us (through the sandbox, so Meta knows the wamid)."""
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{sandbox_url}/_sandbox/customers/15551234567/messages",
            json={"type": "text", "text": {"body": "Hello?"}, "profile_name": "Ana"},
        )
    response.raise_for_status()
    return await WhatsAppMessage.create(
        direction=MessageDirection.INBOUND,
        type=MessageType.TEXT,
        status=MessageStatus.RECEIVED,
        phone_number_id=PHONE_NUMBER_ID,
        customer_wa_id="15551234567",
        wamid=response.json()["wamid"],
        text="Hello?",
    )


async def test_mark_as_read(gql: GraphQL, sandbox: Sandbox, sandbox_url: str) -> None:
    inbound = await _inbound_message(sandbox_url)

    result = await gql(READ, {"id": str(inbound.id)})

    assert result["data"]["markAsRead"]["errors"] == []
    assert result["data"]["markAsRead"]["message"]["readAt"] is not None
    assert graph_requests(sandbox) == [
        {"messaging_product": "whatsapp", "status": "read", "message_id": inbound.wamid}
    ]


async def test_mark_as_read_refuses_our_own_messages(gql: GraphQL, sandbox: Sandbox) -> None:
    sent = await gql(SEND, {"input": {"to": "15551234567", "content": {"text": {"body": "hi"}}}})

    result = await gql(READ, {"id": sent["data"]["sendMessage"]["message"]["id"]})

    assert result["data"]["markAsRead"]["errors"] == [
        {"code": "INVALID_INPUT", "field": ["messageId"]}
    ]
    assert len(graph_requests(sandbox)) == 1
