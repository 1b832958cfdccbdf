"""Benchmark: encrypted WhatsApp Flows round trips against a real wagraph server.

Seeds S flow sessions (tokens of the reference `booking` flow), then posts N encrypted,
signed requests (each an INIT or the first screen's submit of one of them: a decryption, a
session read, the handler, the journey state and its events written, an encrypted answer)
with C in flight. Prints round trips per second and p50/p99 latency, beside a bare Starlette
endpoint that does the same decryption and encryption and nothing else (the ceiling of the
crypto, this load generator and machine), measured in the same run. Requests are encrypted
before the clock starts.

    .venv/bin/python bench/flows.py --requests 2000 --concurrency 16
    .venv/bin/python bench/flows.py --database-url postgres://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BIN, ROOT, free_port, fresh_database, wait_http
from bench.measure import Side, compared, http_client, interleaved, record

SECRET = "bench-app-secret"
PNID = "106540352242922"
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
BARE_APP = """
import json, os
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from whatsapp.flows import crypto

KEYS = [crypto.load_private_key(open(os.environ["KEY_FILE"]).read())]

async def flows(request):
    opened = crypto.decrypt_request(crypto.read_request(await request.body()), KEYS)
    answer = {"version": "3.0", "screen": "DESTINATION", "data": {"echo": opened.payload}}
    return PlainTextResponse(crypto.encrypt_response(answer, opened.aes_key, opened.iv))

app = Starlette(routes=[Route("/flows/{flow}", flows, methods=["POST"])])
"""


def encrypt(payload: dict[str, Any], public: rsa.RSAPublicKey) -> tuple[bytes, bytes, bytes]:
    """As the WhatsApp client does (reference §8.3): (body, AES key, IV)."""
    aes_key, iv = os.urandom(16), os.urandom(16)
    sealed = AESGCM(aes_key).encrypt(iv, json.dumps(payload).encode(), None)
    body = {
        "encrypted_flow_data": base64.b64encode(sealed).decode(),
        "encrypted_aes_key": base64.b64encode(public.encrypt(aes_key, OAEP)).decode(),
        "initial_vector": base64.b64encode(iv).decode(),
    }
    return json.dumps(body).encode(), aes_key, iv


def decrypts(text: str, aes_key: bytes, iv: bytes) -> bool:
    try:
        flipped = bytes(b ^ 0xFF for b in iv)
        json.loads(AESGCM(aes_key).decrypt(flipped, base64.b64decode(text), None))
    except Exception:
        return False
    return True


def requests(
    n: int, tokens: list[str], public: rsa.RSAPublicKey
) -> list[tuple[bytes, bytes, bytes]]:
    """Alternating INIT and the first screen's submit, spread over the sessions."""
    out = []
    for i in range(n):
        token = tokens[i % len(tokens)]
        payload: dict[str, Any]
        if (i // len(tokens)) % 2 == 0:
            payload = {"version": "3.0", "action": "INIT", "flow_token": token}
        else:
            payload = {
                "version": "3.0",
                "action": "data_exchange",
                "screen": "DESTINATION",
                "data": {"destination": "lisbon"},
                "flow_token": token,
            }
        out.append(encrypt(payload, public))
    return out


async def seed_sessions(database_url: str, count: int) -> list[str]:
    from app.db import close_db, init_db
    from models import WhatsAppSession

    await init_db(database_url)
    try:
        tokens = [f"wg-bench-{i}" for i in range(count)]
        await WhatsAppSession.bulk_create(
            [
                WhatsAppSession(phone_number_id=PNID, flow="booking", flow_token=token)
                for token in tokens
            ]
        )
        return tokens
    finally:
        await close_db()


async def bench(
    args: argparse.Namespace,
    bodies: list[tuple[bytes, bytes, bytes]],
    ports: dict[str, int],
    pids: dict[str, int],
) -> tuple[Side, Side]:
    """The same encrypted requests to wagraph and to the bare endpoint, in interleaved
    batches; each answer must decrypt with the request's key to count."""
    async with http_client(args.concurrency) as http:

        def poster(port: int) -> Callable[[int], Awaitable[bool]]:
            async def post(i: int) -> bool:
                body, aes_key, iv = bodies[i]
                digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                response = await http.post(
                    f"http://127.0.0.1:{port}/flows/booking",
                    content=body,
                    headers={
                        "Content-Type": "application/json",
                        "X-Hub-Signature-256": f"sha256={digest}",
                    },
                )
                return response.status_code == 200 and decrypts(response.text, aes_key, iv)

            return post

        ours = Side("wagraph /flows/booking round trip", pids=[pids["server"]])
        bare = Side("bare Starlette decrypt+encrypt", pids=[pids["bare"]])
        await interleaved(
            len(bodies),
            args.batches,
            args.concurrency,
            [(ours, poster(ports["server"])), (bare, poster(ports["bare"]))],
        )
        return ours, bare


def start(args: list[str], env: dict[str, str], cwd: str | Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        args, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--batches", type=int, default=8, help="interleaved batches per side")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()

    from whatsapp.flows import crypto

    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_database(args.database_url, tmp) as database_url,
    ):
        key = crypto.generate_private_key()
        key_file = Path(tmp, "flows.pem")
        key_file.write_text(crypto.private_pem(key))
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
            "WAGRAPH_FLOWS_PRIVATE_KEY": str(key_file),
            "KEY_FILE": str(key_file),
            "PYTHONPATH": str(ROOT),
        }
        wagraph = str(BIN / "wagraph")
        subprocess.run(
            [wagraph, "migrate"], env=env, cwd=ROOT, check=True, stderr=subprocess.DEVNULL
        )
        tokens = asyncio.run(seed_sessions(database_url, args.sessions))
        bodies = requests(args.requests, tokens, key.public_key())
        Path(tmp, "bare.py").write_text(BARE_APP)
        procs = [
            start([wagraph, "serve", "--no-migrate", "--log-level", "warning"], env, ROOT),
            start(
                [
                    str(BIN / "uvicorn"),
                    "bare:app",
                    "--port",
                    str(bare_port),
                    "--log-level",
                    "warning",
                ],
                env,
                tmp,
            ),
        ]
        try:
            wait_http(f"http://127.0.0.1:{server_port}/healthz")
            wait_http(f"http://127.0.0.1:{bare_port}/flows/x")
            print(
                f"{args.requests} encrypted Flows requests over {args.sessions} sessions, "
                f"{args.concurrency} in flight, database {database_url.split('://')[0]}"
            )
            ours, bare = asyncio.run(
                bench(
                    args,
                    bodies,
                    {"server": server_port, "bare": bare_port},
                    {"server": procs[0].pid, "bare": procs[1].pid},
                )
            )
            print(ours.line("req/s"))
            print(bare.line("req/s"))
            dialect = database_url.split("://")[0]
            record(compared(f"Flows endpoint round trip ({dialect})", "req/s", ours, bare))
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=10)


if __name__ == "__main__":
    main()
