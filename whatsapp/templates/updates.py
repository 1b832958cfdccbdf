"""Meta's template webhooks: keep the local copy in step with review, quality and category.

`template_category_update` comes in two shapes (reference §6.4, §11.6): *completed*
(`previous_category`, `new_category`: the category has changed) updates the stored category,
and so where the template's sends go (`routing.py`); *impending* (`correct_category`, with
`new_category` holding the current one and `category_update_timestamp` the date) changes
nothing yet and is recorded as a `template.category_impending` event.

`message_template_status_update` keeps, besides the status and the rejection reason, the
details of the last one (`status_details`: event, reason, `disable_info`, `other_info`, when):
why a template was paused, disabled or flagged, and until when. A copy of the same update
changes nothing; the same status with new details is an update. `message_template_components_
update` (Meta edited the template's components) is kept as the template's `components_update`,
with a `template.components_updated` event. An update about a template not stored here (never
synced) is still recorded as its event, once.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models import WhatsAppAnalyticsEvent, WhatsAppTemplate
from whatsapp.events.log import emit_event, emit_events
from whatsapp.kit.clock import utcnow

STATUS_UPDATE = "message_template_status_update"
QUALITY_UPDATE = "message_template_quality_update"
CATEGORY_UPDATE = "template_category_update"
COMPONENTS_UPDATE = "message_template_components_update"
FIELDS = (STATUS_UPDATE, QUALITY_UPDATE, CATEGORY_UPDATE, COMPONENTS_UPDATE)
CATEGORY_IMPENDING = "template.category_impending"
STATUS_UPDATED = "template.status_updated"
COMPONENTS_UPDATED = "template.components_updated"
# Names the ids of events derived from a notice's content, so a second copy collides with the
# first (the impending notice; an update about a template not stored here).
_IMPENDING_NAMESPACE = uuid.UUID("5c3b9a0e-6f1d-4c61-9d5e-2b7f0a8e4d31")


async def apply_template_update(waba_id: str, field: str, value: Mapping[str, Any]) -> int:
    """Keep the local copy of a template in step with Meta's review, quality and category."""
    if field == CATEGORY_UPDATE and value.get("correct_category"):
        return await _impending_category(waba_id, value)
    if field == STATUS_UPDATE and value.get("event"):
        return await _apply_to_rows(waba_id, field, value, _status_changes(value))
    if field == COMPONENTS_UPDATE:
        return await _apply_to_rows(waba_id, field, value, _components_changes(value))
    changes: dict[str, Any] = {}
    if field == QUALITY_UPDATE and value.get("new_quality_score"):
        changes["quality_score"] = str(value["new_quality_score"])
    elif field == CATEGORY_UPDATE and value.get("new_category"):
        changes["category"] = str(value["new_category"]).upper()
    if not changes:
        return 0
    # Only rows not already in that state change, so a replayed update emits nothing new.
    query = _templates(waba_id, value)
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
        "template.updated",
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
    return await _content_event(CATEGORY_IMPENDING, properties, key)


async def _content_event(name: str, properties: dict[str, Any], key: str) -> int:
    """An event whose id is derived from `key`: 1 when recorded, 0 for a copy (refused by the
    primary key)."""
    event = WhatsAppAnalyticsEvent(
        id=uuid.uuid5(_IMPENDING_NAMESPACE, key),
        created_at=utcnow(),
        name=name,
        source="webhook",
        properties=properties,
    )
    try:
        async with in_transaction() as conn:
            await emit_events([event], using_db=conn)
    except IntegrityError:
        return 0  # recorded already
    return 1


# -- status details and components: compared in Python, set row by row ------------------------

# Columns holding a JSON object whose `at` (when we heard it) is not part of what Meta said.
_STAMPED = {"status_details": "statusDetails", "components_update": "componentsUpdate"}


def _status_changes(value: Mapping[str, Any]) -> dict[str, Any]:
    event = str(value["event"]).upper()
    reason = value.get("reason")
    reason = None if reason in (None, "", "NONE") else str(reason)
    disable = value.get("disable_info")
    if disable is None and value.get("disable_date") is not None:
        disable = {"disable_date": value["disable_date"]}  # the older, top-level spelling
    changes: dict[str, Any] = {
        "status": event,
        "status_details": {
            "event": event,
            "reason": reason,
            "disableInfo": _object(disable, "disable_info"),
            "otherInfo": _object(value.get("other_info"), "other_info"),
            "at": utcnow().isoformat(),
        },
    }
    if reason is not None:
        changes["rejected_reason"] = reason[:64]
    return changes


def _components_changes(value: Mapping[str, Any]) -> dict[str, Any]:
    buttons = value.get("message_template_buttons") or []
    if not isinstance(buttons, list):
        raise TypeError("message_template_buttons is not a list")
    return {
        "components_update": {
            "body": value.get("message_template_element"),
            "title": value.get("message_template_title"),
            "footer": value.get("message_template_footer"),
            "buttons": [_button(_object(button, "a button") or {}) for button in buttons],
            "at": utcnow().isoformat(),
        }
    }


def _button(button: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": button.get("message_template_button_type"),
        "text": button.get("message_template_button_text"),
        "url": button.get("message_template_button_url"),
        "phoneNumber": button.get("message_template_button_phone_number"),
    }


async def _apply_to_rows(
    waba_id: str, field: str, value: Mapping[str, Any], changes: dict[str, Any]
) -> int:
    """Set `changes` on the templates the update names, with its event, in one transaction;
    rows already so (`at` aside) are left alone, so a copy of the update changes nothing."""
    name = STATUS_UPDATED if field == STATUS_UPDATE else COMPONENTS_UPDATED
    properties = {**_identity(waba_id, value)}
    properties.update({_STAMPED.get(column, column): new for column, new in changes.items()})
    async with in_transaction() as conn:
        rows = await _templates(waba_id, value).select_for_update().using_db(conn)
        changed = [row for row in rows if _differs(row, changes)]
        for row in changed:
            row.update_from_dict(changes)
            await row.save(update_fields=[*changes, "updated_at"], using_db=conn)
        if changed:
            await emit_event(name, source="webhook", properties=properties, using_db=conn)
    if rows:
        return len(changed)
    # Not stored here (never synced): still heard, once per distinct update.
    raw = orjson.dumps([waba_id, field, value], option=orjson.OPT_SORT_KEYS, default=str)
    return await _content_event(name, properties, hashlib.sha256(raw).hexdigest())


def _differs(row: WhatsAppTemplate, changes: Mapping[str, Any]) -> bool:
    for column, new in changes.items():
        current = getattr(row, column)
        if column in _STAMPED:
            current = {k: v for k, v in (current or {}).items() if k != "at"} if current else None
            new = {k: v for k, v in new.items() if k != "at"}
        if current != new:
            return True
    return False


def _templates(waba_id: str, value: Mapping[str, Any]) -> QuerySet[WhatsAppTemplate]:
    """The stored template(s) an update names: by Meta's id, else by name and language."""
    meta_id = value.get("message_template_id")
    if meta_id is not None:
        return WhatsAppTemplate.filter(meta_id=str(meta_id))
    query = WhatsAppTemplate.filter(
        name=value.get("message_template_name"), language=value.get("message_template_language")
    )
    return query.filter(waba_id=waba_id) if waba_id else query


def _object(value: Any, name: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} is not an object")
    return dict(value)


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
