"""Benchmark: signed status and message webhooks posted at a real wagraph server.

Seeds outbound messages, then posts N signed deliveries (half status updates for those
messages, half customers' messages) with C in flight. Prints deliveries acknowledged per second,
p50/p99 acknowledgement latency and the time until every delivery is processed, beside a bare
Starlette endpoint that only answers 200 (the ceiling for this load generator and machine).

    .venv/bin/python bench/webhooks.py --deliveries 4000 --concurrency 16
    .venv/bin/python bench/webhooks.py --database-url postgres://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_database
from bench.send import BIN, ROOT, free_port, report, run_load, wait_http

SECRET = "bench-app-secret"
PNID = "106540352242922"
BARE_APP = """
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

async def ok(request):
    await request.body()
    return PlainTextResponse("OK")

app = Starlette(routes=[Route("/webhooks/whatsapp", ok, methods=["POST"])])
"""


def envelope(value: dict[str, object]) -> dict[str, object]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": PNID,
                            },
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def deliveries(n: int, wamids: list[str]) -> list[bytes]:
    """Half statuses (delivered, then read) for seeded messages, half customers writing in."""
    now = int(time.time())
    bodies = []
    for i in range(n):
        if i % 2 == 0:
            wamid = wamids[(i // 2) % len(wamids)]
            state = "delivered" if (i // 2) < len(wamids) else "read"
            value = {
                "statuses": [
                    {
                        "id": wamid,
                        "status": state,
                        "timestamp": str(now + i),
                        "recipient_id": f"1777{i % 500:07d}",
                    }
                ]
            }
        else:
            customer = f"1888{i % 1000:07d}"
            value = {
                "contacts": [{"profile": {"name": f"Customer {i % 1000}"}, "wa_id": customer}],
                "messages": [
                    {
                        "from": customer,
                        "id": f"wamid.bench-in-{i}",
                        "timestamp": str(now + i),
                        "type": "text",
                        "text": {"body": f"message {i}"},
                    }
                ],
            }
        bodies.append(json.dumps(envelope(value)).encode())
    return bodies


async def seed_messages(database_url: str, count: int) -> list[str]:
    from app.db import close_db, init_db
    from models import MessageDirection, MessageStatus, MessageType, WhatsAppMessage

    await init_db(database_url)
    try:
        wamids = [f"wamid.bench-out-{i}" for i in range(count)]
        await WhatsAppMessage.bulk_create(
            [
                WhatsAppMessage(
                    direction=MessageDirection.OUTBOUND,
                    type=MessageType.TEXT,
                    status=MessageStatus.SENT,
                    phone_number_id=PNID,
                    customer_wa_id=f"1777{i % 500:07d}",
                    wamid=wamid,
                    text="seeded",
                )
                for i, wamid in enumerate(wamids)
            ],
            batch_size=500,
        )
        return wamids
    finally:
        await close_db()


async def pending(database_url: str) -> int:
    from app.db import close_db, init_db
    from models import InboxStatus, WebhookDelivery

    await init_db(database_url)
    try:
        return await WebhookDelivery.filter(status=InboxStatus.PENDING).count()
    finally:
        await close_db()


async def post_all(
    url: str, bodies: list[bytes], concurrency: int
) -> tuple[float, list[float], int]:
    pool = min(concurrency, 16)
    limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as http:

        async def post(i: int) -> bool:
            body = bodies[i]
            signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            response = await http.post(
                url,
                content=body,
                headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
            )
            return response.status_code == 200

        return await run_load(len(bodies), concurrency, post)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--deliveries", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_database(args.database_url, tmp) as database_url,
    ):
        server_port, bare_port = free_port(), free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "META_APP_SECRET": SECRET,
            "WAGRAPH_SANDBOX": "false",
            "WAGRAPH_ENV": "test",
            "META_GRAPH_API_BASE_URL": "http://127.0.0.1:9",
            "WAGRAPH_PORT": str(server_port),
            "WAGRAPH_BACKGROUND_INTERVAL": "0.2",
            "WAGRAPH_DEV_KEY_FILE": f"{tmp}/key",
        }
        wagraph = str(BIN / "wagraph")
        subprocess.run(
            [wagraph, "migrate"], env=env, cwd=ROOT, check=True, stderr=subprocess.DEVNULL
        )
        wamids = asyncio.run(seed_messages(database_url, args.deliveries // 4 or 1))
        bodies = deliveries(args.deliveries, wamids)
        Path(tmp, "bare.py").write_text(BARE_APP)
        procs = [
            subprocess.Popen(
                [wagraph, "serve", "--no-migrate", "--log-level", "warning"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
            subprocess.Popen(
                [
                    str(BIN / "uvicorn"),
                    "bare:app",
                    "--port",
                    str(bare_port),
                    "--log-level",
                    "warning",
                ],
                cwd=tmp,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
        ]
        try:
            wait_http(f"http://127.0.0.1:{server_port}/healthz")
            wait_http(f"http://127.0.0.1:{bare_port}/webhooks/whatsapp")
            print(
                f"{args.deliveries} signed deliveries, {args.concurrency} in flight, database "
                f"{database_url.split('://')[0]}"
            )
            started = time.perf_counter()
            elapsed, latencies, failures = asyncio.run(
                post_all(
                    f"http://127.0.0.1:{server_port}/webhooks/whatsapp", bodies, args.concurrency
                )
            )
            report("wagraph webhook acknowledged", args.deliveries, elapsed, latencies, failures)
            while asyncio.run(pending(database_url)):
                time.sleep(0.1)
            processed_in = time.perf_counter() - started
            print(
                f"{'all processed after':<34} {processed_in:>8.2f} s "
                f"({args.deliveries / processed_in:.0f} deliveries/s end to end)"
            )
            elapsed, latencies, failures = asyncio.run(
                post_all(
                    f"http://127.0.0.1:{bare_port}/webhooks/whatsapp", bodies, args.concurrency
                )
            )
            report("bare Starlette 200 (ceiling)", args.deliveries, elapsed, latencies, failures)
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=10)


if __name__ == "__main__":
    main()
