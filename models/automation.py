"""Automations (trigger -> conditions -> actions) and the audit log of their runs."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index

from models.base import BaseModel, TimestampedModel
from models.enums import AutomationRunStatus

if TYPE_CHECKING:
    from models.contact import WhatsAppContact
    from models.event import WhatsAppAnalyticsEvent


class WhatsAppAutomation(TimestampedModel):
    name = fields.CharField(max_length=128)
    description = fields.TextField(null=True)
    trigger = fields.CharField(max_length=128)
    conditions: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    actions: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    enabled = fields.BooleanField(default=True)
    cooldown_seconds = fields.IntField(default=60)

    class Meta:
        table = "whatsapp_automation"
        indexes = (Index(fields=("enabled", "trigger"), name="idx_automation_enabled_trigger"),)


class WhatsAppAutomationRun(BaseModel):
    automation: fields.ForeignKeyRelation[WhatsAppAutomation] = fields.ForeignKeyField(
        "models.WhatsAppAutomation", related_name="runs", on_delete=fields.CASCADE
    )
    automation_id: uuid.UUID
    event: fields.ForeignKeyNullableRelation[WhatsAppAnalyticsEvent] = fields.ForeignKeyField(
        "models.WhatsAppAnalyticsEvent",
        related_name="automation_runs",
        null=True,
        on_delete=fields.SET_NULL,
    )
    event_id: uuid.UUID | None
    contact: fields.ForeignKeyNullableRelation[WhatsAppContact] = fields.ForeignKeyField(
        "models.WhatsAppContact",
        related_name="automation_runs",
        null=True,
        on_delete=fields.SET_NULL,
    )
    contact_id: uuid.UUID | None
    status = fields.CharEnumField(
        AutomationRunStatus, max_length=16, default=AutomationRunStatus.PENDING
    )
    event_name = fields.CharField(max_length=128, null=True)
    results: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    error = fields.TextField(null=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    duration_ms = fields.IntField(null=True)
    locked_until = fields.DatetimeField(null=True)

    class Meta:
        table = "whatsapp_automation_run"
        indexes = (
            Index(fields=("automation_id", "created_at"), name="idx_run_automation_created"),
            Index(fields=("automation_id", "contact_id", "created_at"), name="idx_run_cooldown"),
            Index(fields=("status", "created_at"), name="idx_run_status_created"),
            # automationStats: every run created in a range.
            Index(fields=("created_at",), name="idx_run_created"),
            # A contact's runs, and a session's (through the events that triggered them).
            Index(fields=("contact_id", "created_at"), name="idx_run_contact_created"),
            Index(fields=("event_id",), name="idx_run_event"),
        )
