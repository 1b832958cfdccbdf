"""Meta's template webhooks: keep the local copy in step with review, quality and category.

`template_category_update` comes in two shapes (reference §6.4, §11.6): *completed*
(`previous_category`, `new_category`: the category has changed) updates the stored category,
and so where the template's sends go (`routing.py`); *impending* (`correct_category`, with
`new_category` holding the current one and `category_update_timestamp` the date) changes
nothing yet and is recorded as a `template.category_impending` event.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models import WhatsAppAnalyticsEvent, WhatsAppTemplate
from whatsapp.events.log import emit_event, emit_events
from whatsapp.kit.clock import utcnow

STATUS_UPDATE = "message_template_status_update"
QUALITY_UPDATE = "message_template_quality_update"
CATEGORY_UPDATE = "template_category_update"
FIELDS = (STATUS_UPDATE, QUALITY_UPDATE, CATEGORY_UPDATE)
CATEGORY_IMPENDING = "template.category_impending"
# Names the impending notice's event id, so a second copy of the notice collides with the first.
_IMPENDING_NAMESPACE = uuid.UUID("5c3b9a0e-6f1d-4c61-9d5e-2b7f0a8e4d31")


async def apply_template_update(waba_id: str, field: str, value: Mapping[str, Any]) -> int:
    """Keep the local copy of a template in step with Meta's review, quality and category."""
    if field == CATEGORY_UPDATE and value.get("correct_category"):
        return await _impending_category(waba_id, value)
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
        changes["category"] = str(value["new_category"]).upper()
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
    extra = {}
    if field == CATEGORY_UPDATE and value.get("previous_category"):
        extra["previousCategory"] = str(value["previous_category"]).upper()
    await emit_event(
        "template.status_updated" if field == STATUS_UPDATE else "template.updated",
        source="webhook",
        properties={**_identity(waba_id, value), **changes, **extra},
    )


async def _impending_category(waba_id: str, value: Mapping[str, Any]) -> int:
    """Meta will recategorise the template: an event for people and automations, nothing else.

    The sends keep their route until the change is completed (Meta's routing guide). The event's
    id is derived from the notice, so a copy of it (a redelivery) is refused by the primary key.
    """
    identity = _identity(waba_id, value)
    when = value.get("category_update_timestamp")
    properties = {
        **identity,
        "category": str(value.get("new_category") or "").upper() or None,
        "correctCategory": str(value["correct_category"]).upper(),
        "categoryUpdateAt": _iso(when),
    }
    key = "|".join(str(part) for part in (*identity.values(), value["correct_category"], when))
    event = WhatsAppAnalyticsEvent(
        id=uuid.uuid5(_IMPENDING_NAMESPACE, key),
        created_at=utcnow(),
        name=CATEGORY_IMPENDING,
        source="webhook",
        properties=properties,
    )
    try:
        async with in_transaction() as conn:
            await emit_events([event], using_db=conn)
    except IntegrityError:
        return 0  # this notice was recorded already
    return 1


def _identity(waba_id: str, value: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "wabaId": waba_id,
        "name": value.get("message_template_name"),
        "language": value.get("message_template_language"),
        "templateId": str(value.get("message_template_id") or ""),
    }


def _iso(timestamp: Any) -> str | None:
    """Meta's Unix seconds (a number or a string) as ISO 8601, None when absent or unreadable."""
    try:
        return datetime.fromtimestamp(int(timestamp), tz=UTC).isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        return None
