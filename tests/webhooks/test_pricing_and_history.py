"""What Meta charges for a message (`pricing` on its statuses) and every status it reported,
readable through GraphQL — including the `sent` status of a message our own send already made
SENT, whose pricing used to reach only the status row."""

from __future__ import annotations

from typing import Any

import httpx

from models import WhatsAppMessage
from tests.conftest import GraphQL
from tests.resolvers.test_messages_send import SEND
from tests.webhooks.cases import load_case
from tests.webhooks.test_whatsapp_webhook import outbound, post_webhook, status

MESSAGE = """
query M($id: ID!) {
  message(id: $id) {
    status sentAt deliveredAt readAt
    pricing { model type category billable }
    statusHistory {
      status occurredAt recordedAt participant
      error { code title details }
      pricing { model type category billable }
    }
  }
}"""
MESSAGES = """
query {
  messages(first: 10, filter: {direction: OUTBOUND}) {
    edges { node { wamid pricing { category } statusHistory { status } } }
  }
}"""
MARKETING = {"model": "PMP", "type": "regular", "category": "marketing", "billable": True}


def priced(case: str, wamid: str) -> dict[str, Any]:
    payload = load_case(case)
    payload["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] = wamid
    return payload


async def read(gql: GraphQL, wamid: str) -> dict[str, Any]:
    result = await gql(MESSAGE, {"id": wamid})
    assert "errors" not in result, result
    found: dict[str, Any] = result["data"]["message"]
    return found


async def test_the_pricing_of_sent_reaches_a_message_already_sent(
    client: httpx.AsyncClient, gql: GraphQL, customer: str
) -> None:
    # given: a message our send made SENT (Meta accepted it), with no pricing yet
    sent = await gql(SEND, {"input": {"to": customer, "content": {"text": {"body": "Hi"}}}})
    wamid = sent["data"]["sendMessage"]["message"]["wamid"]
    assert (await read(gql, wamid))["pricing"] is None

    # when: Meta's `sent` status arrives, with its pricing (it does not move the message)
    await post_webhook(client, priced("pricing_sent", wamid))

    # then: the message carries the pricing, and its history the status
    found = await read(gql, wamid)
    assert found["status"] == "SENT"
    assert found["pricing"] == MARKETING
    assert [(s["status"], s["pricing"]) for s in found["statusHistory"]] == [("SENT", MARKETING)]
    row = await WhatsAppMessage.get(wamid=wamid)
    assert row.conversation is not None and row.conversation["id"] == "c0ffee"


async def test_sent_delivered_read_in_any_order_read_back_in_order(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given
    await outbound("wamid.CORPUS-PRICED-1")

    # when: Meta's statuses arrive out of order, one of them twice
    for case in ("pricing_read", "pricing_sent", "pricing_delivered", "pricing_read"):
        await post_webhook(client, priced(case, "wamid.CORPUS-PRICED-1"))

    # then: READ, priced, and the history in the order it happened
    found = await read(gql, "wamid.CORPUS-PRICED-1")
    assert found["status"] == "READ"
    assert found["pricing"] == MARKETING
    assert None not in (found["sentAt"], found["deliveredAt"], found["readAt"])
    history = found["statusHistory"]
    assert [s["status"] for s in history] == ["SENT", "DELIVERED", "READ"]
    assert [s["occurredAt"] for s in history] == sorted(s["occurredAt"] for s in history)
    assert all(s["pricing"] == MARKETING and s["error"] is None for s in history)
    assert all(s["participant"] is None for s in history)


async def test_a_failure_is_in_the_history_with_its_error(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given
    await outbound("wamid.FAILS")
    error = {
        "code": 131026,
        "title": "Message undeliverable",
        "error_data": {"details": "Receiver is incapable of receiving this message"},
    }

    # when
    await post_webhook(client, status("wamid.FAILS", "sent", 1767225600))
    await post_webhook(client, status("wamid.FAILS", "failed", 1767225660, errors=[error]))

    # then
    found = await read(gql, "wamid.FAILS")
    assert found["status"] == "FAILED"
    assert found["pricing"] is None
    assert [(s["status"], s["error"]) for s in found["statusHistory"]] == [
        ("SENT", None),
        (
            "FAILED",
            {
                "code": 131026,
                "title": "Message undeliverable",
                "details": "Receiver is incapable of receiving this message",
            },
        ),
    ]


async def test_a_page_of_messages_reads_each_ones_history(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given: three messages, two with statuses
    for wamid in ("wamid.P1", "wamid.P2", "wamid.P3"):
        await outbound(wamid)
    await post_webhook(client, priced("pricing_sent", "wamid.P1"))
    await post_webhook(client, priced("pricing_delivered", "wamid.P1"))
    await post_webhook(client, priced("pricing_read", "wamid.P3"))

    # when
    result = await gql(MESSAGES)

    # then
    nodes = {e["node"]["wamid"]: e["node"] for e in result["data"]["messages"]["edges"]}
    assert nodes["wamid.P1"]["statusHistory"] == [{"status": "SENT"}, {"status": "DELIVERED"}]
    assert nodes["wamid.P2"] == {"wamid": "wamid.P2", "pricing": None, "statusHistory": []}
    assert nodes["wamid.P3"]["statusHistory"] == [{"status": "READ"}]
    assert nodes["wamid.P3"]["pricing"] == {"category": "marketing"}
