"""Every status Meta reported for an outbound message, once each, with its time.

The unique (wamid, status) pair is what makes webhook processing idempotent across processes:
a second copy of the same status fails to insert and changes nothing. A status that arrives
before our own send has stored its wamid waits here (message unset) until the message appears.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index

from models.base import BaseModel
from models.enums import MessageStatus

if TYPE_CHECKING:
    from models.message import WhatsAppMessage


class WhatsAppMessageStatus(BaseModel):
    message: fields.ForeignKeyNullableRelation[WhatsAppMessage] = fields.ForeignKeyField(
        "models.WhatsAppMessage", related_name="statuses", null=True, on_delete=fields.CASCADE
    )
    message_id: uuid.UUID | None
    wamid = fields.CharField(max_length=191)
    status = fields.CharEnumField(MessageStatus, max_length=16)
    occurred_at = fields.DatetimeField()
    recipient_wa_id = fields.CharField(max_length=32, null=True)
    recipient_bsuid = fields.CharField(max_length=160, null=True)
    # A group status: recipient_id is the group (long opaque ids), and the participant it is
    # about is named apart.
    recipient_type = fields.CharField(max_length=16, null=True)
    recipient_group_id = fields.CharField(max_length=255, null=True)
    recipient_participant_id = fields.CharField(max_length=255, null=True)
    conversation: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    pricing: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    error_code = fields.IntField(null=True)
    error_title = fields.CharField(max_length=512, null=True)
    error_details = fields.TextField(null=True)

    class Meta:
        table = "whatsapp_message_status"
        unique_together = (("wamid", "status"),)
        indexes = (Index(fields=("message_id", "occurred_at"), name="idx_status_message_time"),)
