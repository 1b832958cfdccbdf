"""A deployment made of real processes for the reliability suite: the sandbox as Meta in a
process of its own (`wagraph sandbox`), `wagraph worker`s and `wagraph serve`s, and what the
tests count with — what Meta received (`/_sandbox/stats`) and what the database says.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from app.runtime import build_runtime
from models import MessageStatus, WhatsAppMessage
from tests.conftest import APP_SECRET, make_settings
from tests.processes import Process, Processes, deployment_env, wait_http
from tests.services import unused_port
from whatsapp.kit.clock import utcnow
from whatsapp.messages import sending as messaging

# A copy of a scheduled message keeps everything but these (each copy is its own message).
_OWN_FIELDS = {"id", "created_at", "updated_at", "wamid", "idempotency_key", "contact_id"}


def require_services() -> tuple[str, str]:
    """PostgreSQL and Redis (the shared ones, for what a test never stops) and the binaries of
    the throwaway ones; anything missing fails the test with one line saying what."""
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    missing = []
    if not database_url.startswith(("postgres://", "postgresql://")):
        missing.append("DATABASE_URL=postgres://… (the suite runs on PostgreSQL)")
    if not redis_url:
        missing.append("REDIS_URL=redis://…")
    for name, url in (("PostgreSQL", database_url), ("Redis", redis_url)):
        if url and not _answers(url):
            where = f"{urlsplit(url).hostname}:{urlsplit(url).port}"
            missing.append(f"{name} answering at {where} (is it running?)")
    if shutil.which("redis-server") is None:
        missing.append("redis-server (apt-get install -y redis-server)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        missing.append("runuser (util-linux), to run PostgreSQL's tools as postgres")
    if missing:
        pytest.fail("the reliability suite needs: " + "; ".join(missing), pytrace=False)
    return database_url, redis_url


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), 1):
            return True
    except OSError:
        return False


class MetaSandbox:
    """`wagraph sandbox` in its own process: Meta, answering every send (no rate limit unless
    asked), counting what it received by each message's callback data (its id)."""

    def __init__(self, processes: Processes, *, rate_limit_mps: int = 0) -> None:
        self.port = unused_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = deployment_env("sqlite://:memory:", None)
        self.process = processes.wagraph(
            "sandbox",
            "sandbox",
            "--port",
            str(self.port),
            "--rate-limit-mps",
            str(rate_limit_mps),
            "--app-secret",
            APP_SECRET,
            "--seed",
            "13",
            env=env,
        )

    async def started(self) -> MetaSandbox:
        await wait_http(f"{self.url}/_sandbox/health", self.process)
        return self

    async def stats(self) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.get(f"{self.url}/_sandbox/stats")
        response.raise_for_status()
        stats: dict[str, Any] = response.json()
        return stats

    async def received(self) -> Counter[str]:
        """How many times Meta received each message (by its id)."""
        return Counter((await self.stats())["sends_per_callback_data"])

    async def received_at_least(self, n: int) -> bool:
        return (await self.stats())["messages"]["accepted"] >= n


async def start_sandbox(processes: Processes) -> MetaSandbox:
    return await MetaSandbox(processes).started()


async def due_messages(database_url: str, graph_url: str, n: int) -> list[uuid.UUID]:
    """n scheduled template messages to n customers, all due now: one scheduled through the
    core, the others copies of its row (thousands in a moment, not one send each)."""
    rt = build_runtime(make_settings(database_url, graph_url, redis_url=None))
    try:
        first = await messaging.send_template(
            rt,
            to="15550000000",
            name="hello_world",
            language="en_US",
            schedule_for=utcnow() + timedelta(minutes=5),
        )
    finally:
        await rt.aclose()
    original = await WhatsAppMessage.get(id=first.message.id)
    copies = [_copy(original, i) for i in range(1, n)]
    await WhatsAppMessage.bulk_create(copies, batch_size=500)
    ids = [original.id, *(copy.id for copy in copies)]
    await WhatsAppMessage.filter(id__in=ids).update(next_attempt_at=utcnow() - timedelta(seconds=1))
    return ids


def _copy(original: WhatsAppMessage, i: int) -> WhatsAppMessage:
    values = {
        name: getattr(original, name)
        for name in original._meta.fields_db_projection
        if name not in _OWN_FIELDS
    }
    message_id = uuid.uuid4()
    to = f"1555{i:07d}"
    payload = {**(original.payload or {}), "to": to, "biz_opaque_callback_data": str(message_id)}
    return WhatsAppMessage(**{**values, "id": message_id, "customer_wa_id": to, "payload": payload})


async def by_status(ids: list[uuid.UUID]) -> dict[MessageStatus, list[str]]:
    rows = await WhatsAppMessage.filter(id__in=ids).values_list("id", "status")
    grouped: dict[MessageStatus, list[str]] = {}
    for message_id, status in rows:
        grouped.setdefault(MessageStatus(status), []).append(str(message_id))
    return grouped


async def settled(ids: list[uuid.UUID], processes: Processes, timeout: float) -> None:
    """Poll until every message is SENT; fail with the counts and the processes' logs."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        now = await by_status(ids)
        if len(now.get(MessageStatus.SENT, [])) == len(ids):
            return
        if loop.time() > deadline:
            counts = {status.value: len(rows) for status, rows in now.items()}
            raise AssertionError(f"not all SENT within {timeout}s: {counts}\n{processes.tails()}")
        await asyncio.sleep(0.2)


async def logged(process: Process, *words: str, timeout: float) -> None:
    """Poll until the process's log has a line with every word; fail early if it exited."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        text = process.log.read_text(errors="replace")
        if any(all(word in line for word in words) for line in text.splitlines()):
            return
        if not process.running:
            raise AssertionError(
                f"{process.name} exited ({process.popen.returncode}) before "
                f"logging {words}\n{process.tail()}"
            )
        if loop.time() > deadline:
            raise AssertionError(f"{process.name} never logged {words}\n{process.tail()}")
        await asyncio.sleep(0.05)


def worker(
    processes: Processes,
    name: str,
    database_url: str,
    sandbox: MetaSandbox,
    redis_url: str,
    queue_name: str,
    **settings: str,
) -> Process:
    """`wagraph worker` for this deployment (its queue, its Redis, Meta = the sandbox)."""
    extra = {"WAGRAPH_QUEUE_NAME": queue_name, **settings}
    env = deployment_env(database_url, sandbox.url, redis_url=redis_url, extra=extra)
    return processes.wagraph(name, "worker", env=env)
