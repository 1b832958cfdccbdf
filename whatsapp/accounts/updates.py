"""The business account and its phone numbers as Meta reports them (review, bans, quality,
display names, capabilities): each webhook updates the latest state of one row and records an
event (`account.*`, `phone_number.*`) automations can react to (quality dropped to RED →
notify).

Idempotent: the row keeps the last value of each field it was told (`details`); a value equal
to it (a redelivery, a replay) changes nothing. The event's id is derived from the content and
from the row's state before it, so two copies racing in two processes collide on the event's
primary key (the loser reruns and finds the winner's work), while the same words said again
later, after something else, are a new event.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

import orjson
from tortoise.backends.base.client import BaseDBAsyncClient

from models import WhatsAppAnalyticsEvent, WhatsAppBusinessAccount, WhatsAppPhoneNumber
from whatsapp.accounts.readers import (
    ACCOUNT,
    ACCOUNT_UPDATE,
    CAPABILITY_UPDATE,
    NAME_UPDATE,
    QUALITY_UPDATE,
    REVIEW_UPDATE,
    Update,
    read,
)
from whatsapp.conversations.identities import identity_transaction
from whatsapp.events.log import emit_events
from whatsapp.inbound.items import WebhookItem
from whatsapp.kit.clock import utcnow

FIELDS: tuple[str, ...] = (
    ACCOUNT_UPDATE,
    REVIEW_UPDATE,
    QUALITY_UPDATE,
    NAME_UPDATE,
    CAPABILITY_UPDATE,
)
# Names the ids of account and number events.
_NAMESPACE = uuid.UUID("b7e4a2c9-0d51-4f3e-8a96-1c2d5e7f9b03")

Row = WhatsAppBusinessAccount | WhatsAppPhoneNumber


async def apply_account_update(item: WebhookItem) -> str:
    """Apply one account or number webhook; "accounts" when it changed something."""
    if not isinstance(item.body, Mapping):
        raise TypeError(f"the value of {item.field} is not an object")
    value = item.body
    update = read(item.waba_id, item.field, value)

    async def apply(conn: BaseDBAsyncClient) -> bool:
        row = await _row(update, conn)
        details = dict(row.details or {})
        if item.field in details and details[item.field] == _plain(value):
            return False  # said already: a copy
        ident = _event_id(update, item.field, value, details.get(item.field), row)
        previous = {name: getattr(row, column) for name, column in update.previous.items()}
        row.update_from_dict(update.changes)
        row.details = {**details, item.field: _plain(value)}
        row.last_event_at = utcnow()
        await row.save(using_db=conn)
        event = WhatsAppAnalyticsEvent(
            id=ident,
            created_at=row.last_event_at,
            name=update.event,
            source="webhook",
            properties={"wabaId": item.waba_id or None, **update.properties, **previous},
        )
        await emit_events([event], using_db=conn)
        return True

    # A race for a new row or for the event's id is lost on a unique constraint: run again.
    changed = await identity_transaction(apply)
    return "accounts" if changed else "duplicates"


async def _row(update: Update, conn: BaseDBAsyncClient) -> Row:
    """The row this update is about, locked; a new (unsaved) one when it is the first word."""
    if update.target == ACCOUNT:
        account = (
            await WhatsAppBusinessAccount.filter(waba_id=update.key)
            .select_for_update()
            .using_db(conn)
            .first()
        )
        return account or WhatsAppBusinessAccount(waba_id=update.key, restrictions=[], details={})
    number = (
        await WhatsAppPhoneNumber.filter(display_phone_number=update.key)
        .select_for_update()
        .using_db(conn)
        .first()
    )
    return number or WhatsAppPhoneNumber(display_phone_number=update.key, details={})


def _event_id(update: Update, field: str, value: Any, said_before: Any, row: Row) -> uuid.UUID:
    before = row.last_event_at.isoformat() if row.last_event_at else None
    raw = orjson.dumps(
        [update.target, update.key, field, value, said_before, before],
        option=orjson.OPT_SORT_KEYS,
        default=str,
    )
    return uuid.uuid5(_NAMESPACE, hashlib.sha256(raw).hexdigest())


def _plain(value: Mapping[str, Any]) -> Any:
    """The value as JSON gives it back (what `details` holds after a round trip)."""
    return orjson.loads(orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str))
