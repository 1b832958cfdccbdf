"""What a Meta webhook delivery means: the envelope walked, each item applied on its own.

`entry`, `changes`, `messages` and `statuses` are all arrays; every item is applied
idempotently, so a delivery may be processed again (a retry, a replay) without effect.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from whatsapp.events.log import emit_event
from whatsapp.inbound import people
from whatsapp.inbound.customer_messages import apply_inbound_message
from whatsapp.inbound.preferences import apply_preference
from whatsapp.messages.statuses import apply_status
from whatsapp.templates import updates as template_updates

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Applied:
    """Counts of what one delivery changed (duplicates count as skipped)."""

    messages: int = 0
    statuses: int = 0
    templates: int = 0
    preferences: int = 0
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
    field = str(change.get("field"))
    value = change.get("value") or {}
    handler = HANDLERS.get(field)
    if handler is None:
        applied.ignored_fields += 1
        log.info("ignoring webhook field %r", field)
        return
    await handler(str(entry.get("id", "")), field, value, applied)


async def _apply_messages_value(
    waba_id: str, field: str, value: Mapping[str, Any], applied: Applied
) -> None:
    phone_number_id = str((value.get("metadata") or {}).get("phone_number_id") or "")
    contacts = value.get("contacts") or []
    for status in value.get("statuses") or []:
        if await apply_status(
            status,
            phone_number_id=phone_number_id or None,
            recipient=people.recipient(status, contacts),
        ):
            applied.statuses += 1
        else:
            applied.skipped += 1
    for message in value.get("messages") or []:
        stored = await apply_inbound_message(
            message, phone_number_id=phone_number_id, sender=people.sender(message, contacts)
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


async def _apply_user_preferences(
    waba_id: str, field: str, value: Mapping[str, Any], applied: Applied
) -> None:
    contacts = value.get("contacts") or []
    for item in value.get("user_preferences") or []:
        if await apply_preference(item, contacts):
            applied.preferences += 1
        else:
            applied.skipped += 1


async def _apply_template_update(
    waba_id: str, field: str, value: Mapping[str, Any], applied: Applied
) -> None:
    applied.templates += await template_updates.apply_template_update(waba_id, field, value)


FieldHandler = Callable[[str, str, Mapping[str, Any], Applied], Awaitable[None]]
"""`(waba_id, field, value, applied)`: apply one change of that field, idempotently."""

# Each webhook field Meta sends (subscribed on the app), and who applies it; any other field
# is counted as ignored and logged. A new field is a handler and one line here.
HANDLERS: dict[str, FieldHandler] = {
    "messages": _apply_messages_value,
    "user_preferences": _apply_user_preferences,
    **{name: _apply_template_update for name in template_updates.FIELDS},
}
