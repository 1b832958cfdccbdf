"""A customer journey: a Flow run or a conversation, with its state and the service window."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index

from models.base import TimestampedModel
from models.enums import SessionStatus

if TYPE_CHECKING:
    from models.contact import WhatsAppContact


class WhatsAppSession(TimestampedModel):
    contact: fields.ForeignKeyNullableRelation[WhatsAppContact] = fields.ForeignKeyField(
        "models.WhatsAppContact", related_name="sessions", null=True, on_delete=fields.SET_NULL
    )
    contact_id: uuid.UUID | None
    phone_number_id = fields.CharField(max_length=32, null=True)
    flow = fields.CharField(max_length=128, null=True)
    flow_token = fields.CharField(max_length=200, unique=True, null=True)
    status = fields.CharEnumField(SessionStatus, max_length=16, default=SessionStatus.ACTIVE)
    context: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    tags: fields.JSONField[list[str]] = fields.JSONField(default=list)
    last_inbound_at = fields.DatetimeField(null=True)
    started_at = fields.DatetimeField(auto_now_add=True)
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "whatsapp_session"
        indexes = (
            Index(fields=("contact_id", "updated_at"), name="idx_session_contact_updated"),
            Index(fields=("status", "updated_at"), name="idx_session_status_updated"),
            Index(fields=("updated_at", "id"), name="idx_session_updated"),
            Index(fields=("phone_number_id", "updated_at"), name="idx_session_number_updated"),
            Index(fields=("last_inbound_at",), name="idx_session_last_inbound"),
            # PostgreSQL also has a GIN index on tags (containment), hand-written in
            # migrations/postgres; SQLite scans for a tag (json_each cannot be indexed).
            # flowSessions: who is where in a Flow, by flow and status, newest first.
            Index(
                fields=("flow", "status", "updated_at", "id"),
                name="idx_session_flow_status_updated",
            ),
            # flowStats: journeys started in a range, per flow.
            Index(fields=("started_at", "flow"), name="idx_session_started_flow"),
        )
