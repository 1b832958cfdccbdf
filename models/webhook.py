"""The durable webhook inbox: raw deliveries stored before we acknowledge them."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index

from models.base import BaseModel
from models.enums import InboxStatus


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
