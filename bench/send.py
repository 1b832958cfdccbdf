"""Benchmark: concurrent `sendMessage` through a real wagraph server to the sandbox.

Starts the sandbox and `wagraph serve` as separate processes (as in production: Meta is
elsewhere), fires N GraphQL sends with C in flight, and prints messages per second and p50/p99
latency — beside N raw httpx sends straight to the sandbox, the ceiling on this machine.

    .venv/bin/python bench/send.py --messages 2000 --concurrency 16
    .venv/bin/python bench/send.py --database-url postgres://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_database

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PNID = "106540352242922"
TOKEN = "bench-token"

SEND = """mutation($input: SendMessageInput!) {
  sendMessage(input: $input) { message { id status wamid } errors { code message } }
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


async def run_load(
    n: int, concurrency: int, send_one: Callable[[int], Awaitable[bool]]
) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    failures = 0
    queue = iter(range(n))

    async def worker() -> None:
        nonlocal failures
        for i in queue:
            started = time.perf_counter()
            ok = await send_one(i)
            latencies.append(time.perf_counter() - started)
            failures += 0 if ok else 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, failures


def report(label: str, n: int, elapsed: float, latencies: list[float], failures: int) -> None:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(
        f"{label:<34} {n / elapsed:>8.0f} msg/s   p50 {p50:>6.1f} ms   p99 {p99:>6.1f} ms"
        f"   failures {failures}"
    )


async def bench(args: argparse.Namespace, graphql_url: str, key: str, sandbox_url: str) -> None:
    # httpx's pool slows down as its connection count grows (encode/httpx#3215), so the load
    # generator keeps at most 16 connections however many requests are in flight.
    pool = min(args.concurrency, 16)
    limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as http:
        headers = {"Authorization": f"Bearer {key}"}

        async def via_graphql(i: int) -> bool:
            variables = {
                "input": {"to": f"+1555{i:07d}", "content": {"text": {"body": f"bench {i}"}}}
            }
            response = await http.post(
                graphql_url, json={"query": SEND, "variables": variables}, headers=headers
            )
            body = response.json()
            return (
                response.status_code == 200
                and not body.get("errors")
                and not (body["data"]["sendMessage"]["errors"])
            )

        async def raw(i: int) -> bool:
            response = await http.post(
                f"{sandbox_url}/v23.0/{PNID}/messages",
                json={
                    "messaging_product": "whatsapp",
                    "to": f"1666{i:07d}",
                    "type": "text",
                    "text": {"body": f"raw {i}"},
                },
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            return response.status_code == 200

        await run_load(min(200, args.messages), args.concurrency, via_graphql)  # warm-up
        print(
            f"{args.messages} messages, {args.concurrency} in flight, database "
            f"{'postgres' if args.database_url else 'sqlite'}"
        )
        elapsed, latencies, failures = await run_load(args.messages, args.concurrency, via_graphql)
        report("sendMessage via wagraph (GraphQL)", args.messages, elapsed, latencies, failures)
        elapsed, latencies, failures = await run_load(args.messages, args.concurrency, raw)
        report("raw httpx -> sandbox (ceiling)", args.messages, elapsed, latencies, failures)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_database(args.database_url, tmp) as database_url,
    ):
        sandbox_port, server_port = free_port(), free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "META_ACCESS_TOKEN": TOKEN,
            "META_PHONE_NUMBER_ID": PNID,
            "META_GRAPH_API_BASE_URL": f"http://127.0.0.1:{sandbox_port}",
            "WAGRAPH_SANDBOX": "false",
            "WAGRAPH_ENV": "test",
            "META_APP_SECRET": "bench-app-secret",
            # Benchmark recipients never wrote to us; Meta (the sandbox) fails those later.
            "WAGRAPH_ENFORCE_SERVICE_WINDOW": "false",
            # Meta's top tier, so the figure is the server's, not the default 80/s pacing.
            "WAGRAPH_RATE_LIMIT_MPS": "1000",
            "WAGRAPH_PORT": str(server_port),
            "WAGRAPH_DEV_KEY_FILE": f"{tmp}/key",
        }
        wagraph = str(BIN / "wagraph")
        procs = [
            subprocess.Popen(
                [wagraph, "sandbox", "--port", str(sandbox_port), "--rate-limit", "1000000"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        ]
        try:
            subprocess.run(
                [wagraph, "migrate"], env=env, cwd=ROOT, check=True, stderr=subprocess.DEVNULL
            )
            key = (
                subprocess.run(
                    [wagraph, "keys", "create", "--name", "bench", "--scope", "write"],
                    env=env,
                    cwd=ROOT,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            procs.append(
                subprocess.Popen(
                    [wagraph, "serve", "--no-migrate", "--log-level", "warning"],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            wait_http(f"http://127.0.0.1:{sandbox_port}/_sandbox/stats")
            wait_http(f"http://127.0.0.1:{server_port}/healthz")
            asyncio.run(
                bench(
                    args,
                    f"http://127.0.0.1:{server_port}/graphql",
                    key,
                    f"http://127.0.0.1:{sandbox_port}",
                )
            )
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=10)


if __name__ == "__main__":
    main()
