"""A customer, identified by their WhatsApp id (phone digits)."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index

from models.base import TimestampedModel


class WhatsAppContact(TimestampedModel):
    wa_id = fields.CharField(max_length=32, unique=True)
    profile_name = fields.CharField(max_length=256, null=True)
    tags: fields.JSONField[list[str]] = fields.JSONField(default=list)
    last_inbound_at = fields.DatetimeField(null=True)

    class Meta:
        table = "whatsapp_contact"
        indexes = (Index(fields=("created_at", "id"), name="idx_contact_created"),)
