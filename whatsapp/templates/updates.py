"""Meta's template webhooks: keep the local copy in step with review, quality and category."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.expressions import Q

from models import WhatsAppTemplate
from whatsapp.events.log import emit_event

STATUS_UPDATE = "message_template_status_update"
QUALITY_UPDATE = "message_template_quality_update"
CATEGORY_UPDATE = "template_category_update"
FIELDS = (STATUS_UPDATE, QUALITY_UPDATE, CATEGORY_UPDATE)


async def apply_template_update(waba_id: str, field: str, value: Mapping[str, Any]) -> int:
    """Keep the local copy of a template in step with Meta's review and quality changes."""
    name = value.get("message_template_name")
    language = value.get("message_template_language")
    meta_id = value.get("message_template_id")
    changes: dict[str, Any] = {}
    if field == STATUS_UPDATE and value.get("event"):
        changes["status"] = str(value["event"])
        if value.get("reason") and value["reason"] != "NONE":
            changes["rejected_reason"] = str(value["reason"])
    elif field == QUALITY_UPDATE and value.get("new_quality_score"):
        changes["quality_score"] = str(value["new_quality_score"])
    elif field == CATEGORY_UPDATE and value.get("new_category"):
        changes["category"] = str(value["new_category"])
    if not changes:
        return 0
    # Only rows not already in that state change, so a replayed update emits nothing new.
    if meta_id is not None:
        query = WhatsAppTemplate.filter(meta_id=str(meta_id))
    else:
        query = WhatsAppTemplate.filter(name=name, language=language)
        if waba_id:
            query = query.filter(waba_id=waba_id)
    field_name, new_value = next(iter(changes.items()))
    is_null: dict[str, Any] = {f"{field_name}__isnull": True}
    differs = Q(**is_null) | ~Q(**{field_name: new_value})
    updated = await query.filter(differs).update(**changes)
    if updated:
        await _template_event(waba_id, field, value, changes)
    return updated


async def _template_event(
    waba_id: str, field: str, value: Mapping[str, Any], changes: Mapping[str, Any]
) -> None:
    await emit_event(
        "template.status_updated" if field == STATUS_UPDATE else "template.updated",
        source="webhook",
        properties={
            "wabaId": waba_id,
            "name": value.get("message_template_name"),
            "language": value.get("message_template_language"),
            "templateId": str(value.get("message_template_id") or ""),
            **changes,
        },
    )
