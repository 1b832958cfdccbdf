"""Benchmark: from a status webhook's arrival in one process to the update at a subscriber
connected to another, through Redis.

This process serves wagraph (uvicorn, REDIS_URL set) with a dashboard subscribed to
`messageUpdated` over graphql-transport-ws; a second process applies N status webhooks one
after another (`apply_webhook`, as the server or a worker does after receiving one) and notes
the time each arrived. Prints p50/p99/max of arrival → update at the subscriber.

    REDIS_URL=redis://127.0.0.1:6379 .venv/bin/python bench/live.py --updates 200
    ... --database-url postgres://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import uvicorn
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_database

ROOT = Path(__file__).resolve().parent.parent
SUBSCRIPTION = (
    "subscription { messageUpdated(filter: {changes: [DELIVERED]}) { message { wamid } } }"
)

APPLIER = """
import asyncio, json, sys, time
from app.db import close_db, init_db
from whatsapp.inbound.dispatch import apply_webhook
from whatsapp.live.brokers import RedisBroker

def status(wamid, ts):
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
        "statuses": [
            {"id": wamid, "status": "delivered", "timestamp": str(ts),
             "recipient_id": "16505551234"}
        ],
    }
    change = {"field": "messages", "value": value}
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [change]}]}

async def main(db, redis_url, channel, n, gap):
    await init_db(db)
    broker = RedisBroker(redis_url, channel=channel)
    await broker.start()
    arrived = {}
    try:
        for i in range(int(n)):
            wamid = f"wamid.BENCH{i}"
            arrived[wamid] = time.time()
            await apply_webhook(status(wamid, 1700000000 + i))
            await asyncio.sleep(float(gap))
    finally:
        await broker.aclose()
        await close_db()
    print(json.dumps(arrived))

asyncio.run(main(*sys.argv[1:]))
"""


async def seed(n: int) -> str:
    from models import ApiKeyScope, MessageDirection, MessageStatus, MessageType, WhatsAppMessage
    from whatsapp.access import api_keys
    from whatsapp.conversations.contacts import get_or_create_contact

    contact = await get_or_create_contact("16505551234")
    await WhatsAppMessage.bulk_create(
        [
            WhatsAppMessage(
                direction=MessageDirection.OUTBOUND,
                type=MessageType.TEXT,
                status=MessageStatus.SENT,
                phone_number_id="106540352242922",
                customer_wa_id="16505551234",
                contact=contact,
                wamid=f"wamid.BENCH{i}",
            )
            for i in range(n)
        ]
    )
    _, key = await api_keys.create_api_key(name="bench-live", scope=ApiKeyScope.READ)
    return key


async def listen(url: str, key: str, n: int, received: dict[str, float]) -> None:
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"apiKey": key}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        payload = {"query": SUBSCRIPTION}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        while len(received) < n:
            message = json.loads(await ws.recv())
            if message.get("type") == "next":
                wamid = message["payload"]["data"]["messageUpdated"]["message"]["wamid"]
                received[wamid] = time.time()


async def run(db: str, redis_url: str, n: int, gap: float) -> list[float]:
    from app.db import close_db, init_db, migrate
    from app.server import create_app
    from app.settings import Settings

    await migrate(db)
    await init_db(db)
    channel = f"wagraph:bench:live:{secrets.token_hex(3)}"
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        environment="test",
        database_url=db,
        redis_url=redis_url,
        live_channel=channel,
        meta_app_secret="bench-secret",
        sandbox_enabled=False,
        graph_api_base_url="http://127.0.0.1:9",
        background_interval_s=0,
        live_queue_size=n,
    )
    key = await seed(n)
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, port=0, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    received: dict[str, float] = {}
    listener = asyncio.create_task(listen(f"ws://127.0.0.1:{port}/graphql", key, n, received))
    while app.state.live_hub.subscribers < 1:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", APPLIER, db, redis_url, channel, str(n), str(gap),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await process.communicate()
    arrived: dict[str, float] = json.loads(out)
    await asyncio.wait_for(listener, 30)
    server.should_exit = True
    await task
    await close_db()
    return [(received[w] - t) * 1000 for w, t in arrived.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--gap", type=float, default=0.01, help="seconds between webhooks")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        raise SystemExit("REDIS_URL must be set: this measures the cross-process path")
    with tempfile.TemporaryDirectory() as tmp, fresh_database(args.database_url, tmp) as db:
        latencies: Any = sorted(asyncio.run(run(db, redis_url, args.updates, args.gap)))
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(
        f"live: {len(latencies)} status webhooks, arrival in one process → subscriber in "
        f"another: p50 {statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms, "
        f"max {latencies[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
