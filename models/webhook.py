"""The durable webhook inbox: raw deliveries stored before we acknowledge them."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields
from tortoise.indexes import Index

from models.base import BaseModel, TimestampedModel
from models.enums import DeadLetterStatus, InboxStatus


class WebhookDelivery(BaseModel):
    dedupe_key = fields.CharField(max_length=64, unique=True)
    source = fields.CharField(max_length=32, default="whatsapp")
    body = fields.TextField()
    status = fields.CharEnumField(InboxStatus, max_length=16, default=InboxStatus.PENDING)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(null=True)
    next_attempt_at = fields.DatetimeField(null=True)
    locked_until = fields.DatetimeField(null=True)
    processed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_delivery"
        indexes = (Index(fields=("status", "next_attempt_at"), name="idx_inbox_status_next"),)


class WebhookDeadLetter(TimestampedModel):
    """One item of a delivery that could not be applied for a reason a retry will not change
    (its shape): kept raw with the reason, while the rest of its delivery was applied, and
    replayed once it can be (after a fix).

    `item_key` is the item's stable identity — Meta's own id where it has one (a message's
    wamid, a status's wamid and status), else its delivery and position — so the same bad item
    delivered twice is set aside once, and a replay applies it once.
    """

    delivery: fields.ForeignKeyNullableRelation[WebhookDelivery] = fields.ForeignKeyField(
        "models.WebhookDelivery",
        related_name="dead_letters",
        null=True,
        on_delete=fields.SET_NULL,
    )
    delivery_id: uuid.UUID | None
    item_key = fields.CharField(max_length=255, unique=True)
    field = fields.CharField(max_length=64)
    kind = fields.CharField(max_length=16)
    position = fields.CharField(max_length=64)
    # What applying the item needs beside it: the WABA, the number, the change's contacts.
    context: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    item: fields.JSONField[Any] = fields.JSONField(null=True)
    reason = fields.TextField()
    status = fields.CharEnumField(DeadLetterStatus, max_length=16, default=DeadLetterStatus.PENDING)
    attempts = fields.IntField(default=1)
    replayed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_dead_letter"
        indexes = (Index(fields=("status", "created_at"), name="idx_dead_letter_status"),)
