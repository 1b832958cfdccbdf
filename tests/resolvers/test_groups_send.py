"""Sending to a group through the same mutations (`to` with `recipientType: GROUP`), against
the sandbox's Groups API: the exact Graph API JSON Meta received, the row stored, and what is
refused before Meta is asked (interactive messages, an unknown group, a closed group window)."""

from __future__ import annotations

from typing import Any

import httpx

from models import WhatsAppAnalyticsEvent, WhatsAppGroup, WhatsAppMessage
from sandbox import Sandbox
from tests.conftest import GraphQL
from tests.resolvers.test_messages_send import SEND, graph_requests
from tests.resolvers.test_messages_template_reaction_read import ORDER_UPDATE, TEMPLATE
from tests.webhooks.test_whatsapp_webhook import post_webhook

PARTICIPANT = "16505551234"
GROUP_MESSAGES = """
query G($id: ID!) {
  group(id: $id) { messages(first: 10) { edges { node { direction text to group { metaId } } } } }
}"""


async def control(sandbox_url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{sandbox_url}/_sandbox{path}", json=body)
    assert response.status_code in (200, 201), response.text
    answer: dict[str, Any] = response.json()
    return answer


async def a_group_that_wrote(client: httpx.AsyncClient, sandbox_url: str) -> str:
    """A group made at the sandbox (Meta), its webhooks delivered to us, and a participant's
    message in it (the group's window opens); Meta's id of the group."""
    created = await control(
        sandbox_url, "/groups", {"subject": "Friday meetup", "participants": [PARTICIPANT]}
    )
    for payload in created["webhooks"]:
        assert (await post_webhook(client, payload)).status_code == 200
    group_id: str = created["group"]["id"]
    wrote = await control(
        sandbox_url,
        f"/groups/{group_id}/messages",
        {"from": PARTICIPANT, "type": "text", "text": {"body": "Is it still on?"}},
    )
    await post_webhook(client, wrote["payload"])
    return group_id


async def test_a_text_goes_to_the_group_as_meta_expects_it(
    client: httpx.AsyncClient, gql: GraphQL, sandbox: Sandbox, sandbox_url: str
) -> None:
    # given
    group_id = await a_group_that_wrote(client, sandbox_url)
    sandbox.requests.clear()

    # when
    result = await gql(
        SEND,
        {
            "input": {
                "to": group_id,
                "recipientType": "GROUP",
                "content": {"text": {"body": "Yes, 7pm!"}},
            }
        },
    )

    # then: Meta got a group send, and the message is the group's
    payload = result["data"]["sendMessage"]
    assert payload["errors"] == []
    message = payload["message"]
    assert graph_requests(sandbox) == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "group",
            "to": group_id,
            "type": "text",
            "biz_opaque_callback_data": message["id"],
            "text": {"body": "Yes, 7pm!"},
        }
    ]
    assert (message["status"], message["to"], message["session"]) == ("SENT", group_id, None)
    row = await WhatsAppMessage.get(id=message["id"])
    group = await WhatsAppGroup.get(meta_id=group_id)
    assert (row.group_id, row.contact_id, row.customer_wa_id) == (group.id, None, None)
    found = (await gql(GROUP_MESSAGES, {"id": str(group.id)}))["data"]["group"]
    assert [e["node"] for e in found["messages"]["edges"]] == [
        {
            "direction": "OUTBOUND",
            "text": "Yes, 7pm!",
            "to": group_id,
            "group": {"metaId": group_id},
        },
        {
            "direction": "INBOUND",
            "text": "Is it still on?",
            "to": row.phone_number_id,
            "group": {"metaId": group_id},
        },
    ]


async def test_a_template_goes_to_the_group_named_in_to_with_recipient_type_group(
    client: httpx.AsyncClient, gql: GraphQL, sandbox: Sandbox, sandbox_url: str
) -> None:
    # given
    group_id = await a_group_that_wrote(client, sandbox_url)
    ours = await WhatsAppGroup.get(meta_id=group_id)
    sandbox.requests.clear()
    template = {k: v for k, v in ORDER_UPDATE.items() if k != "to"}

    # when
    result = await gql(
        TEMPLATE, {"input": {**template, "to": str(ours.id), "recipientType": "GROUP"}}
    )

    # then
    payload = result["data"]["sendTemplate"]
    assert payload["errors"] == []
    [sent] = graph_requests(sandbox)
    assert (sent["recipient_type"], sent["to"], sent["type"]) == ("group", group_id, "template")
    assert payload["message"]["status"] == "SENT"
    assert (await WhatsAppMessage.get(id=payload["message"]["id"])).group_id == ours.id


async def test_an_interactive_message_to_a_group_is_refused_and_nothing_written(
    client: httpx.AsyncClient, gql: GraphQL, sandbox: Sandbox, sandbox_url: str
) -> None:
    # given
    group_id = await a_group_that_wrote(client, sandbox_url)
    sandbox.requests.clear()
    before = await WhatsAppAnalyticsEvent.all().count()
    buttons = {
        "buttons": {
            "body": "Coming?",
            "buttons": [{"id": "yes", "title": "Yes"}, {"id": "no", "title": "No"}],
        }
    }

    # when
    result = await gql(
        SEND, {"input": {"to": group_id, "recipientType": "GROUP", "content": buttons}}
    )

    # then: a clear error on the content, Meta never asked, nothing stored
    payload = result["data"]["sendMessage"]
    assert payload["message"] is None
    [error] = payload["errors"]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", ["input", "content", "buttons"])
    assert "cannot be sent to a group" in error["message"]
    assert "no interactive messages" in error["message"]
    assert graph_requests(sandbox) == []
    assert await WhatsAppMessage.filter(direction="OUTBOUND").count() == 0
    # (the audit trail records the refused mutation; nothing else is written)
    assert await WhatsAppAnalyticsEvent.exclude(name="audit.mutation").count() == before


async def test_a_group_send_names_a_known_group(
    client: httpx.AsyncClient, gql: GraphQL, sandbox: Sandbox, sandbox_url: str
) -> None:
    # given
    group_id = await a_group_that_wrote(client, sandbox_url)
    text = {"text": {"body": "Hi"}}
    sandbox.requests.clear()

    # when
    group = {"recipientType": "GROUP", "content": text}
    unknown = await gql(SEND, {"input": {"to": "no-such-group", **group}})
    blank = await gql(SEND, {"input": {"to": "  ", **group}})
    as_customer = await gql(SEND, {"input": {"to": group_id, "content": text}})

    # then
    def errors(result: dict[str, Any]) -> list[tuple[str, list[str]]]:
        return [(e["code"], e["field"]) for e in result["data"]["sendMessage"]["errors"]]

    assert errors(unknown) == [("NOT_FOUND", ["input", "to"])]
    assert errors(blank) == [("NOT_FOUND", ["input", "to"])]
    # a group id without recipientType GROUP is read as a customer's id, and refused as one
    assert errors(as_customer)[0] == ("INVALID_RECIPIENT", ["input", "to"])
    assert graph_requests(sandbox) == []
    assert await WhatsAppMessage.filter(direction="OUTBOUND").count() == 0


async def test_free_form_to_a_group_needs_its_window_open(
    client: httpx.AsyncClient, gql: GraphQL, sandbox: Sandbox, sandbox_url: str
) -> None:
    # given: a group whose participants never wrote
    created = await control(
        sandbox_url, "/groups", {"subject": "Quiet group", "participants": [PARTICIPANT]}
    )
    for webhook in created["webhooks"]:
        await post_webhook(client, webhook)
    sandbox.requests.clear()

    # when
    result = await gql(
        SEND,
        {
            "input": {
                "to": created["group"]["id"],
                "recipientType": "GROUP",
                "content": {"text": {"body": "Hello?"}},
            }
        },
    )

    # then
    [error] = result["data"]["sendMessage"]["errors"]
    assert (error["code"], error["field"]) == ("OUTSIDE_SERVICE_WINDOW", ["input", "to"])
    assert graph_requests(sandbox) == []
    assert await WhatsAppMessage.filter(direction="OUTBOUND").count() == 0


async def test_writing_in_a_group_does_not_open_the_participants_own_window(
    client: httpx.AsyncClient, gql: GraphQL, sandbox: Sandbox, sandbox_url: str
) -> None:
    # given: the participant wrote in the group, never to us alone
    await a_group_that_wrote(client, sandbox_url)
    sandbox.requests.clear()

    # when: a free-form message to them alone
    result = await gql(SEND, {"input": {"to": PARTICIPANT, "content": {"text": {"body": "Hi"}}}})

    # then: refused as Meta would (131047), before Meta is asked
    [error] = result["data"]["sendMessage"]["errors"]
    assert (error["code"], error["field"]) == ("OUTSIDE_SERVICE_WINDOW", ["input", "to"])
    assert graph_requests(sandbox) == []
