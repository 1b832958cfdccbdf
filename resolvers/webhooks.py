"""Webhooks: the inbox's state, and the items set aside (dead letters) with their replay."""

from __future__ import annotations

import strawberry

from models import ApiKeyScope, DeadLetterStatus
from schema.fields import mutation, query
from schema.webhooks import (
    DeadLetter,
    DiscardWebhookDeadLetterPayload,
    ReplayWebhookDeadLettersPayload,
    WebhookDeadLetterConnection,
    WebhookInboxStatus,
)
from whatsapp.inbound import dead_letters, inbox
from whatsapp.inbound.dispatch import replay_dead_letters
from whatsapp.kit.errors import invalid
from whatsapp.kit.ids import parse_id


async def webhook_inbox_status() -> WebhookInboxStatus:
    deliveries = await inbox.inbox_counts()
    letters = await dead_letters.counts()
    return WebhookInboxStatus(
        pending=deliveries["PENDING"],
        processed=deliveries["PROCESSED"],
        failed=deliveries["FAILED"],
        dead_letters_pending=letters["PENDING"],
        dead_letters_replayed=letters["REPLAYED"],
        dead_letters_discarded=letters["DISCARDED"],
    )


async def webhook_dead_letters(
    status: DeadLetterStatus | None = DeadLetterStatus.PENDING,
    first: int | None = 20,
    after: str | None = None,
) -> WebhookDeadLetterConnection:
    page = await dead_letters.page(status, first=first, after=after)
    return WebhookDeadLetterConnection.from_page(page, DeadLetter.from_model)


async def replay_webhook_dead_letters(ids: list[strawberry.ID]) -> ReplayWebhookDeadLettersPayload:
    if not 1 <= len(ids) <= 100:
        raise invalid("name 1 to 100 dead letters", "ids")
    parsed = [parse_id(one, "ids", what="dead letter id") for one in ids]
    letters = await replay_dead_letters(parsed)
    return ReplayWebhookDeadLettersPayload(dead_letters=[DeadLetter.from_model(x) for x in letters])


async def discard_webhook_dead_letter(id: strawberry.ID) -> DiscardWebhookDeadLetterPayload:
    letter = await dead_letters.discard(parse_id(id, "id", what="dead letter id"))
    return DiscardWebhookDeadLetterPayload(dead_letter=DeadLetter.from_model(letter))


@strawberry.type
class WebhookQuery:
    webhook_inbox_status: WebhookInboxStatus = query(
        webhook_inbox_status,
        description="Meta's deliveries and the items set aside, counted by state.",
    )
    webhook_dead_letters: WebhookDeadLetterConnection = query(
        webhook_dead_letters,
        description="Webhook items that could not be applied (PENDING by default; null status: "
        "all), newest first, each with its reason and the raw item.",
    )


@strawberry.type
class WebhookMutation:
    replay_webhook_dead_letters: ReplayWebhookDeadLettersPayload = mutation(
        replay_webhook_dead_letters,
        scope=ApiKeyScope.ADMIN,
        description="Apply set-aside items again, after a fix; each is applied at most once. "
        "Admin scope.",
    )
    discard_webhook_dead_letter: DiscardWebhookDeadLetterPayload = mutation(
        discard_webhook_dead_letter,
        scope=ApiKeyScope.ADMIN,
        description="Mark a PENDING dead letter as not worth applying (it is kept). Admin scope.",
    )
