"""A message template as Meta knows it, kept in sync by the template sync."""

from __future__ import annotations

from typing import Any

from tortoise import fields

from models.base import TimestampedModel


class WhatsAppTemplate(TimestampedModel):
    waba_id = fields.CharField(max_length=32)
    meta_id = fields.CharField(max_length=64, null=True)
    name = fields.CharField(max_length=512)
    language = fields.CharField(max_length=16)
    status = fields.CharField(max_length=32)
    category = fields.CharField(max_length=32, null=True)
    parameter_format = fields.CharField(max_length=16, default="POSITIONAL")
    components: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    quality_score = fields.CharField(max_length=16, null=True)
    rejected_reason = fields.CharField(max_length=64, null=True)
    # The last status webhook's details beyond the reason: {"event", "reason", "disableInfo",
    # "otherInfo", "at"} (why a template was paused, disabled or flagged, and until when).
    status_details: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    # The last message_template_components_update: the components as Meta now holds them.
    components_update: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    synced_at = fields.DatetimeField(null=True)
    removed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "whatsapp_template"
        unique_together = (("waba_id", "name", "language"),)
