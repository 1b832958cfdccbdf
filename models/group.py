"""WhatsApp groups (Groups API): a conversation with several participants on one number."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index

from models.base import BaseModel, TimestampedModel
from models.enums import MessageStatus

if TYPE_CHECKING:
    from models.message import WhatsAppMessage


class WhatsAppGroup(TimestampedModel):
    # Meta's group ids are long opaque strings (tens of characters, more in the future).
    meta_id = fields.CharField(max_length=255, unique=True)
    phone_number_id = fields.CharField(max_length=32, null=True)
    subject = fields.CharField(max_length=512, null=True)
    description = fields.TextField(null=True)
    # Meta's lifecycle state as last reported (e.g. ACTIVE, SUSPENDED, DELETED).
    state = fields.CharField(max_length=32, null=True)
    settings: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    # Participants as last reported: [{"waId": ..., "bsuid": ...}].
    participants: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    last_message_at = fields.DatetimeField(null=True)

    class Meta:
        table = "whatsapp_group"


class WhatsAppGroupReceipt(BaseModel):
    """What Meta reported for one participant of a group message: sent, delivered, read… once
    each (unique per wamid, status and participant). The message's own history
    (`WhatsAppMessageStatus`) keeps the first report of each status; these keep everyone's."""

    message: fields.ForeignKeyNullableRelation[WhatsAppMessage] = fields.ForeignKeyField(
        "models.WhatsAppMessage", related_name="group_receipts", null=True, on_delete=fields.CASCADE
    )
    message_id: uuid.UUID | None
    wamid = fields.CharField(max_length=191)
    participant_id = fields.CharField(max_length=255)
    participant_bsuid = fields.CharField(max_length=160, null=True)
    status = fields.CharEnumField(MessageStatus, max_length=16)
    occurred_at = fields.DatetimeField()
    pricing: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    error_code = fields.IntField(null=True)
    error_title = fields.CharField(max_length=512, null=True)

    class Meta:
        table = "whatsapp_group_receipt"
        unique_together = (("wamid", "status", "participant_id"),)
        indexes = (Index(fields=("message_id", "occurred_at"), name="idx_receipt_message_time"),)
