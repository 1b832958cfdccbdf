"""Calls (Cloud API Calling): voice calls and customers' answers to call-permission requests.

The media side (WebRTC) is out of scope; a call record is what an operator reads: who, which
way, how it ended, how long it lasted, and when.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index

from models.base import TimestampedModel
from models.enums import CallKind, MessageDirection

if TYPE_CHECKING:
    from models.contact import WhatsAppContact


class WhatsAppCall(TimestampedModel):
    # Meta's call id (`wacid.…`), or the wamid of a permission reply.
    meta_id = fields.CharField(max_length=255, unique=True)
    kind = fields.CharEnumField(CallKind, max_length=16, default=CallKind.CALL)
    phone_number_id = fields.CharField(max_length=32, null=True)
    contact: fields.ForeignKeyNullableRelation[WhatsAppContact] = fields.ForeignKeyField(
        "models.WhatsAppContact", related_name="calls", null=True, on_delete=fields.SET_NULL
    )
    contact_id: uuid.UUID | None
    customer_wa_id = fields.CharField(max_length=32, null=True)
    customer_bsuid = fields.CharField(max_length=160, null=True)
    # INBOUND: the customer called (USER_INITIATED); OUTBOUND: the business did.
    direction = fields.CharEnumField(MessageDirection, max_length=8)
    # Meta's latest word, upper case: RINGING, ACCEPTED, CONNECTED, COMPLETED, FAILED, REJECTED…;
    # for a permission reply ACCEPTED or REJECTED.
    status = fields.CharField(max_length=32)
    started_at = fields.DatetimeField(null=True)
    connected_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    duration_seconds = fields.IntField(null=True)
    permission_expires_at = fields.DatetimeField(null=True)
    permanent_permission = fields.BooleanField(null=True)
    # What Meta said, in the order it was applied (SDP bodies left out).
    history: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)

    class Meta:
        table = "whatsapp_call"
        indexes = (
            Index(fields=("contact_id", "created_at"), name="idx_call_contact_created"),
            Index(fields=("created_at", "id"), name="idx_call_created"),
        )
