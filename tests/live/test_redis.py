"""Across processes: a status applied by another process reaches this server's subscriber
through Redis pub/sub."""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
from pathlib import Path

from models import MessageStatus
from sandbox import Sandbox
from tests.live.server import connect, serve, subscribed
from tests.live.server import redis_url as redis_url  # a fixture
from tests.resolvers.test_subscriptions import MESSAGE_UPDATED, data
from tests.webhooks.test_whatsapp_webhook import outbound, status

ROOT = Path(__file__).resolve().parents[2]

# Another process: opens the same database, publishes through Redis, applies one webhook.
APPLY = """
import asyncio, json, sys
from app.db import close_db, init_db
from whatsapp.inbound.dispatch import apply_webhook
from whatsapp.live.brokers import RedisBroker

async def main(db, redis_url, channel, payload):
    await init_db(db)
    broker = RedisBroker(redis_url, channel=channel)
    await broker.start()
    try:
        await apply_webhook(json.loads(payload))
    finally:
        await broker.aclose()
        await close_db()

asyncio.run(main(*sys.argv[1:]))
"""


async def apply_in_another_process(db: str, redis_url: str, channel: str, payload: object) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", APPLY, db, redis_url, channel, json.dumps(payload), cwd=ROOT
    )
    assert await process.wait() == 0


async def test_a_status_applied_by_another_process_reaches_the_subscriber(
    db: str, sandbox_url: str, redis_url: str, read_key: str, sandbox: Sandbox
) -> None:
    # given: this process serves a dashboard subscribed to a message, live through Redis
    channel = f"wagraph:test:live:{secrets.token_hex(4)}"
    server, handle = await serve(db, sandbox_url, redis_url=redis_url, live_channel=channel)
    from tests.conftest import stop_server

    try:
        message = await outbound(wamid="wamid.REDIS1", status=MessageStatus.SENT)
        socket = await connect(server, read_key)
        op = await socket.subscribe(MESSAGE_UPDATED, {"filter": {"messageId": "wamid.REDIS1"}})
        await subscribed(server)

        # when: another process applies Meta's "read"
        await apply_in_another_process(
            db, redis_url, channel, status("wamid.REDIS1", "read", 1700000300)
        )

        # then
        update = data(await socket.next(op, timeout=10))["messageUpdated"]
        assert update["change"] == "READ"
        assert update["message"] == {
            "id": str(message.id),
            "wamid": "wamid.REDIS1",
            "status": "READ",
            "deliveredAt": None,
        }
        await socket.close()
    finally:
        await stop_server(*handle)
