"""idempotencyKey: the same key returns the first result and sends nothing again."""

from __future__ import annotations

import asyncio

import pytest

from models import WhatsAppMessage
from sandbox import Sandbox
from tests.conftest import GraphQL
from tests.resolvers.test_messages_send import SEND, graph_requests

pytestmark = pytest.mark.usefixtures("customer")

TEXT = {"to": "15551234567", "content": {"text": {"body": "once"}}, "idempotencyKey": "order-42"}


async def test_same_key_same_message_sent_once(gql: GraphQL, sandbox: Sandbox) -> None:
    first = await gql(SEND, {"input": TEXT})
    second = await gql(SEND, {"input": TEXT})

    one, two = first["data"]["sendMessage"], second["data"]["sendMessage"]
    assert one["message"]["id"] == two["message"]["id"]
    assert (one["replayed"], two["replayed"]) == (False, True)
    assert len(graph_requests(sandbox)) == 1
    assert await WhatsAppMessage.filter(direction="OUTBOUND").count() == 1


async def test_concurrent_duplicates_send_once(gql: GraphQL, sandbox: Sandbox) -> None:
    results = await asyncio.gather(*(gql(SEND, {"input": TEXT}) for _ in range(5)))

    ids = {r["data"]["sendMessage"]["message"]["id"] for r in results}
    assert len(ids) == 1
    assert all(r["data"]["sendMessage"]["errors"] == [] for r in results)
    assert len(graph_requests(sandbox)) == 1


async def test_same_key_different_request_is_a_conflict(gql: GraphQL, sandbox: Sandbox) -> None:
    await gql(SEND, {"input": TEXT})
    other = {**TEXT, "content": {"text": {"body": "something else"}}}

    result = await gql(SEND, {"input": other})

    errors = result["data"]["sendMessage"]["errors"]
    assert errors[0]["code"] == "IDEMPOTENCY_CONFLICT"
    assert errors[0]["field"] == ["input", "idempotencyKey"]
    assert len(graph_requests(sandbox)) == 1


async def test_failed_send_replays_its_failure(
    gql: GraphQL, sandbox: Sandbox, sandbox_url: str
) -> None:
    from tests.resolvers.test_messages_cloud_failures import queue_faults

    await queue_faults(sandbox_url, {"status": 400, "code": 131009})
    first = await gql(SEND, {"input": TEXT})
    second = await gql(SEND, {"input": TEXT})

    assert first["data"]["sendMessage"]["message"]["status"] == "FAILED"
    assert second["data"]["sendMessage"]["replayed"] is True
    assert second["data"]["sendMessage"]["errors"][0]["cloudApiCode"] == 131009
    assert sandbox.stats()["faulted"] == 1
