"""The inbox stores a burst of deliveries in one statement (group commit) and still answers
each one for itself: new or already stored, acknowledged only once stored, applied once."""

from __future__ import annotations

import asyncio
import json

import httpx

from models import InboxStatus, MessageStatus, WebhookDelivery, WhatsAppMessageStatus
from tests.resolvers.test_messages_query import count_queries
from tests.webhooks.test_whatsapp_webhook import outbound, sign, status
from whatsapp.inbound import inbox


def body(wamid: str, name: str = "sent", ts: int = 1700000000) -> bytes:
    return json.dumps(status(wamid, name, ts)).encode()


async def test_a_batch_stores_new_bytes_once_each_and_reads_back_stored_ones() -> None:
    # given: A is already in the inbox
    a, b, c = body("wamid.A"), body("wamid.B"), body("wamid.C")
    a_id, _ = await inbox.store_delivery(a)

    # when: A, B twice and C arrive in one batch
    answers = await inbox.store_deliveries([(x, "whatsapp") for x in (a, b, b, c)])

    # then: A is the stored row, B is new once, C is new; three rows in all
    assert answers[0] == (a_id, False)
    assert answers[1][1] is True and answers[2] == (answers[1][0], False)
    assert answers[3][1] is True and answers[3][0] not in (a_id, answers[1][0])
    assert await WebhookDelivery.all().count() == 3


async def test_a_burst_is_stored_in_fewer_statements_than_deliveries(
    client: httpx.AsyncClient,
) -> None:
    # given: twelve messages whose statuses arrive at the same moment
    for n in range(12):
        await outbound(f"wamid.BURST{n}")
    bodies = [body(f"wamid.BURST{n}", "delivered", 1700000100) for n in range(12)]

    # when
    async def post(content: bytes) -> httpx.Response:
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(content)}
        return await client.post("/webhooks/whatsapp", content=content, headers=headers)

    with count_queries() as statements:
        responses = await asyncio.gather(*(post(content) for content in bodies))
    await client.app.state.background.drain()  # type: ignore[attr-defined]

    # then: every delivery acknowledged, stored and applied, in fewer INSERTs than deliveries
    assert [r.status_code for r in responses] == [200] * 12
    inserts = [s for s in statements if s.startswith("INSERT INTO webhook_delivery")]
    assert 1 <= len(inserts) < 12, inserts
    assert await WebhookDelivery.filter(status=InboxStatus.PROCESSED).count() == 12
    assert await WhatsAppMessageStatus.filter(status=MessageStatus.DELIVERED).count() == 12
