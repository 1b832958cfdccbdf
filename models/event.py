"""The analytics event log: one row per significant thing that happened."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index

from models.base import BaseModel

if TYPE_CHECKING:
    from models.contact import WhatsAppContact
    from models.message import WhatsAppMessage
    from models.session import WhatsAppSession


class WhatsAppAnalyticsEvent(BaseModel):
    name = fields.CharField(max_length=128)
    source = fields.CharField(max_length=64)
    properties: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    message: fields.ForeignKeyNullableRelation[WhatsAppMessage] = fields.ForeignKeyField(
        "models.WhatsAppMessage", related_name="events", null=True, on_delete=fields.SET_NULL
    )
    message_id: uuid.UUID | None
    session: fields.ForeignKeyNullableRelation[WhatsAppSession] = fields.ForeignKeyField(
        "models.WhatsAppSession", related_name="events", null=True, on_delete=fields.SET_NULL
    )
    session_id: uuid.UUID | None
    contact: fields.ForeignKeyNullableRelation[WhatsAppContact] = fields.ForeignKeyField(
        "models.WhatsAppContact", related_name="events", null=True, on_delete=fields.SET_NULL
    )
    contact_id: uuid.UUID | None
    caused_by_automation_run_id = fields.UUIDField(null=True)

    class Meta:
        table = "whatsapp_analytics_event"
        indexes = (
            Index(fields=("name", "created_at"), name="idx_event_name_created"),
            Index(fields=("created_at", "id"), name="idx_event_created"),
            Index(fields=("session_id", "created_at"), name="idx_event_session_created"),
            Index(fields=("contact_id", "created_at"), name="idx_event_contact_created"),
            Index(fields=("source", "created_at"), name="idx_event_source_created"),
            Index(fields=("message_id",), name="idx_event_message"),
            # PostgreSQL also has expression indexes on the template, phoneNumberId and flow
            # properties with created_at (analytics filters; hand-written in migrations/postgres).
            # PostgreSQL also has (name COLLATE "C", created_at): name patterns are ranges on
            # it (hand-written in migrations/postgres, as Tortoise cannot say COLLATE).
        )
