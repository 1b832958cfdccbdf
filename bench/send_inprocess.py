"""Benchmark: CPU per sequential `sendMessage` with everything in one process — the A/B tool
for the send path.

The app (through httpx's ASGI transport: no HTTP server), the sandbox (on a local socket, as
Meta) and the client share one process and send one message at a time, so there is no
concurrency and no other process to blur the figure: the process's CPU time per send
(`time.process_time`, this thread's and the database driver's) moves only with the code. It
prints each round's CPU per send and the median; compare two trees by running it in each.
It is not a throughput figure (`bench/send.py` is): the app's, the sandbox's and the client's
CPU are counted together.

    .venv/bin/python bench/send_inprocess.py --sends 300 --rounds 5
    .venv/bin/python bench/send_inprocess.py --database-url postgres://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_database

PNID = "106540352242922"
TOKEN = "bench-token"
SECRET = "bench-app-secret"
CUSTOMER = "15551234567"
SEND = """mutation($input: SendMessageInput!) {
  sendMessage(input: $input) { message { id status } errors { code message } }
}"""


async def run(database_url: str, sends: int, rounds: int) -> list[float]:
    import uvicorn
    from asgi_lifespan import LifespanManager

    from app.db import close_db, init_db, migrate
    from app.server import create_app
    from app.settings import Settings
    from models import ApiKeyScope
    from sandbox import Sandbox, SandboxConfig
    from whatsapp.access import api_keys

    await migrate(database_url)
    await init_db(database_url)
    box = Sandbox(
        SandboxConfig(
            access_token=TOKEN,
            app_secret=SECRET,
            phone_numbers={PNID: "15550783881"},
            rate_limit_mps=1_000_000,
            pair_limit_burst=1_000_000,
        )
    )
    server = uvicorn.Server(uvicorn.Config(box.app(), port=0, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event for it
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        environment="test",
        database_url=database_url,
        graph_api_base_url=f"http://127.0.0.1:{port}",
        meta_access_token=TOKEN,
        meta_app_secret=SECRET,
        meta_phone_number_id=PNID,
        sandbox_enabled=False,
        rate_limit_mps=1000,
        enforce_service_window=False,
        background_interval_s=0,
    )
    try:
        async with LifespanManager(create_app(settings)) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://wagraph") as client:
                _, key = await api_keys.create_api_key(name="bench", scope=ApiKeyScope.WRITE)
                headers = {"Authorization": f"Bearer {key}"}
                body = {"query": SEND, "variables": {"input": {"to": CUSTOMER, "content": {}}}}

                async def one(i: int) -> None:
                    body["variables"]["input"]["content"] = {"text": {"body": f"m{i}"}}  # type: ignore[index]
                    answer = (await client.post("/graphql", json=body, headers=headers)).json()
                    payload = answer["data"]["sendMessage"]
                    if payload["errors"] or payload["message"]["status"] != "SENT":
                        raise SystemExit(f"a send failed: {answer}")

                for i in range(20):  # warm-up: caches, pools, first-use imports
                    await one(i)
                per_send = []
                for r in range(rounds):
                    started = time.process_time()
                    for i in range(sends):
                        await one(r * sends + i)
                    per_send.append((time.process_time() - started) * 1000 / sends)
                return per_send
    finally:
        server.should_exit = True
        await serving
        await close_db()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sends", type=int, default=300, help="sends per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_database(args.database_url, tmp) as database_url,
    ):
        per_send = asyncio.run(run(database_url, args.sends, args.rounds))
    dialect = "postgres" if args.database_url else "sqlite"
    rounds = " ".join(f"{x:.2f}" for x in per_send)
    print(f"CPU per sequential sendMessage, one process ({dialect}), by round: {rounds} ms")
    print(f"=> median {statistics.median(per_send):.2f} ms")


if __name__ == "__main__":
    main()
