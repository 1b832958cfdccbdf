"""Two servers share one database and one webhook inbox; Meta's deliveries (30 % of them
duplicated, in any order) go to either, and one server is killed -9 half-way. Every delivery
acknowledged with a 200 is applied exactly once — the survivor processes what the killed one
had acknowledged but not processed — and no duplicate is applied twice."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import httpx
import pytest

from models import (
    InboxStatus,
    MessageDirection,
    MessageStatus,
    MessageType,
    WebhookDelivery,
    WhatsAppMessage,
    WhatsAppMessageStatus,
)
from tests.conftest import APP_SECRET, PHONE_NUMBER_ID, WABA_ID
from tests.conftest import wait_for as poll
from tests.processes import Process, Processes, deployment_env, wait_http
from tests.reliability.deployment import start_sandbox
from tests.services import unused_port
from whatsapp.kit.clock import utcnow

pytestmark = pytest.mark.reliability

INBOUND = 150  # customers' messages (50 customers, 3 each)
STATUSES = 150  # "delivered" for as many of our messages
DUPLICATE_SHARE = 0.3
POSTERS = 8


def envelope(value: dict[str, Any]) -> dict[str, Any]:
    metadata = {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID}
    change = {
        "field": "messages",
        "value": {"messaging_product": "whatsapp", "metadata": metadata, **value},
    }
    return {"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [change]}]}


def inbound(i: int, now: int) -> dict[str, Any]:
    customer = f"1650555{i // 3:04d}"
    return envelope(
        {
            "contacts": [{"profile": {"name": f"Customer {i // 3}"}, "wa_id": customer}],
            "messages": [
                {
                    "from": customer,
                    "id": f"wamid.rel-in-{i}",
                    "timestamp": str(now),
                    "type": "text",
                    "text": {"body": f"message {i}"},
                }
            ],
        }
    )


def delivered(i: int, now: int) -> dict[str, Any]:
    return envelope(
        {
            "statuses": [
                {
                    "id": f"wamid.rel-out-{i}",
                    "status": "delivered",
                    "timestamp": str(now),
                    "recipient_id": f"1650666{i:04d}",
                }
            ]
        }
    )


def deliveries(seed: int) -> list[bytes]:
    """Every delivery once, then 30 % of them again — half byte for byte (a retry), half
    the same items in a body encoded differently (stored apart, applied once) — shuffled."""
    now = int(time.time())
    payloads = [inbound(i, now) for i in range(INBOUND)] + [
        delivered(i, now) for i in range(STATUSES)
    ]
    bodies = [json.dumps(p).encode() for p in payloads]
    rng = random.Random(seed)
    again = rng.sample(range(len(payloads)), int(len(payloads) * DUPLICATE_SHARE))
    for n, index in enumerate(again):
        bodies.append(bodies[index] if n % 2 else json.dumps(payloads[index], indent=1).encode())
    rng.shuffle(bodies)
    return bodies


async def our_messages() -> None:
    """The messages the statuses are about, as if we had sent them a moment ago."""
    await WhatsAppMessage.bulk_create(
        [
            WhatsAppMessage(
                direction=MessageDirection.OUTBOUND,
                type=MessageType.TEXT,
                status=MessageStatus.SENT,
                phone_number_id=PHONE_NUMBER_ID,
                customer_wa_id=f"1650666{i:04d}",
                wamid=f"wamid.rel-out-{i}",
                text="hi",
                sent_at=utcnow() - timedelta(seconds=5),
            )
            for i in range(STATUSES)
        ]
    )


class Meta:
    """Posts signed deliveries as Meta does; a delivery that is not answered 200 is retried
    (behind a load balancer a retry reaches a server that is up)."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.up = list(urls)
        self.acknowledged = 0
        self.answers: Counter[str] = Counter()

    async def post(self, http: httpx.AsyncClient, body: bytes, first: str) -> None:
        signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
        url = first
        for _ in range(50):
            try:
                response = await http.post(url, content=body, headers=headers)
                self.answers[str(response.status_code)] += 1
                if response.status_code == 200:
                    self.acknowledged += 1
                    return
            except httpx.TransportError:
                self.answers["no answer"] += 1
            url = random.choice(self.up)
            await asyncio.sleep(0.05)
        raise AssertionError(f"a delivery was never acknowledged: {self.answers}")


async def post_all(meta: Meta, bodies: list[bytes], targets: list[str]) -> None:
    queue = iter(zip(bodies, targets, strict=True))

    async def poster() -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            for body, target in queue:
                await meta.post(http, body, target)

    await asyncio.gather(*(poster() for _ in range(POSTERS)))


def server(processes: Processes, name: str, db: str, graph_url: str) -> tuple[Process, str]:
    port = unused_port()
    env = deployment_env(db, graph_url, extra={"WAGRAPH_PORT": str(port)})
    process = processes.wagraph(name, "serve", "--no-migrate", "--log-level", "warning", env=env)
    return process, f"http://127.0.0.1:{port}"


async def applied_once() -> dict[str, Any]:
    """What the database shows of the deliveries: counts per wamid of messages and statuses."""
    messages = Counter(
        await WhatsAppMessage.filter(
            direction=MessageDirection.INBOUND, wamid__startswith="wamid.rel-in-"
        ).values_list("wamid", flat=True)
    )
    statuses = Counter(
        await WhatsAppMessageStatus.filter(
            wamid__startswith="wamid.rel-out-", status=MessageStatus.DELIVERED
        ).values_list("wamid", flat=True)
    )
    ours = await WhatsAppMessage.filter(wamid__startswith="wamid.rel-out-").values_list(
        "status", flat=True
    )
    return {"messages": messages, "statuses": statuses, "ours": Counter(ours)}


async def inbox_settled() -> bool:
    return not await WebhookDelivery.filter(status=InboxStatus.PENDING).exists()


async def test_two_servers_one_killed_apply_every_acknowledged_delivery_once(
    db: str, processes: Processes
) -> None:
    # given: two servers on one database, and Meta's deliveries with 30 % duplicates
    sandbox = await start_sandbox(processes)
    await our_messages()
    (doomed, doomed_url), (survivor, survivor_url) = (
        server(processes, name, db, sandbox.url) for name in ("server-a", "server-b")
    )
    for process, url in ((doomed, doomed_url), (survivor, survivor_url)):
        await wait_http(f"{url}/healthz", process)
    hooks = [f"{doomed_url}/webhooks/whatsapp", f"{survivor_url}/webhooks/whatsapp"]
    bodies = deliveries(seed=13)
    rng = random.Random(7)
    meta = Meta(hooks)

    # when: they are posted to either server, and one is killed -9 part-way through
    targets = [rng.choice(hooks) for _ in bodies]
    posting = asyncio.create_task(post_all(meta, bodies, targets))
    try:
        await poll(lambda: meta.acknowledged >= len(bodies) * 0.4, timeout=60)
        meta.up = [hooks[1]]
        doomed.kill()
        await asyncio.wait_for(asyncio.shield(posting), timeout=120)
    finally:
        posting.cancel()
        await asyncio.wait([posting])
    unprocessed = await WebhookDelivery.filter(status=InboxStatus.PENDING).count()

    # the killed server's claims on deliveries it had not finished are leases of 2 minutes:
    # they are run out now rather than waited for
    cut_short = await WebhookDelivery.filter(
        status=InboxStatus.PENDING, locked_until__gt=utcnow()
    ).update(locked_until=utcnow() - timedelta(seconds=1))

    # then: the survivor processes everything: each message and status applied exactly once
    await poll(inbox_settled, timeout=60)
    seen = await applied_once()
    assert meta.acknowledged == len(bodies)
    assert sorted(seen["messages"].values()) == [1] * INBOUND, (
        unprocessed,
        cut_short,
        processes.tails(),
    )
    assert sorted(seen["statuses"].values()) == [1] * STATUSES
    assert seen["ours"] == {MessageStatus.DELIVERED: STATUSES}
    assert not await WebhookDelivery.filter(status=InboxStatus.FAILED).exists()
    assert survivor.running, survivor.tail()
