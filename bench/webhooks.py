"""Benchmark: signed status and message webhooks posted at a real wagraph server.

Seeds outbound messages, then posts N signed deliveries (half status updates for those
messages, half customers' messages) with C in flight, in batches interleaved with the same
posts to a bare Starlette endpoint that only answers 200 (the ceiling for this load generator
and machine). After each of wagraph's batches it waits until every delivery is applied, so
the server's CPU per delivery (from its rusage) counts acknowledging and applying. Prints
deliveries acknowledged per second, p50/p99 acknowledgement latency, CPU milliseconds per
delivery beside the bare endpoint's, and how long applying took.

    .venv/bin/python bench/webhooks.py --deliveries 4000 --concurrency 16
    .venv/bin/python bench/webhooks.py --database-url postgres://postgres@127.0.0.1:5432/test
    REDIS_URL=redis://127.0.0.1:6379 .venv/bin/python bench/webhooks.py --server-processes 2 \
        --database-url postgres://postgres@127.0.0.1:5432/test

With `--server-processes N` above 1 the server is `wagraph serve --workers N` (which needs
PostgreSQL and Redis), and its CPU per delivery is the sum over every process it runs.
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
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BIN, ROOT, free_port, fresh_database, profiled, wait_http
from bench.measure import Side, compared, cpu_seconds, http_client, record, run_batch
from bench.processes import (
    add_server_processes,
    measure_suffix,
    processes_text,
    serve_command,
    server_env,
    server_pids,
)

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


async def pending() -> int:
    from models import InboxStatus, WebhookDelivery

    return await WebhookDelivery.filter(status=InboxStatus.PENDING).count()


def server_cpu(pids: list[int]) -> float:
    return sum(cpu_seconds(pid) for pid in pids)


async def applied(pids: list[int], patience_s: float = 120.0) -> tuple[float, float]:
    """Wait until no delivery is pending: (seconds waited, server CPU seconds spent)."""
    cpu_before, started = server_cpu(pids), time.perf_counter()
    while await pending():
        if time.perf_counter() - started > patience_s:
            print(f"  {await pending()} deliveries still pending after {patience_s:.0f}s")
            break
        await asyncio.sleep(0.05)
    return time.perf_counter() - started, server_cpu(pids) - cpu_before


async def bench(
    args: argparse.Namespace,
    database_url: str,
    bodies: list[bytes],
    ports: dict[str, int],
    pids: dict[str, list[int]],
) -> None:
    from app.db import close_db, init_db

    await init_db(database_url)
    ours = Side("wagraph webhook acknowledged", pids=pids["server"])
    bare = Side("bare Starlette 200 (ceiling)", pids=pids["bare"])
    applying_s = 0.0
    try:
        async with http_client(args.concurrency) as http:

            def poster(port: int) -> Callable[[int], Awaitable[bool]]:
                async def post(i: int) -> bool:
                    body = bodies[i]
                    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                    response = await http.post(
                        f"http://127.0.0.1:{port}/webhooks/whatsapp",
                        content=body,
                        headers={
                            "Content-Type": "application/json",
                            "X-Hub-Signature-256": f"sha256={digest}",
                        },
                    )
                    return response.status_code == 200

                return post

            size = max(1, len(bodies) // args.batches)
            for start in range(0, len(bodies), size):
                indices = range(start, min(len(bodies), start + size))
                await run_batch(ours, indices, args.concurrency, poster(ports["server"]))
                waited, cpu = await applied(pids["server"])
                applying_s += waited
                ours.cpu_s += cpu
                await run_batch(bare, indices, args.concurrency, poster(ports["bare"]))
    finally:
        await close_db()
    print(ours.line("deliveries/s"))
    print(bare.line("deliveries/s"))
    print(f"{'applying after the acks':<38} {applying_s:>8.2f} s in all")
    record(
        compared(
            f"webhooks acknowledged and applied ({database_url.split('://')[0]})"
            + measure_suffix(args.server_processes),
            "deliveries/s",
            ours,
            bare,
            note=f"CPU counts acknowledging and applying; applying waited {applying_s:.1f}s",
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--deliveries", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--batches", type=int, default=8, help="interleaved batches per side")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument(
        "--profile", metavar="FILE", help="sample the server with py-spy into FILE (raw stacks)"
    )
    add_server_processes(parser)
    args = parser.parse_args()
    extra_env = server_env(args)

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
            **extra_env,
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
                serve_command(wagraph, args.server_processes),
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
            server = server_pids(procs[0].pid, args.server_processes)
            print(
                f"{args.deliveries} signed deliveries, {args.concurrency} in flight, "
                f"{args.batches} interleaved batches, database {database_url.split('://')[0]}, "
                + processes_text(args.server_processes)
            )
            with profiled(server[0], args.profile):
                asyncio.run(
                    bench(
                        args,
                        database_url,
                        bodies,
                        {"server": server_port, "bare": bare_port},
                        {"server": server, "bare": [procs[1].pid]},
                    )
                )
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=10)


if __name__ == "__main__":
    main()
