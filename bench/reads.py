"""Benchmark: list pages and analytics through a real wagraph server, beside raw SQL.

Seeds PostgreSQL by COPY with 50,000 contacts and sessions (one each), 200,000 messages and
1,000,000 events (`--scale` shrinks or grows all four; plus Flow answers and automation runs),
then asks each GraphQL list and analytics query (`--only` one half) `--runs` times over
HTTP and the hand-written SQL for the same figures as often over asyncpg, and prints
p50/p99 of both and their ratio. PostgreSQL only (COPY, and the indexes that matter are
PostgreSQL's).

    .venv/bin/python bench/reads.py --database-url postgres://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/reads.py --database-url postgres://… --scale 0.1 --runs 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_database
from bench.reads_analytics import (
    AUTOMATION_COLUMNS,
    analytics_queries,
    automation_rows,
    message_extras,
    session_extras,
)
from bench.send import BIN, ROOT, free_port, wait_http

PNID = "106540352242922"
TIMELINE = "edges { node { __typename ... on Message { id text } ... on Event { id name } } }"
QUERIES: dict[str, tuple[str, str]] = {
    # The floor every request pays (HTTP, key check, parse, validate, serialise), no SQL of its own.
    "{ __typename } (fixed cost of a request)": ("{ __typename }", ""),
    "sessions{contact timeline(20)} x50": (
        "{ sessions(first: 50) { edges { node { id contact { id profileName } "
        f"timeline(first: 20) {{ {TIMELINE} }} }} }} }} }}",
        """SELECT s.id, c.profile_name, t.* FROM (SELECT * FROM whatsapp_session
           ORDER BY updated_at DESC, id DESC LIMIT 50) s
           LEFT JOIN whatsapp_contact c ON c.id = s.contact_id
           LEFT JOIN LATERAL ((SELECT id, created_at, text AS label FROM whatsapp_message m
             WHERE m.session_id = s.id ORDER BY created_at, id LIMIT 21) UNION ALL
             (SELECT id, created_at, name FROM whatsapp_analytics_event e
             WHERE e.session_id = s.id ORDER BY created_at, id LIMIT 21)) t ON true""",
    ),
    "  … with totalCount at both levels": (
        "{ sessions(first: 50) { totalCount edges { node { id contact { id profileName } "
        f"timeline(first: 20) {{ totalCount {TIMELINE} }} }} }} }} }}",
        "",
    ),
    "messages x50": (
        "{ messages(first: 50) { edges { node { id text status createdAt } } } }",
        "SELECT * FROM whatsapp_message ORDER BY created_at DESC, id DESC LIMIT 50",
    ),
    "events name message.* x50 + totalCount": (
        '{ events(first: 50, filter: {name: "message.*"}) { totalCount '
        "edges { node { id name } } } }",
        """SELECT * FROM whatsapp_analytics_event WHERE name COLLATE "C" >= 'message.'
           AND name COLLATE "C" < 'message/' ORDER BY created_at DESC, id DESC LIMIT 50""",
    ),
    "events rare pattern call.* x50 + totalCount": (
        '{ events(first: 50, filter: {name: "call.*"}) { totalCount edges { node { id } } } }',
        """SELECT * FROM whatsapp_analytics_event WHERE name COLLATE "C" >= 'call.'
           AND name COLLATE "C" < 'call/' ORDER BY created_at DESC, id DESC LIMIT 50""",
    ),
    "contacts search 'lidd' x50": (
        '{ contacts(first: 50, filter: {search: "lidd"}) { edges { node { id } } } }',
        """SELECT * FROM whatsapp_contact WHERE profile_name ILIKE '%lidd%'
           OR username ILIKE '%lidd%' ORDER BY created_at DESC, id DESC LIMIT 50""",
    ),
    "contacts tag vip x50 + totalCount": (
        '{ contacts(first: 50, filter: {tag: "vip"}) { totalCount edges { node { id } } } }',
        """SELECT * FROM whatsapp_contact WHERE tags @> '["vip"]'
           ORDER BY created_at DESC, id DESC LIMIT 50""",
    ),
    # The slowest list request found within the default cost limit (9,750 of 10,000).
    "worst within the cost limit: 30 x sessions(15)": (
        "{ "
        + " ".join(
            f"s{i}: sessions(first: 15) {{ edges {{ node {{ id context contact {{ waId }} }} }} }}"
            for i in range(30)
        )
        + " }",
        "",
    ),
}
EVENT_NAMES = ["message.sent", "message.delivered", "message.read", "flow.step"]


def _rows(scale: float, start: datetime) -> dict[str, list[tuple[Any, ...]]]:
    """Contacts and sessions one each; 4 messages (3 outbound, with templates, statuses and
    pricing) and 20 events a session, over 30 days from `start`; a quarter of the sessions ran a
    Flow; one automation run a contact (bench/reads_analytics.py)."""
    n = max(1, int(50_000 * scale))
    contacts, sessions, messages, events = [], [], [], []
    for i in range(n):
        at = start + timedelta(seconds=i * 30 * 86400 / n)
        contact, session = uuid.uuid4(), uuid.uuid4()
        name = f"Alice Liddell {i}" if i % 1000 == 0 else f"Customer {i}"
        tags = json.dumps(["vip"] if i % 100 == 0 else [])
        contacts.append((contact, at, at, f"1555{i:07d}", name, tags))
        flow, context = session_extras(i)
        status = ("COMPLETED", "ACTIVE", "EXPIRED")[i % 3] if flow else "ACTIVE"
        sessions.append((session, at, at, contact, PNID, status, context, tags, at, flow))
        for k in range(4):
            message = uuid.uuid4()
            m_at = at + timedelta(seconds=k)
            extra = message_extras(i, k, m_at)
            messages.append((message, m_at, m_at, "TEXT", PNID, contact, session, 0, "hi", *extra))
            props = json.dumps({"template": extra[2], "phoneNumberId": PNID} if extra[2] else {})
            for j in range(5):
                name_ = "call.started" if (i + j) % 997 == 0 else EVENT_NAMES[j % 4]
                e_at = m_at + timedelta(milliseconds=j)
                events.append(
                    (uuid.uuid4(), e_at, name_, "bench", props, message, session, contact)
                )
    return {
        "whatsapp_contact": contacts,
        "whatsapp_session": sessions,
        "whatsapp_message": messages,
        "whatsapp_analytics_event": events,
        **automation_rows(start, [c[0] for c in contacts]),
    }


COLUMNS = {
    "whatsapp_contact": ["id", "created_at", "updated_at", "wa_id", "profile_name", "tags"],
    "whatsapp_session": [
        "id",
        "created_at",
        "updated_at",
        "contact_id",
        "phone_number_id",
        "status",
        "context",
        "tags",
        "started_at",
        "flow",
    ],
    "whatsapp_message": [
        "id",
        "created_at",
        "updated_at",
        "type",
        "phone_number_id",
        "contact_id",
        "session_id",
        "attempts",
        "text",
        "direction",
        "status",
        "template_name",
        "sent_at",
        "delivered_at",
        "read_at",
        "error_code",
        "error_title",
        "pricing",
    ],
    "whatsapp_analytics_event": [
        "id",
        "created_at",
        "name",
        "source",
        "properties",
        "message_id",
        "session_id",
        "contact_id",
    ],
    **AUTOMATION_COLUMNS,
}


async def seed(dsn: str, scale: float, start: datetime) -> None:
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        for table, rows in _rows(scale, start).items():
            await connection.copy_records_to_table(table, records=rows, columns=COLUMNS[table])
        # VACUUM as autovacuum would after a bulk load: it sets the visibility map that
        # index-only scans (the funnel's covering index) rely on.
        await connection.execute("VACUUM (ANALYZE)")
    finally:
        await connection.close()


async def make_key(database_url: str) -> str:
    from app.db import close_db, init_db
    from models import ApiKeyScope
    from whatsapp.access.api_keys import create_api_key

    await init_db(database_url)
    try:
        _, key = await create_api_key(name="bench", scope=ApiKeyScope.READ)
        return key
    finally:
        await close_db()


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int((len(ordered) - 1) * 0.99)] * 1000


async def measure(
    url: str, key: str, dsn: str, runs: int, queries: dict[str, tuple[str, str]]
) -> None:
    import asyncpg

    connection = await asyncpg.connect(dsn)
    headers = {"Authorization": f"Bearer {key}"}
    print(f"{'query':<44} {'p50 ms':>8} {'p99 ms':>8} {'SQL p50':>8} {'SQL p99':>8} {'ratio':>5}")
    async with httpx.AsyncClient(timeout=60.0) as http:
        for label, (document, sql) in queries.items():
            api: list[float] = []
            raw: list[float] = []
            for run in range(runs + 3):  # three warm-ups
                began = time.perf_counter()
                response = await http.post(url, json={"query": document}, headers=headers)
                took = time.perf_counter() - began
                if response.status_code != 200 or "errors" in response.json():
                    raise SystemExit(f"{label}: {response.text[:500]}")
                if run >= 3:
                    api.append(took)
                if sql:
                    began = time.perf_counter()
                    await connection.fetch(sql)
                    if run >= 3:
                        raw.append(time.perf_counter() - began)
            p50, p99 = percentiles(api)
            if raw:
                r50, r99 = percentiles(raw)
                print(
                    f"{label:<44} {p50:>8.1f} {p99:>8.1f} {r50:>8.1f} {r99:>8.1f} {p50 / r50:>5.1f}"
                )
            else:
                print(f"{label:<44} {p50:>8.1f} {p99:>8.1f}")
    await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="postgres://… (a fresh db beside)")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 200k messages, 1M events")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", choices=("lists", "analytics"), help="one half of the table")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("bench/reads.py seeds PostgreSQL by COPY: give a postgres:// URL")

    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_database(args.database_url, tmp) as database_url,
    ):
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "WAGRAPH_SANDBOX": "false",
            "META_APP_SECRET": "bench-app-secret",
            "WAGRAPH_ENV": "test",
            "META_GRAPH_API_BASE_URL": "http://127.0.0.1:9",
            "WAGRAPH_PORT": str(port),
            "WAGRAPH_DEV_KEY_FILE": f"{tmp}/key",
        }
        wagraph = str(BIN / "wagraph")
        subprocess.run(
            [wagraph, "migrate"], env=env, cwd=ROOT, check=True, stderr=subprocess.DEVNULL
        )
        dsn = database_url.replace("postgres://", "postgresql://", 1)
        began = time.perf_counter()
        start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        start -= timedelta(days=30)
        asyncio.run(seed(dsn, args.scale, start))
        print(f"seeded (scale {args.scale}) in {time.perf_counter() - began:.0f} s")
        began = time.perf_counter()
        subprocess.run([wagraph, "analytics", "rollup"], env=env, cwd=ROOT, check=True)
        print(f"hourly event rollup counted in {time.perf_counter() - began:.1f} s")
        key = asyncio.run(make_key(database_url))
        server = subprocess.Popen(
            [wagraph, "serve", "--no-migrate", "--log-level", "warning"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_http(f"http://127.0.0.1:{port}/healthz")
            queries = QUERIES if args.only != "analytics" else {}
            if args.only != "lists":
                queries = {**queries, **analytics_queries(start)}
            graphql = f"http://127.0.0.1:{port}/graphql"
            asyncio.run(measure(graphql, key, dsn, args.runs, queries))
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
