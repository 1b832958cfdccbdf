"""Fuzzing the webhook path with signed deliveries: valid envelopes holding random and
malformed items (wrong types, missing keys, huge or odd timestamps, unicode, NULs), each
signed with the app secret and posted to the real ASGI app.

Whatever is in it, a signed delivery is answered 200, never 5xx, and ends PROCESSED; an item
that surely cannot be applied (not an object, an absurd time) is a dead letter; nothing is
half-written (every stored customer message has its `message.received` event, every dead
letter its `webhook.dead_letter` event, no stored time is absurd), and reads still work.
Deterministic (derandomize, no example database) and bounded to run in well under a minute.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import timedelta
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import (
    InboxStatus,
    MessageDirection,
    WebhookDeadLetter,
    WebhookDelivery,
    WhatsAppAnalyticsEvent,
    WhatsAppContact,
    WhatsAppMessage,
    WhatsAppMessageStatus,
)
from tests.conftest import GraphQL
from tests.webhooks.test_whatsapp_webhook import CUSTOMER, envelope, post_webhook
from whatsapp.inbound.items import WebhookItem
from whatsapp.kit.clock import utcnow

NOW = int(time.time())
ABSURD_TIMES = [253402300799, "253402300799", "9" * 40, 1e300, -86400, "0", NOW + 3 * 86400]

# Text that databases and parsers find hard: NUL and other controls, astral planes, RTL, long.
odd_text = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
    st.sampled_from(["\x00", "a\x00b", "\u202e", "\U0001d54f" * 10, "x" * 5000, "", " ", "null"]),
)
scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    odd_text,
)
anything = st.recursive(
    scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(odd_text, inner, max_size=3),
    max_leaves=8,
)
plausible_time = st.integers(NOW - 30 * 86400, NOW).map(str)
odd_time = st.one_of(plausible_time, st.sampled_from(ABSURD_TIMES), scalar)
sender = st.one_of(st.just(CUSTOMER), st.sampled_from(["", "+1 555", "1" * 40]), odd_text)


@st.composite
def message(draw: st.DrawFn) -> dict[str, Any]:
    item: dict[str, Any] = {
        "from": draw(sender),
        "id": draw(st.one_of(st.just(f"wamid.F{draw(st.integers(0, 10**9))}"), odd_text)),
        "timestamp": draw(odd_time),
        "type": draw(st.sampled_from(["text", "image", "reaction", "button", "weird"])),
    }
    item[str(item["type"])] = draw(st.one_of(st.fixed_dictionaries({"body": odd_text}), anything))
    for key in draw(st.sets(st.sampled_from(sorted(item)), max_size=2)):
        del item[key]  # missing keys
    if draw(st.booleans()):
        item[draw(odd_text)] = draw(anything)
    return item


@st.composite
def status(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "id": draw(st.one_of(st.just("wamid.OUT1"), odd_text)),
        "status": draw(st.sampled_from(["sent", "delivered", "read", "failed", "odd"])),
        "timestamp": draw(odd_time),
        "recipient_id": draw(sender),
        **draw(st.dictionaries(st.sampled_from(["conversation", "pricing", "errors"]), anything)),
    }


surely_bad = st.one_of(
    st.one_of(st.booleans(), st.integers(), odd_text),  # an item that is not an object
    st.builds(
        lambda item, stamp: {**item, "timestamp": stamp},
        message(),
        st.sampled_from(ABSURD_TIMES),
    ),
)


@st.composite
def delivery(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    """A signed-shaped delivery, and the positions of the items that must be set aside."""
    messages = draw(st.lists(st.one_of(message(), anything), max_size=3))
    bad = draw(st.lists(surely_bad, max_size=2))
    order = draw(st.permutations(list(range(len(messages) + len(bad)))))
    mixed: list[Any] = [None] * len(order)
    bad_at: list[str] = []
    for slot, index in enumerate(order):
        if index < len(messages):
            mixed[slot] = messages[index]
        else:
            mixed[slot] = bad[index - len(messages)]
            bad_at.append(f"entry 0 / change 0 / messages {slot}")
    value: dict[str, Any] = {
        "contacts": draw(
            st.one_of(
                st.just([{"profile": {"name": "Sheena"}, "wa_id": CUSTOMER}]),
                st.lists(anything, max_size=2),
            )
        ),
        "messages": mixed,
        "statuses": draw(st.lists(st.one_of(status(), anything), max_size=2)),
    }
    if draw(st.booleans()):
        value["metadata"] = draw(anything)
    return envelope(value), bad_at


def digest(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def letter_key(payload: dict[str, Any], position: str, delivery_id: Any) -> str:
    """The key a set-aside item is kept under: Meta's id when it has one (the same item in
    another delivery is kept once), else its delivery and place."""
    slot = int(position.rsplit(" ", 1)[1])
    body = payload["entry"][0]["changes"][0]["value"]["messages"][slot]
    item = WebhookItem("messages", "message", body, position)
    key = item.meta_key or f"delivery:{delivery_id}:{position}"
    return key[:255].replace("\x00", "\ufffd")


async def assert_nothing_half_written() -> None:
    inbound = await WhatsAppMessage.filter(direction=MessageDirection.INBOUND).values_list(
        "id", flat=True
    )
    announced = set(
        await WhatsAppAnalyticsEvent.filter(name="message.received").values_list(
            "message_id", flat=True
        )
    )
    assert set(inbound) <= announced, "a customer message without its event"
    letters = {str(i) for i in await WebhookDeadLetter.all().values_list("id", flat=True)}
    told = {
        (event.properties or {}).get("deadLetterId")
        for event in await WhatsAppAnalyticsEvent.filter(name="webhook.dead_letter")
    }
    assert letters <= told, "a dead letter without its event"
    latest = utcnow() + timedelta(days=1, minutes=5)
    assert not await WhatsAppMessage.filter(received_at__gt=latest).exists()
    assert not await WhatsAppMessageStatus.filter(occurred_at__gt=latest).exists()
    assert not await WhatsAppContact.filter(last_inbound_at__gt=latest).exists()


@settings(
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # the tables are shared by the examples: fine
    ],
)
@given(case=delivery())
async def test_signed_deliveries_of_anything_end_processed_with_bad_items_set_aside(
    client: httpx.AsyncClient, read_key: str, case: tuple[dict[str, Any], list[str]]
) -> None:
    payload, bad_at = case

    response = await post_webhook(client, payload)

    assert response.status_code == 200, response.text
    row = await WebhookDelivery.get(dedupe_key=digest(payload))
    assert row.status == InboxStatus.PROCESSED, row.last_error
    kept = set(await WebhookDeadLetter.all().values_list("item_key", flat=True))
    assert {letter_key(payload, position, row.id) for position in bad_at} <= kept
    await assert_nothing_half_written()
    reads = await GraphQL(client, read_key)(
        "{ contacts { edges { node { waId lastInboundAt windowOpen } } }"
        "  sessions { edges { node { status lastInboundAt } } }"
        "  messages { edges { node { wamid text content } } }"
        "  webhookDeadLetters { edges { node { kind reason } } } }"
    )
    assert "errors" not in reads, reads["errors"]
