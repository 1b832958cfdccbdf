"""One bad item never fails a delivery: it is set aside with its reason, the others are applied,
and a replay after a fix applies it exactly once."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from models import (
    DeadLetterStatus,
    InboxStatus,
    MessageDirection,
    MessageStatus,
    WebhookDeadLetter,
    WebhookDelivery,
    WhatsAppAnalyticsEvent,
    WhatsAppMessage,
    WhatsAppMessageStatus,
)
from tests.app.test_migrations import run_cli
from tests.conftest import GraphQL
from tests.webhooks.test_whatsapp_webhook import CUSTOMER, envelope, outbound, post_webhook
from whatsapp.inbound import dispatch, inbox
from whatsapp.inbound.items import WebhookItem

DEAD_LETTERS = """
query($status: DeadLetterStatus) {
  webhookInboxStatus { processed failed deadLettersPending deadLettersReplayed }
  webhookDeadLetters(status: $status) {
    totalCount
    edges { node { id field kind position reason status attempts item } }
  }
}"""
REPLAY = """
mutation($ids: [ID!]!) {
  replayWebhookDeadLetters(ids: $ids) {
    deadLetters { id status attempts reason replayedAt }
    errors { code message field }
  }
}"""


def text(wamid: str, body: str, ts: Any = None) -> dict[str, Any]:
    stamp = str(int(time.time()) - 60) if ts is None else ts
    return {
        "from": CUSTOMER,
        "id": wamid,
        "timestamp": stamp,
        "type": "text",
        "text": {"body": body},
    }


async def test_a_bad_item_between_two_good_ones_is_set_aside_and_the_others_applied(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given: the middle message's timestamp is not a number
    bad = text("wamid.BAD", "unreadable", ts="yesterday")
    payload = envelope({"messages": [text("wamid.G1", "one"), bad, text("wamid.G2", "two")]})

    # when
    response = await post_webhook(client, payload)

    # then: acknowledged, both good messages stored — the one after the bad one included
    assert response.status_code == 200
    stored = await WhatsAppMessage.filter(direction=MessageDirection.INBOUND).values_list(
        "wamid", flat=True
    )
    assert sorted(stored) == ["wamid.G1", "wamid.G2"]
    delivery = await WebhookDelivery.get()
    assert (delivery.status, delivery.attempts) == (InboxStatus.PROCESSED, 1)
    # and the bad one is kept raw, with its reason, readable through GraphQL
    data = (await gql(DEAD_LETTERS))["data"]
    assert data["webhookInboxStatus"]["deadLettersPending"] == 1
    assert data["webhookInboxStatus"]["processed"] == 1
    [edge] = data["webhookDeadLetters"]["edges"]
    letter = edge["node"]
    assert (letter["field"], letter["kind"], letter["status"]) == ("messages", "message", "PENDING")
    assert letter["position"] == "entry 0 / change 0 / messages 1"
    assert "ValueError" in letter["reason"] and "yesterday" in letter["reason"]
    assert letter["item"] == bad
    assert await WhatsAppAnalyticsEvent.filter(name="webhook.dead_letter").count() == 1


async def test_the_same_bad_item_delivered_again_is_kept_once(client: httpx.AsyncClient) -> None:
    payload = envelope({"messages": [text("wamid.BAD", "x", ts="soon")]})

    await post_webhook(client, payload)
    await post_webhook(client, payload, indent=1)  # a redelivery in other bytes

    assert await WebhookDelivery.all().count() == 2
    assert await WebhookDeadLetter.all().count() == 1


async def test_a_replay_before_the_fix_keeps_it_waiting_with_the_new_attempt(
    client: httpx.AsyncClient, gql: GraphQL, admin_key: str
) -> None:
    await post_webhook(client, envelope({"messages": [text("wamid.BAD", "x", ts="soon")]}))
    letter = await WebhookDeadLetter.get()

    result = await GraphQL(client, admin_key)(REPLAY, {"ids": [str(letter.id)]})

    [after] = result["data"]["replayWebhookDeadLetters"]["deadLetters"]
    assert (after["status"], after["attempts"], after["replayedAt"]) == ("PENDING", 2, None)
    assert "soon" in after["reason"]
    assert await WhatsAppMessage.filter(direction=MessageDirection.INBOUND).count() == 0


async def test_after_the_fix_a_replay_applies_the_item_once(
    client: httpx.AsyncClient, admin_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a bug in the status handler sets a good status aside
    message = await outbound("wamid.OUT9", status=MessageStatus.SENT)
    fixed = dispatch.KIND_HANDLERS["status"]

    async def buggy(item: WebhookItem) -> str:
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setitem(dispatch.KIND_HANDLERS, "status", buggy)
    ts = int(time.time())
    statuses = [
        {"id": "wamid.OUT9", "status": "delivered", "timestamp": str(ts), "recipient_id": CUSTOMER}
    ]
    await post_webhook(client, envelope({"statuses": statuses}))
    letter = await WebhookDeadLetter.get()
    assert letter.item_key == "status:wamid.OUT9:delivered"

    # when: the fix is deployed and the letter replayed, twice
    monkeypatch.setitem(dispatch.KIND_HANDLERS, "status", fixed)
    admin = GraphQL(client, admin_key)
    first = await admin(REPLAY, {"ids": [str(letter.id)]})
    second = await admin(REPLAY, {"ids": [str(letter.id)]})

    # then: applied once
    [done] = first["data"]["replayWebhookDeadLetters"]["deadLetters"]
    assert done["status"] == "REPLAYED" and done["replayedAt"]
    assert second["data"]["replayWebhookDeadLetters"]["deadLetters"][0]["status"] == "REPLAYED"
    await message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert await WhatsAppMessageStatus.filter(wamid="wamid.OUT9").count() == 1
    assert await WhatsAppAnalyticsEvent.filter(name="message.delivered").count() == 1


async def test_a_transient_failure_retries_and_the_last_attempt_sets_it_aside(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the database is away whenever one item is applied
    real = dispatch.KIND_HANDLERS["message"]

    async def flaky(item: WebhookItem) -> str:
        if item.body["id"] == "wamid.T2":
            raise ConnectionError("database went away")
        return await real(item)

    monkeypatch.setitem(dispatch.KIND_HANDLERS, "message", flaky)
    payload = envelope({"messages": [text("wamid.T1", "one"), text("wamid.T2", "two")]})

    # when: the first attempt
    await post_webhook(client, payload)

    # then: retried later (not a dead letter), the other item already applied
    delivery = await WebhookDelivery.get()
    assert delivery.status == InboxStatus.PENDING and "went away" in (delivery.last_error or "")
    assert await WebhookDeadLetter.all().count() == 0
    assert await WhatsAppMessage.filter(wamid="wamid.T1").exists()

    # when: the last attempt fails the same way
    await WebhookDelivery.filter(id=delivery.id).update(
        attempts=inbox.MAX_ATTEMPTS - 1, next_attempt_at=None
    )
    assert await inbox.process_due() == 1

    # then: the delivery completes and the item waits as a dead letter
    await delivery.refresh_from_db()
    assert delivery.status == InboxStatus.PROCESSED
    letter = await WebhookDeadLetter.get()
    assert letter.item_key == "message:wamid.T2" and "went away" in letter.reason
    assert await WhatsAppMessage.filter(wamid="wamid.T1").count() == 1


async def test_a_broken_piece_of_the_envelope_spares_the_changes_around_it(
    client: httpx.AsyncClient,
) -> None:
    good = envelope({"messages": [text("wamid.E1", "before")]})["entry"][0]["changes"][0]
    later = envelope({"messages": [text("wamid.E2", "after")]})["entry"][0]["changes"][0]
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [good, {"value": {"oops": 1}}, later]}, "not an entry"],
    }

    await post_webhook(client, payload)

    assert await WhatsAppMessage.filter(wamid__in=["wamid.E1", "wamid.E2"]).count() == 2
    letters = await WebhookDeadLetter.all().order_by("position")
    assert [(x.kind, x.position) for x in letters] == [
        ("malformed", "entry 0 / change 1"),
        ("malformed", "entry 1"),
    ]
    assert "without a field" in letters[0].reason
    assert (await WebhookDelivery.get()).status == InboxStatus.PROCESSED


async def test_replay_names_unknown_ids_and_needs_an_admin_key(
    client: httpx.AsyncClient, gql: GraphQL, admin_key: str
) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"

    as_writer = await gql(REPLAY, {"ids": [unknown]})
    as_admin = await GraphQL(client, admin_key)(REPLAY, {"ids": [unknown]})
    malformed = await GraphQL(client, admin_key)(REPLAY, {"ids": ["nope"]})

    assert as_writer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    [error] = as_admin["data"]["replayWebhookDeadLetters"]["errors"]
    assert error["code"] == "NOT_FOUND" and unknown in error["message"]
    assert malformed["data"]["replayWebhookDeadLetters"]["errors"][0]["code"] == "INVALID_INPUT"


async def test_the_cli_lists_replays_and_discards_dead_letters(
    client: httpx.AsyncClient, db: str
) -> None:
    await post_webhook(client, envelope({"messages": [text("wamid.BAD", "x", ts="soon")]}))
    letter = await WebhookDeadLetter.get()

    status = run_cli("webhooks", "status", database_url=db)
    replay = run_cli("webhooks", "replay-dead-letters", "--all", database_url=db)
    discard = run_cli("webhooks", "discard-dead-letter", str(letter.id), database_url=db)
    again = run_cli("webhooks", "discard-dead-letter", str(letter.id), database_url=db)

    assert status.returncode == 0, status.stderr
    assert str(letter.id) in status.stdout
    assert ["dead", "letters", "1", "0", "0"] in [row.split() for row in status.stdout.splitlines()]
    assert replay.returncode == 1 and "applied 0 of 1" in replay.stderr
    assert discard.returncode == 0, discard.stderr
    assert again.returncode == 1 and "DISCARDED" in again.stderr
    await letter.refresh_from_db()
    assert letter.status == DeadLetterStatus.DISCARDED
