"""The whole loop offline: wagraph on a real socket, the sandbox posting signed webhooks back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.server import create_app
from models import MessageDirection, MessageStatus, WhatsAppMessage, WhatsAppMessageStatus
from sandbox import Sandbox
from tests.conftest import GraphQL, make_settings, open_service_window, start_server, stop_server
from tests.conftest import wait_for as poll
from tests.resolvers.test_messages_send import SEND


@pytest.fixture
async def live(db: str, sandbox: Sandbox, sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """wagraph served by uvicorn, with the sandbox's webhooks pointed at it."""
    settings = make_settings(db, sandbox_url, background_interval_s=0.1)
    server, task, url = await start_server(create_app(settings))
    async with httpx.AsyncClient(base_url=url) as client:
        await client.put(
            f"{sandbox_url}/_sandbox/config", json={"webhook_url": f"{url}/webhooks/whatsapp"}
        )
        try:
            yield client
        finally:
            await client.put(f"{sandbox_url}/_sandbox/config", json={"webhook_url": None})
            await sandbox.drain(5)
            await stop_server(server, task)


async def test_a_sent_message_is_delivered_and_read(
    live: httpx.AsyncClient, write_key: str
) -> None:
    await open_service_window("15551234567")

    result = await GraphQL(live, write_key)(
        SEND, {"input": {"to": "15551234567", "content": {"text": {"body": "hello"}}}}
    )

    message_id = result["data"]["sendMessage"]["message"]["id"]

    async def read() -> bool:
        row = await WhatsAppMessage.get(id=message_id)
        return row.status == MessageStatus.READ

    await poll(read, timeout=10)
    history = await WhatsAppMessageStatus.filter(message_id=message_id).values_list(
        "status", flat=True
    )
    assert sorted(history) == sorted(
        [MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ]
    )


async def test_metas_later_failure_arrives_by_webhook(
    live: httpx.AsyncClient, write_key: str
) -> None:
    # the sandbox treats numbers starting 999 as not on WhatsApp: 200 now, 131026 later
    await open_service_window("9995550000")

    result = await GraphQL(live, write_key)(
        SEND, {"input": {"to": "9995550000", "content": {"text": {"body": "hello"}}}}
    )
    message_id = result["data"]["sendMessage"]["message"]["id"]

    async def failed() -> WhatsAppMessage | None:
        row = await WhatsAppMessage.get(id=message_id)
        return row if row.status == MessageStatus.FAILED else None

    row = await poll(failed, timeout=10)
    assert row.error_code == 131026


async def test_a_simulated_customer_reaches_us(live: httpx.AsyncClient, sandbox_url: str) -> None:
    async with httpx.AsyncClient() as http:
        said = (
            await http.post(
                f"{sandbox_url}/_sandbox/customers/16505551234/messages",
                json={"type": "text", "text": {"body": "Hi there"}, "profile_name": "Ana"},
            )
        ).json()

    async def received() -> WhatsAppMessage | None:
        return await WhatsAppMessage.get_or_none(wamid=said["wamid"])

    message = await poll(received, timeout=10)
    assert message.direction == MessageDirection.INBOUND
    assert message.text == "Hi there"
