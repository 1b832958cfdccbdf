"""Benchmark: N due scheduled messages flushed to the sandbox by one or more workers.

Seeds N due template messages (distinct recipients), starts the sandbox with Meta's top
throughput tier (1,000 msg/s per number) and runs W `wagraph scheduled flush` processes at
once, with the per-number limiter at 1,000/s (shared through Redis when W > 1). Prints messages
per second against that limit (the flush's ceiling: Meta refuses more), the workers' CPU
milliseconds per message (their rusage from their first send to their exit, so start-up is not
counted), each worker's peak memory, and the sandbox's measured peak send rate.

    .venv/bin/python bench/flush.py --messages 10000 --workers 1
    REDIS_URL=redis://127.0.0.1:6379 .venv/bin/python bench/flush.py --messages 10000 --workers 2
    .venv/bin/python bench/flush.py --database-url postgres://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BIN, ROOT, free_port, fresh_database, wait_http
from bench.measure import Result, command_line, cpu_seconds, record

PNID = "106540352242922"
TOKEN = "bench-token"
LIMIT = 1000


async def seed(database_url: str, n: int) -> None:
    from app.db import close_db, init_db
    from models import MessageDirection, MessageStatus, MessageType, WhatsAppMessage
    from whatsapp.kit.clock import utcnow
    from whatsapp.messages import payloads

    await init_db(database_url)
    try:
        due = utcnow()
        batch: list[WhatsAppMessage] = []
        for i in range(n):
            message_id = uuid.uuid4()
            to = f"1{i:010d}"
            payload = payloads.build_template(
                to=to,
                name="hello_world",
                language="en_US",
                header=None,
                body=[],
                buttons=[],
                callback_data=str(message_id),
            )
            batch.append(
                WhatsAppMessage(
                    id=message_id,
                    direction=MessageDirection.OUTBOUND,
                    type=MessageType.TEMPLATE,
                    status=MessageStatus.SCHEDULED,
                    phone_number_id=PNID,
                    customer_wa_id=to,
                    template_name="hello_world",
                    template_language="en_US",
                    payload=payload,
                    scheduled_for=due,
                    next_attempt_at=due,
                    text="template: hello_world",
                )
            )
            if len(batch) == 2000:
                await WhatsAppMessage.bulk_create(batch)
                batch = []
        if batch:
            await WhatsAppMessage.bulk_create(batch)
    finally:
        await close_db()


async def sent_count(database_url: str) -> dict[str, int]:
    from app.db import close_db, init_db
    from models import MessageStatus, WhatsAppMessage

    await init_db(database_url)
    try:
        return {
            status.value: n
            for status in MessageStatus
            if (n := await WhatsAppMessage.filter(status=status).count())
        }
    finally:
        await close_db()


def peak_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="the sandbox answers each send this late, like a remote Meta (default 0)",
    )
    parser.add_argument(
        "--pool",
        type=int,
        default=None,
        help="WAGRAPH_HTTP_MAX_CONNECTIONS for the workers (default: the setting's default)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="WAGRAPH_SCHEDULED_CONCURRENCY for the workers (default: the setting's default)",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="record the first worker with py-spy (raw collapsed stacks) into FILE",
    )
    args = parser.parse_args()
    if args.workers > 1 and not os.environ.get("REDIS_URL"):
        raise SystemExit("several workers share the rate limit through Redis: set REDIS_URL")

    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_database(args.database_url, tmp) as database_url,
    ):
        sandbox_port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "META_ACCESS_TOKEN": TOKEN,
            "META_APP_SECRET": "bench-app-secret",
            "META_PHONE_NUMBER_ID": PNID,
            "META_GRAPH_API_BASE_URL": f"http://127.0.0.1:{sandbox_port}",
            "WAGRAPH_SANDBOX": "false",
            "WAGRAPH_ENV": "test",
            "WAGRAPH_RATE_LIMIT_MPS": str(LIMIT),
        }
        if args.pool:
            env["WAGRAPH_HTTP_MAX_CONNECTIONS"] = str(args.pool)
        if args.concurrency:
            env["WAGRAPH_SCHEDULED_CONCURRENCY"] = str(args.concurrency)
        if args.workers == 1:
            env.pop("REDIS_URL", None)
        wagraph = str(BIN / "wagraph")
        sandbox = subprocess.Popen(
            [
                wagraph,
                "sandbox",
                "--port",
                str(sandbox_port),
                "--rate-limit",
                str(LIMIT),
                "--response-delay",
                str(args.latency_ms / 1000),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            subprocess.run(
                [wagraph, "migrate"], env=env, cwd=ROOT, check=True, stderr=subprocess.DEVNULL
            )
            asyncio.run(seed(database_url, args.messages))
            wait_http(f"http://127.0.0.1:{sandbox_port}/_sandbox/stats")
            started = time.perf_counter()
            flush = [wagraph, "scheduled", "flush"]
            spy = [str(BIN / "py-spy"), "record", "-f", "raw", "-o", str(args.profile), "--"]
            profiled = [*spy, *flush]
            workers = [
                subprocess.Popen(
                    profiled if args.profile and i == 0 else flush,
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for i in range(args.workers)
            ]
            stats_url = f"http://127.0.0.1:{sandbox_port}/_sandbox/stats"
            flushing = watch(workers, stats_url)
            elapsed = time.perf_counter() - started
            stats = httpx.get(stats_url).json()
            number = stats["per_phone_number"][PNID]
            counts = asyncio.run(sent_count(database_url))
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=10)

    dialect = "postgres" if args.database_url else "sqlite"
    cpu_ms = flushing.cpu_s * 1000 / args.messages
    print(f"{args.messages} due messages, {args.workers} worker(s), {dialect}, limit {LIMIT}/s")
    print(f"  flushed in {elapsed:.1f} s: {args.messages / elapsed:.0f} msg/s; final {counts}")
    print(f"  worker CPU {cpu_ms:.2f} ms per message (from the first send to exit)")
    print(f"  peak worker memory: {', '.join(f'{p / 1024:.0f} MB' for p in flushing.peaks_kb)}")
    print(
        f"  sandbox: {stats['messages']['accepted']} accepted, peak {number['peak_mps']}/s "
        f"(limit {LIMIT}), {number['rate_limited']} refused with 130429, "
        f"{len(stats['duplicate_callback_data'])} sent twice"
    )
    record(
        Result(
            measure=f"scheduled flush, {args.messages:,} messages, {args.workers} worker(s)"
            + (f", Meta {args.latency_ms:g} ms away" if args.latency_ms else "")
            + f" ({dialect})",
            figure=args.messages / elapsed,
            unit="msg/s",
            ceiling=float(LIMIT),
            cpu_ms_per_op=cpu_ms,
            ceiling_cpu_ms_per_op=None,
            failures=counts.get("FAILED", 0),
            command=command_line(),
            note=f"ceiling: Meta's top tier per number; sandbox peak {number['peak_mps']}/s, "
            f"{len(stats['duplicate_callback_data'])} sent twice",
        )
    )


@dataclass
class Flushing:
    cpu_s: float
    peaks_kb: list[int]


def watch(workers: list[subprocess.Popen[bytes]], stats_url: str) -> Flushing:
    """Wait for the workers to exit; their CPU from the first message the sandbox accepted
    (start-up and imports are not the flush's) to their exit (rusage, exact), and peak RSS."""
    peaks = [0] * len(workers)
    at_first_send: list[float] | None = None
    cpu = 0.0
    running = {w.pid: w for w in workers}
    while running:
        if at_first_send is None and httpx.get(stats_url).json()["messages"]["accepted"]:
            at_first_send = [cpu_seconds(w.pid) for w in workers]
        for i, w in enumerate(workers):
            peaks[i] = max(peaks[i], peak_rss_kb(w.pid))
        for pid, w in list(running.items()):
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                w.returncode = os.waitstatus_to_exitcode(status)
                cpu += usage.ru_utime + usage.ru_stime
                del running[pid]
        time.sleep(0.05)
    return Flushing(cpu - sum(at_first_send or []), peaks)


if __name__ == "__main__":
    main()
