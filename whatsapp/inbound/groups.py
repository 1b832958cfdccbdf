"""Group webhooks (Groups API): lifecycle, participants, settings and status of a group.

Each field's value holds a `groups[]` array; every entry names its group by Meta's id (the row
is created on first sight, `conversations.groups.ensure_group`), and each is applied in its own
transaction with a `group.*` event whose id is derived from the entry's content: a copy of an
entry (a redelivery, a replay) fails on that primary key and rolls back with it whatever it
would have changed, so it changes nothing twice. An entry Meta reports as failed (`errors`)
changes nothing on the group and emits `group.<change>_failed`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

import orjson
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import WhatsAppAnalyticsEvent, WhatsAppGroup
from whatsapp.conversations.groups import ensure_group
from whatsapp.events.log import emit_events
from whatsapp.inbound.items import WebhookItem
from whatsapp.kit.clock import utcnow

LIFECYCLE = "group_lifecycle_update"
PARTICIPANTS = "group_participants_update"
SETTINGS = "group_settings_update"
STATUS = "group_status_update"
FIELDS: tuple[str, ...] = (LIFECYCLE, PARTICIPANTS, SETTINGS, STATUS)

# Meta's lifecycle state of a group, as the webhooks say it.
ACTIVE, DELETED, SUSPENDED = "ACTIVE", "DELETED", "SUSPENDED"
_STATE_OF_TYPE = {
    "group_create": ACTIVE,
    "group_delete": DELETED,
    "group_suspend": SUSPENDED,
    "group_suspend_cleared": ACTIVE,
}
_EVENT_OF_TYPE = {
    "group_create": "group.created",
    "group_delete": "group.deleted",
    "group_suspend": "group.suspended",
    "group_suspend_cleared": "group.suspension_cleared",
    "group_participants_add": "group.participants_added",
    "group_participants_remove": "group.participants_removed",
}
_NAMESPACE = uuid.UUID("5e7d9c2b-1f4a-4b8e-9d3c-6a2f8e1b7c45")


async def apply_group_update(item: WebhookItem) -> str:
    """Apply every `groups[]` entry of one group field; "duplicates" when none changed."""
    value = item.body
    if not isinstance(value, Mapping):
        raise TypeError(f"the value of {item.field} is not an object")
    entries = value["groups"]
    if not isinstance(entries, list):
        raise TypeError("groups is not a list")
    metadata = value.get("metadata") or {}
    phone_number_id = str(metadata.get("phone_number_id") or "") or None
    applied = 0
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise TypeError("a groups[] entry is not an object")
        applied += await _apply_entry(item.field, entry, phone_number_id)
    return "groups" if applied else "duplicates"


async def _apply_entry(field: str, entry: Mapping[str, Any], phone_number_id: str | None) -> int:
    group = await ensure_group(entry["group_id"], phone_number_id)
    kind = str(entry.get("type") or "")
    failed = bool(entry.get("errors"))
    name = _event_name(field, kind) + ("_failed" if failed else "")
    event = WhatsAppAnalyticsEvent(
        id=_event_id(field, entry),
        created_at=utcnow(),
        name=name,
        source="webhook",
        properties={"groupId": group.meta_id, "group": str(group.id), "field": field, **entry},
    )
    try:
        async with in_transaction() as conn:
            await emit_events([event], using_db=conn)
            if not failed:
                await _change(group, field, kind, entry, conn)
    except IntegrityError:
        return 0
    return 1


async def _change(
    group: WhatsAppGroup, field: str, kind: str, entry: Mapping[str, Any], conn: BaseDBAsyncClient
) -> None:
    """What one entry changes on the group's row."""
    row = await WhatsAppGroup.filter(id=group.id).using_db(conn).select_for_update().get()
    changes: dict[str, Any] = {}
    if kind in _STATE_OF_TYPE:
        changes["state"] = _STATE_OF_TYPE[kind]
    if field == LIFECYCLE:
        changes.update(_texts(entry.get("subject"), entry.get("description")))
    elif field == SETTINGS:
        subject = _text_of(entry, "group_subject")
        changes.update(_texts(subject, _text_of(entry, "group_description")))
        settings = {k: v for k, v in entry.items() if k not in ("group_id", "timestamp", "type")}
        changes["settings"] = {**(row.settings or {}), **settings}
    elif field == PARTICIPANTS:
        changes["participants"] = _participants_after(row.participants or [], kind, entry)
    if changes:
        await WhatsAppGroup.filter(id=group.id).using_db(conn).update(**changes)


def _participants_after(
    current: list[dict[str, Any]], kind: str, entry: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The participant list after an add or a remove (a join request changes nothing)."""
    added = _people(entry.get("added_participants"))
    removed = _people(entry.get("removed_participants"))
    if kind.endswith("_add") or (added and not removed):
        known = {_key(p) for p in current}
        return current + [p for p in added if _key(p) not in known]
    if removed:
        gone = {_key(p) for p in removed} | {p["waId"] for p in removed if p.get("waId")}
        return [p for p in current if _key(p) not in gone and p.get("waId") not in gone]
    return current


def _people(raw: Any) -> list[dict[str, Any]]:
    """Participants as Meta lists them: objects with wa_id / user_id, or bare ids."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise TypeError("a participant list is not a list")
    people = []
    for entry in raw:
        if isinstance(entry, str):
            people.append({"waId": entry, "bsuid": None})
        elif isinstance(entry, Mapping):
            people.append({"waId": entry.get("wa_id"), "bsuid": entry.get("user_id")})
        else:
            raise TypeError(f"a participant is neither an id nor an object: {entry!r}")
    return people


def _key(person: Mapping[str, Any]) -> str:
    return str(person.get("bsuid") or person.get("waId") or "")


def _texts(subject: Any, description: Any) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if isinstance(subject, str):
        changes["subject"] = subject[:512]
    if isinstance(description, str):
        changes["description"] = description
    return changes


def _text_of(entry: Mapping[str, Any], key: str) -> Any:
    """`group_subject: {"text": …}`, or a bare string."""
    found = entry.get(key)
    return found.get("text") if isinstance(found, Mapping) else found


def _event_name(field: str, kind: str) -> str:
    if kind in _EVENT_OF_TYPE:
        return _EVENT_OF_TYPE[kind]
    if field == SETTINGS:
        return "group.settings_updated"
    if kind.startswith("group_"):
        return f"group.{kind.removeprefix('group_')}"  # e.g. group.join_request_created
    return f"group.{field.removeprefix('group_').removesuffix('_update')}_updated"


def _event_id(field: str, entry: Mapping[str, Any]) -> uuid.UUID:
    raw = orjson.dumps([field, entry], option=orjson.OPT_SORT_KEYS, default=str)
    return uuid.uuid5(_NAMESPACE, hashlib.sha256(raw).hexdigest())
