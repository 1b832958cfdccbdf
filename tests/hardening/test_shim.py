"""The webhook shim under abuse: any signature value is an answer (401), implausible times
are set aside per item and never reach the tables, and bodies not yet verified share one
bounded budget of memory. What is refused at the door stores nothing."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.server import create_app
from models import (
    DeadLetterStatus,
    InboxStatus,
    WebhookDeadLetter,
    WebhookDelivery,
    WhatsAppCall,
    WhatsAppContact,
    WhatsAppMessage,
    WhatsAppMessageStatus,
)
from sandbox import Sandbox
from tests.conftest import GraphQL, make_settings
from tests.webhooks.test_whatsapp_webhook import CUSTOMER, envelope, post_webhook, sign, status
from whatsapp.inbound.dispatch import replay_dead_letters

YEAR_9999 = 253402300799


def said(stamp: Any, wamid: str = "wamid.IN1", **extra: Any) -> dict[str, Any]:
    """A customer's text message with the given timestamp."""
    return envelope(
        {
            "contacts": [{"profile": {"name": "Sheena"}, "wa_id": CUSTOMER}],
            "messages": [
                {
                    "from": CUSTOMER,
                    "id": wamid,
                    "timestamp": stamp,
                    "type": "text",
                    "text": {"body": "hi"},
                    **extra,
                }
            ],
        }
    )


async def delivered(client: httpx.AsyncClient, payload: dict[str, Any]) -> WebhookDelivery:
    response = await post_webhook(client, payload)
    assert response.status_code == 200, response.text
    delivery = await WebhookDelivery.get()
    assert delivery.status == InboxStatus.PROCESSED
    return delivery


# -- signatures ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signature",
    [
        "sha256=é" + "0" * 63,  # non-ASCII (latin-1 on the wire)
        "sha256=" + "ü" * 64,
        "sha256=" + "0" * 63,  # one short
        "sha256=" + "0" * 65,  # one long
        "sha256=" + "0" * 640,
        "sha1=" + "0" * 40,  # wrong prefix
        "SHA256=" + "0" * 64,
        "sha256=",
        "   ",
    ],
)
async def test_any_signature_value_is_401_and_nothing_is_stored(
    client: httpx.AsyncClient, signature: str
) -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    headers = {"X-Hub-Signature-256": signature.encode("latin-1")}

    response = await client.post("/webhooks/whatsapp", content=body, headers=headers)

    assert response.status_code == 401
    assert await WebhookDelivery.all().count() == 0


async def test_non_ascii_utf8_signature_bytes_are_401(client: httpx.AsyncClient) -> None:
    body = b"{}"
    header = ("sha256=" + "☃" * 21 + "0").encode()

    response = await client.post(
        "/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": header}
    )

    assert response.status_code == 401


@pytest.mark.parametrize("signature", ["sha256=é", "sha256=" + "0" * 63, "md5=1"])
async def test_the_flows_endpoint_refuses_any_signature_value_with_432(
    client: httpx.AsyncClient, signature: str
) -> None:
    response = await client.post(
        "/flows/booking",
        content=b'{"encrypted_flow_data": "x"}',
        headers={"X-Hub-Signature-256": signature.encode("latin-1")},
    )

    assert response.status_code == 432


async def test_a_correct_signature_still_verifies_with_spaces_and_upper_case(
    client: httpx.AsyncClient,
) -> None:
    payload = status("wamid.X", "sent", int(time.time()))
    body = json.dumps(payload).encode()
    header = " sha256=" + sign(body).removeprefix("sha256=").upper() + " "

    response = await client.post(
        "/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": header}
    )

    assert response.status_code == 200


# -- timestamps ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stamp",
    [
        str(YEAR_9999),
        YEAR_9999,
        "99999999999999999999",
        1e300,
        str(int(time.time()) + 2 * 86400),  # two days ahead
        "946684800",  # 2000: before WhatsApp
        "0",
        "-1",
        True,
    ],
)
async def test_an_implausible_message_time_is_a_dead_letter_and_reads_still_work(
    client: httpx.AsyncClient, read_key: str, stamp: Any
) -> None:
    # given: a good message beside the bad one
    now = str(int(time.time()))
    payload = said(stamp)
    payload["entry"][0]["changes"][0]["value"]["messages"].append(
        {
            "from": CUSTOMER,
            "id": "wamid.GOOD",
            "timestamp": now,
            "type": "text",
            "text": {"body": "ok"},
        }
    )

    delivery = await delivered(client, payload)

    # then: the bad one is set aside, saying why; the good one is applied
    [letter] = await WebhookDeadLetter.all()
    assert letter.delivery_id == delivery.id
    assert letter.position.endswith("messages 0")
    assert "ImplausibleTime" in letter.reason and "timestamp" in letter.reason
    assert await WhatsAppMessage.filter(wamid="wamid.IN1").count() == 0
    assert await WhatsAppMessage.filter(wamid="wamid.GOOD").count() == 1
    contact = await WhatsAppContact.get(wa_id=CUSTOMER)
    assert contact.last_inbound_at is not None and contact.last_inbound_at.year < 9999

    # and: every read works
    data = await GraphQL(client, read_key)(
        "{ contacts { edges { node { waId lastInboundAt windowOpen } } }"
        "  sessions { edges { node { lastInboundAt status } } }"
        "  messages { edges { node { wamid text } } } }"
    )
    assert "errors" not in data, data
    assert [e["node"]["wamid"] for e in data["data"]["messages"]["edges"]] == ["wamid.GOOD"]


async def test_a_replayed_implausible_item_stays_a_dead_letter(client: httpx.AsyncClient) -> None:
    await delivered(client, said(str(YEAR_9999)))
    [letter] = await WebhookDeadLetter.all()

    [after] = await replay_dead_letters([letter.id])

    assert after.status == DeadLetterStatus.PENDING
    assert after.attempts == letter.attempts + 1
    assert await WhatsAppMessage.all().count() == 0


async def test_a_time_within_a_day_ahead_is_accepted(client: httpx.AsyncClient) -> None:
    await delivered(client, said(str(int(time.time()) + 3600)))

    assert await WebhookDeadLetter.all().count() == 0
    assert await WhatsAppMessage.filter(wamid="wamid.IN1").count() == 1


async def test_implausible_status_and_call_times_are_dead_letters(
    client: httpx.AsyncClient,
) -> None:
    now = int(time.time())
    payload = status("wamid.OUT1", "delivered", YEAR_9999)
    await delivered(client, payload)
    call = envelope(
        {
            "calls": [
                {
                    "id": "wacid.1",
                    "from": CUSTOMER,
                    "to": "15550783881",
                    "event": "terminate",
                    "direction": "USER_INITIATED",
                    "timestamp": str(now),
                    "status": "COMPLETED",
                    "start_time": str(now - 60),
                    "end_time": "9" * 30,
                }
            ]
        },
        field="calls",
    )
    await WebhookDelivery.all().delete()

    await delivered(client, call)

    reasons = sorted(letter.reason for letter in await WebhookDeadLetter.all())
    assert len(reasons) == 2
    assert any("end_time" in reason for reason in reasons)
    assert await WhatsAppMessageStatus.all().count() == 0
    assert await WhatsAppCall.all().count() == 0


async def test_an_expiration_far_ahead_is_refused_but_a_normal_one_is_kept(
    client: httpx.AsyncClient,
) -> None:
    now = int(time.time())
    payload = status(
        "wamid.OUT1",
        "sent",
        now,
        conversation={"id": "c1", "expiration_timestamp": str(now + 86400)},
    )
    await delivered(client, payload)
    assert await WebhookDeadLetter.all().count() == 0

    await WebhookDelivery.all().delete()
    far = status(
        "wamid.OUT2", "sent", now, conversation={"id": "c2", "expiration_timestamp": YEAR_9999}
    )
    await delivered(client, far)

    [letter] = await WebhookDeadLetter.all()
    assert "conversation.expiration_timestamp" in letter.reason


# -- the budget of unverified bytes ----------------------------------------------------------------


@pytest.fixture
async def small_budget(
    db: str, sandbox_server: tuple[Sandbox, str]
) -> AsyncIterator[httpx.AsyncClient]:
    """An app whose bodies not yet verified may hold 1 MB in total, 600 kB each."""
    settings = make_settings(
        db,
        sandbox_server[1],
        unverified_body_budget_bytes=1_000_000,
        max_webhook_bytes=600_000,
        unverified_body_timeout_s=0.5,
    )
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://wagraph") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


class Trickle:
    """A request body sent in chunks; it stops after `pause_after` bytes until released."""

    def __init__(self, size: int, pause_after: int) -> None:
        self.size, self.pause_after = size, pause_after
        self.paused = asyncio.Event()
        self.go_on = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        sent = 0
        while sent < self.size:
            if sent >= self.pause_after and not self.go_on.is_set():
                self.paused.set()
                await self.go_on.wait()
            chunk = b" " * min(64 * 1024, self.size - sent)
            sent += len(chunk)
            yield chunk


async def post_stream(client: httpx.AsyncClient, body: Any) -> httpx.Response:
    return await client.post(
        "/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": "sha256=" + "0" * 64}
    )


async def test_unverified_bodies_share_one_budget_answered_503_with_retry_after(
    small_budget: httpx.AsyncClient,
) -> None:
    # given: a sender holding 576 kB of an unsigned body, not finished
    first = Trickle(590_000, pause_after=9 * 64 * 1024)
    holding = asyncio.create_task(post_stream(small_budget, first))
    await first.paused.wait()

    # when: another sends a 590 kB body, more than what is left
    refused = await post_stream(small_budget, Trickle(590_000, pause_after=10**9))

    # then: refused at once, with when to come back
    assert refused.status_code == 503
    assert int(refused.headers["Retry-After"]) > 0

    # when: the first finishes, its bytes are given back
    first.go_on.set()
    assert (await holding).status_code == 401
    assert (await post_stream(small_budget, Trickle(590_000, pause_after=10**9))).status_code == 401

    # and: a signed delivery of the largest size gets through
    body = b'{"object":"whatsapp_business_account","entry":[]}' + b" " * 590_000
    ok = await small_budget.post(
        "/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": sign(body)}
    )
    assert ok.status_code == 200
    assert await WebhookDelivery.all().count() == 1


async def test_a_body_that_stops_arriving_is_408_and_frees_its_bytes(
    small_budget: httpx.AsyncClient,
) -> None:
    stalled = Trickle(590_000, pause_after=500_000)  # never released

    response = await post_stream(small_budget, stalled)

    assert response.status_code == 408
    stalled.go_on.set()
    assert (await post_stream(small_budget, Trickle(590_000, pause_after=10**9))).status_code == 401
    assert await WebhookDelivery.all().count() == 0


async def test_a_declared_length_over_the_limit_is_413_before_reading(
    small_budget: httpx.AsyncClient,
) -> None:
    body = b" " * 700_000

    response = await small_budget.post(
        "/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": sign(body)}
    )

    assert response.status_code == 413
    assert await WebhookDelivery.all().count() == 0
