"""What a Meta webhook delivery means: the envelope walked, each item applied on its own.

`entry`, `changes`, `messages` and `statuses` are all arrays; every item is applied
idempotently, so a delivery may be processed again (a retry, a replay) without effect.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q

from models import WhatsAppTemplate
from whatsapp.events.log import emit_event
from whatsapp.inbound.customer_messages import apply_inbound_message
from whatsapp.messages.statuses import apply_status

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Applied:
    """Counts of what one delivery changed (duplicates count as skipped)."""

    messages: int = 0
    statuses: int = 0
    templates: int = 0
    skipped: int = 0
    ignored_fields: int = 0


class MalformedWebhook(ValueError):
    """A signed body that is not a WhatsApp webhook: retrying will not help."""


async def apply_webhook(payload: Any) -> Applied:
    if not isinstance(payload, Mapping) or not isinstance(payload.get("entry"), list):
        raise MalformedWebhook("not a webhook envelope: no entry list")
    applied = Applied()
    for entry in payload["entry"]:
        for change in entry.get("changes") or []:
            await _apply_change(entry, change, applied)
    return applied


async def _apply_change(
    entry: Mapping[str, Any], change: Mapping[str, Any], applied: Applied
) -> None:
    field = change.get("field")
    value = change.get("value") or {}
    if field == "messages":
        await _apply_messages_value(value, applied)
    elif field in (
        "message_template_status_update",
        "message_template_quality_update",
        "template_category_update",
    ):
        applied.templates += await _apply_template_update(str(entry.get("id", "")), field, value)
    else:
        applied.ignored_fields += 1
        log.info("ignoring webhook field %r", field)


async def _apply_messages_value(value: Mapping[str, Any], applied: Applied) -> None:
    phone_number_id = str((value.get("metadata") or {}).get("phone_number_id") or "")
    names = {
        str(c.get("wa_id")): (c.get("profile") or {}).get("name")
        for c in value.get("contacts") or []
    }
    for status in value.get("statuses") or []:
        if await apply_status(status, phone_number_id=phone_number_id or None):
            applied.statuses += 1
        else:
            applied.skipped += 1
    for message in value.get("messages") or []:
        stored = await apply_inbound_message(
            message, phone_number_id=phone_number_id, profile_name=names.get(str(message["from"]))
        )
        if stored is None:
            applied.skipped += 1
        else:
            applied.messages += 1
    for error in value.get("errors") or []:
        await emit_event(
            "webhook.error",
            source="webhook",
            properties={"phoneNumberId": phone_number_id, "error": error},
        )


async def _apply_template_update(waba_id: str, field: str, value: Mapping[str, Any]) -> int:
    """Keep the local copy of a template in step with Meta's review and quality changes."""
    name = value.get("message_template_name")
    language = value.get("message_template_language")
    meta_id = value.get("message_template_id")
    changes: dict[str, Any] = {}
    if field == "message_template_status_update" and value.get("event"):
        changes["status"] = str(value["event"])
        if value.get("reason") and value["reason"] != "NONE":
            changes["rejected_reason"] = str(value["reason"])
    elif field == "message_template_quality_update" and value.get("new_quality_score"):
        changes["quality_score"] = str(value["new_quality_score"])
    elif field == "template_category_update" and value.get("new_category"):
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
    differs = Q(**{f"{field_name}__isnull": True}) | ~Q(**{field_name: new_value})
    updated = await query.filter(differs).update(**changes)
    if updated:
        await _template_event(waba_id, field, value, changes)
    return updated


async def _template_event(
    waba_id: str, field: str, value: Mapping[str, Any], changes: Mapping[str, Any]
) -> None:
    await emit_event(
        "template.status_updated"
        if field == "message_template_status_update"
        else "template.updated",
        source="webhook",
        properties={
            "wabaId": waba_id,
            "name": value.get("message_template_name"),
            "language": value.get("message_template_language"),
            "templateId": str(value.get("message_template_id") or ""),
            **changes,
        },
    )
