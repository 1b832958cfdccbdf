"""Benchmark: concurrent `sendMessage` through a real wagraph server to the sandbox.

Starts the sandbox and `wagraph serve` as separate processes (as in production: Meta is
elsewhere) and fires N GraphQL sends with C in flight, in batches interleaved with as many raw
httpx sends straight to the sandbox (the ceiling on this machine). Prints messages per second,
p50/p99 latency and the server's CPU milliseconds per send (from its rusage) beside the
sandbox's CPU per raw request: CPU per operation is the figure that holds when other work
shares the machine.

    .venv/bin/python bench/send.py --messages 2000 --concurrency 16
    .venv/bin/python bench/send.py --database-url postgres://postgres@127.0.0.1:5432/test
    REDIS_URL=redis://127.0.0.1:6379 .venv/bin/python bench/send.py --server-processes 2 \
        --database-url postgres://postgres@127.0.0.1:5432/test

With `--server-processes N` above 1 the server is `wagraph serve --workers N` (which needs
PostgreSQL and Redis), and its CPU per send is the sum over every process it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BIN, ROOT, fresh_database, profiled, wait_http
from bench.common import free_port as free_port
from bench.measure import Side, compared, http_client, interleaved, record
from bench.processes import (
    add_server_processes,
    measure_suffix,
    processes_text,
    serve_command,
    server_env,
    server_pids,
)

PNID = "106540352242922"
TOKEN = "bench-token"

SEND = """mutation($input: SendMessageInput!) {
  sendMessage(input: $input) { message { id status wamid } errors { code message } }
}"""


async def bench(
    args: argparse.Namespace, urls: dict[str, str], key: str, pids: dict[str, list[int]]
) -> None:
    async with http_client(args.concurrency) as http:
        headers = {"Authorization": f"Bearer {key}"}

        async def via_graphql(i: int) -> bool:
            variables = {
                "input": {"to": f"+1555{i:07d}", "content": {"text": {"body": f"bench {i}"}}}
            }
            response = await http.post(
                urls["graphql"], json={"query": SEND, "variables": variables}, headers=headers
            )
            body = response.json()
            return (
                response.status_code == 200
                and not body.get("errors")
                and not (body["data"]["sendMessage"]["errors"])
            )

        async def raw(i: int) -> bool:
            response = await http.post(
                f"{urls['sandbox']}/v23.0/{PNID}/messages",
                json={
                    "messaging_product": "whatsapp",
                    "to": f"1666{i:07d}",
                    "type": "text",
                    "text": {"body": f"raw {i}"},
                },
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            return response.status_code == 200

        warm = Side("warm-up")
        await interleaved(min(200, args.messages), 1, args.concurrency, [(warm, via_graphql)])
        dialect = "postgres" if args.database_url else "sqlite"
        print(
            f"{args.messages} messages, {args.concurrency} in flight, {args.batches} interleaved "
            f"batches, database {dialect}, {processes_text(args.server_processes)}"
        )
        ours = Side("sendMessage via wagraph (GraphQL)", pids=pids["server"])
        ceiling = Side("raw httpx -> sandbox (ceiling)", pids=pids["sandbox"])
        await interleaved(
            args.messages, args.batches, args.concurrency, [(ours, via_graphql), (ceiling, raw)]
        )
        print(ours.line("msg/s"))
        print(ceiling.line("msg/s"))
        measure = f"sendMessage ({dialect})" + measure_suffix(args.server_processes)
        record(compared(measure, "msg/s", ours, ceiling))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--batches", type=int, default=10, help="interleaved batches per side")
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
            **extra_env,
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
                    serve_command(wagraph, args.server_processes),
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            wait_http(f"http://127.0.0.1:{sandbox_port}/_sandbox/stats")
            wait_http(f"http://127.0.0.1:{server_port}/healthz")
            urls = {
                "graphql": f"http://127.0.0.1:{server_port}/graphql",
                "sandbox": f"http://127.0.0.1:{sandbox_port}",
            }
            pids = {
                "sandbox": [procs[0].pid],
                "server": server_pids(procs[1].pid, args.server_processes),
            }
            with profiled(pids["server"][0], args.profile):
                asyncio.run(bench(args, urls, key, pids))
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=10)


if __name__ == "__main__":
    main()
