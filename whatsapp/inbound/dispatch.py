"""What a Meta webhook delivery means: the envelope walked, each item applied on its own.

`entry`, `changes`, `messages` and `statuses` are all arrays; every item is applied
idempotently, so a delivery may be processed again (a retry, a replay) without effect.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import WhatsAppAnalyticsEvent
from whatsapp.events.log import emit_event, emit_events
from whatsapp.inbound import people
from whatsapp.inbound.customer_messages import apply_inbound_message
from whatsapp.inbound.preferences import apply_preference
from whatsapp.kit.clock import utcnow
from whatsapp.messages.statuses import apply_status
from whatsapp.templates import updates as template_updates

log = logging.getLogger(__name__)

# Namespace of the ids of `webhook.unhandled` events (derived from their content).
_UNHANDLED_NAMESPACE = uuid.UUID("8f0d2a1e-5b7c-4c8e-9a61-3f2b7d9e4c10")


@dataclass(slots=True)
class Applied:
    """Counts of what one delivery changed (duplicates count as skipped)."""

    messages: int = 0
    statuses: int = 0
    templates: int = 0
    preferences: int = 0
    skipped: int = 0
    unhandled: int = 0  # fields kept raw as `webhook.unhandled` events


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
        applied.unhandled += await record_unhandled(str(entry.get("id", "")), field, value)
        return
    await handler(str(entry.get("id", "")), field, value, applied)


async def record_unhandled(waba_id: str, field: str, value: Any) -> int:
    """A field wagraph does not know yet is kept, raw, as a `webhook.unhandled` event (which
    automations can react to), never dropped. Its id is derived from its content, so a copy of
    it (a redelivery, a replay) is refused by the primary key: 1 when recorded, 0 for a copy."""
    raw = orjson.dumps([waba_id, field, value], option=orjson.OPT_SORT_KEYS, default=str)
    event = WhatsAppAnalyticsEvent(
        id=uuid.uuid5(_UNHANDLED_NAMESPACE, hashlib.sha256(raw).hexdigest()),
        created_at=utcnow(),
        name="webhook.unhandled",
        source="webhook",
        properties={"wabaId": waba_id, "field": field, "value": value},
    )
    try:
        async with in_transaction() as conn:
            await emit_events([event], using_db=conn)
    except IntegrityError:
        return 0
    log.info("webhook field %r is not handled yet; kept as a webhook.unhandled event", field)
    return 1


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
