"""What a Meta webhook delivery means: cut into items, each applied on its own.

Every item is applied idempotently (Meta's ids, unique constraints, ids derived from content),
so a delivery may be processed again — a retry, a replay — without effect. One item never
holds up the others: an item whose shape is wrong (a missing key, a string where a number was
expected) is set aside as a dead letter with its reason and the rest of the delivery is
applied; only a transient failure (the database or the network away) makes the delivery retry,
and on its last attempt whatever still fails is set aside too, so nothing waits for ever.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import WebhookDeadLetter, WhatsAppAnalyticsEvent
from whatsapp.accounts import updates as account_updates
from whatsapp.calls import webhooks as calls
from whatsapp.events.log import emit_event, emit_events
from whatsapp.inbound import dead_letters, echoes, edits, groups, people, timestamps
from whatsapp.inbound.customer_messages import KNOWN_TYPES, apply_inbound_message
from whatsapp.inbound.items import MALFORMED, VALUE, WebhookItem, split
from whatsapp.inbound.preferences import apply_preference
from whatsapp.kit.clock import utcnow
from whatsapp.messages.statuses import apply_status
from whatsapp.templates import updates as template_updates

log = logging.getLogger(__name__)

# Namespace of the ids of `webhook.unhandled` events (derived from their content).
_UNHANDLED_NAMESPACE = uuid.UUID("8f0d2a1e-5b7c-4c8e-9a61-3f2b7d9e4c10")


@dataclass(slots=True)
class Applied:
    """What one delivery did: a count per outcome (`messages`, `statuses`, `duplicates`…)
    and the items set aside as dead letters."""

    counts: Counter[str] = field(default_factory=Counter)
    dead_letters: int = 0

    def __getitem__(self, outcome: str) -> int:
        return self.counts[outcome]


class MalformedWebhook(ValueError):
    """A signed body that is not a WhatsApp webhook: retrying will not help."""


class BadItem(ValueError):
    """An item that cannot be applied as it is (its shape, not the moment)."""


@dataclass(frozen=True, slots=True)
class DeliveryRef:
    """Which stored delivery is being applied, and whether this is its last attempt."""

    id: uuid.UUID | None = None
    final: bool = False


async def apply_webhook(payload: Any, *, delivery: DeliveryRef | None = None) -> Applied:
    """Apply every item of a delivery; raises only for a transient failure (to be retried)."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("entry"), list):
        raise MalformedWebhook("not a webhook envelope: no entry list")
    delivery = delivery or DeliveryRef()
    applied = Applied()
    for item in split(payload):
        try:
            applied.counts[await apply_item(item)] += 1
        except Exception as exc:
            if not (dead_letters.is_permanent(exc) or delivery.final):
                raise
            applied.dead_letters += await dead_letters.set_aside(item, exc, delivery.id)
    return applied


async def apply_item(item: WebhookItem) -> str:
    """Apply one item; returns what it was counted as. Raises when it cannot be applied."""
    if item.kind == VALUE:
        handler = FIELD_HANDLERS.get(item.field, _unhandled)
    else:
        handler = KIND_HANDLERS.get(item.kind, _unhandled)
    if handler is not _unhandled:
        # What wagraph stores must have plausible times; what it keeps raw may say anything.
        timestamps.check_item(item.body)
    return await handler(item)


async def replay_dead_letters(ids: list[uuid.UUID]) -> list[WebhookDeadLetter]:
    """Apply set-aside items again (after a fix); each is applied at most once."""
    return await dead_letters.replay_many(ids, apply_item)


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


def _body(item: WebhookItem) -> Mapping[str, Any]:
    if not isinstance(item.body, Mapping):
        raise BadItem(f"a {item.kind} item is not an object: {type(item.body).__name__}")
    return item.body


async def _unhandled(item: WebhookItem) -> str:
    """A field, array or message type wagraph does not know: kept raw as an event."""
    field_name = item.field if item.kind == VALUE else f"{item.field}.{item.array}"
    recorded = await record_unhandled(item.waba_id, field_name, item.body)
    return "unhandled" if recorded else "duplicates"


async def _malformed(item: WebhookItem) -> str:
    raise BadItem(item.problem or "malformed webhook item")


async def _message(item: WebhookItem) -> str:
    body = _body(item)
    kind = body.get("type")
    if kind in edits.TYPES:
        return await edits.apply(item)
    stored = await apply_inbound_message(
        body, phone_number_id=item.phone_number_id, sender=people.sender(body, item.contacts)
    )
    if kind not in KNOWN_TYPES:
        await _unhandled(item)  # stored as UNSUPPORTED, and kept raw for whoever handles it
    if calls.is_permission_reply(body):
        await calls.apply_permission_reply(item)
    return "duplicates" if stored is None else "messages"


async def _status(item: WebhookItem) -> str:
    body = _body(item)
    if calls.is_call_status(body):
        return await calls.apply_call_status(item)
    recorded = await apply_status(
        body,
        phone_number_id=item.phone_number_id or None,
        recipient=people.recipient(body, item.contacts),
    )
    return "statuses" if recorded else "duplicates"


async def _error(item: WebhookItem) -> str:
    await emit_event(
        "webhook.error",
        source="webhook",
        properties={
            "field": item.field,
            "phoneNumberId": item.phone_number_id,
            "error": item.body,
        },
    )
    return "errors"


async def _preference(item: WebhookItem) -> str:
    recorded = await apply_preference(_body(item), item.contacts)
    return "preferences" if recorded else "duplicates"


async def _template_update(item: WebhookItem) -> str:
    changed = await template_updates.apply_template_update(item.waba_id, item.field, _body(item))
    return "templates" if changed else "duplicates"


ItemHandler = Callable[[WebhookItem], Awaitable[str]]
"""Apply one item, idempotently; return what it counts as (`messages`, `duplicates`…)."""

# Items of the arrays Meta sends (see items.ARRAYS), by kind.
KIND_HANDLERS: dict[str, ItemHandler] = {
    "message": _message,
    "status": _status,
    "error": _error,
    "preference": _preference,
    "call": calls.apply_call,
    "echo": echoes.apply_echo,
    MALFORMED: _malformed,
}
# Fields whose value is one item, by field name; any other field is kept as unhandled.
FIELD_HANDLERS: dict[str, ItemHandler] = {
    **{name: _template_update for name in template_updates.FIELDS},
    **{name: account_updates.apply_account_update for name in account_updates.FIELDS},
    **{name: groups.apply_group_update for name in groups.FIELDS},
}
