"""A customer's edits (`type: edit`) and deletions (`type: revoke`) of a message they sent.

Both name the original by its wamid (`original_message_id`).

- An edit replaces the message's text and content; what it replaced is kept in `revisions`
  (oldest first, each with the edit's wamid and time) and `message.edited` is emitted. The
  message row is locked while it is read and written, and an edit whose wamid is already in
  the revisions changes nothing: a copy of an edit is a no-op, here or in another process.
  Edits applied out of order (Meta does not keep order) still leave the newest content on
  the message and each revision in its place.
- An edit of a message we never stored (sent before wagraph, or its webhook not yet here) is
  stored as the message itself, under the original's wamid, through the normal inbound path
  (its type from the new content), marked edited with an unknown previous text: a later copy
  of the original is then a duplicate, and replies quoting the original find it.
- A revoke sets `deleted_at` once (a conditional UPDATE) and emits `message.deleted`; the text
  stays stored for the record (GraphQL shows `deletedAt`, a dashboard hides it). A revoke of a
  message we never stored is still a customer's action we understood: it is kept as a
  `message.deleted` event without a message (not `webhook.unhandled`), its id derived from the
  original's wamid, so a copy adds nothing and the message, if it arrives later, is stored
  deleted (`customer_messages`).

Neither opens a session nor moves the service window: Meta lets a customer edit a message for
15 minutes after sending it, inside the window that message opened, and does not document an
edit or a deletion as a new customer message. A refused free-form send costs less than one Meta
fails with 131047.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import MessageDirection, WhatsAppAnalyticsEvent, WhatsAppMessage
from whatsapp.conversations.contacts import find_contact
from whatsapp.conversations.identities import Identity
from whatsapp.events.log import emit_event, emit_events
from whatsapp.inbound import people
from whatsapp.inbound.customer_messages import (
    INBOUND_TYPES,
    apply_inbound_message,
    preview,
    revoke_event_id,
)
from whatsapp.inbound.items import WebhookItem
from whatsapp.kit.clock import utcnow
from whatsapp.messages.statuses import meta_time

TYPES = frozenset({"edit", "revoke"})
# Keys of a message that say who wrote it and where, carried over to an edit kept on its own.
_ENVELOPE_KEYS = ("from", "from_user_id", "from_parent_user_id", "timestamp", "context", "group_id")

StoreUnknown = Callable[[Mapping[str, Any], Mapping[str, Any]], Awaitable[bool]]
"""Store a message body made of an edit of a message we never saw, with these columns set;
False when a message with its wamid is already stored."""


async def apply(item: WebhookItem, *, store_unknown: StoreUnknown | None = None) -> str:
    """Apply one edit or revoke (a customer's, or the business's own echoed from the WhatsApp
    Business app, which then passes how to store an unknown original)."""
    body = item.body
    if not isinstance(body, Mapping):
        raise TypeError(f"an {item.kind} item is not an object")
    direction = MessageDirection.OUTBOUND if item.kind == "echo" else MessageDirection.INBOUND
    if body.get("type") == "revoke":
        return await _revoke(item, body, direction)
    return await _edit(item, body, direction, store_unknown or _inbound_store(item))


# -- edits -------------------------------------------------------------------------------------


async def _edit(
    item: WebhookItem,
    body: Mapping[str, Any],
    direction: MessageDirection,
    store_unknown: StoreUnknown,
) -> str:
    edit = body["edit"]
    original = _wamid(edit["original_message_id"])
    edit_wamid = _wamid(body["id"])
    new_content = _new_content(edit)
    at = meta_time(body["timestamp"])
    for _ in range(2):
        outcome = await _edit_known(original, edit_wamid, new_content, at, direction, item)
        if outcome is not None:
            return outcome
        marked = {"edited_at": at, "revisions": [_revision(None, None, at, edit_wamid)]}
        synthetic = {
            **{key: body[key] for key in _ENVELOPE_KEYS if key in body},
            **new_content,
            "id": original,
            "edit": {"original_message_id": original, "edit_id": edit_wamid},
        }
        if await store_unknown(synthetic, marked):
            return "messages"
        # The original was stored meanwhile (it raced this edit): apply the edit to it.
    raise RuntimeError(f"edit {edit_wamid} of {original}: the original kept changing")


def _inbound_store(item: WebhookItem) -> StoreUnknown:
    async def store(message: Mapping[str, Any], fields: Mapping[str, Any]) -> bool:
        sender = people.sender(message, item.contacts)
        if not sender:
            raise ValueError("an edit that names nobody (no from_user_id, no from)")
        stored = await apply_inbound_message(
            message, phone_number_id=item.phone_number_id, sender=sender, fields=fields
        )
        return stored is not None

    return store


async def _edit_known(
    original: str,
    edit_wamid: str,
    new_content: dict[str, Any],
    at: datetime,
    direction: MessageDirection,
    item: WebhookItem,
) -> str | None:
    """Apply the edit to the stored original; None when there is no such message."""
    async with in_transaction() as conn:
        message = (
            await WhatsAppMessage.filter(wamid=original).using_db(conn).select_for_update().first()
        )
        if message is None:
            return None
        if message.direction != direction:
            raise ValueError(f"edit {edit_wamid} names {original}, which its sender did not write")
        revisions = list(message.revisions or [])
        if any(r.get("editWamid") == edit_wamid for r in revisions):
            return "duplicates"
        old_text = message.text
        changes = _edited(message, revisions, new_content, at, edit_wamid)
        await WhatsAppMessage.filter(id=message.id).using_db(conn).update(**changes)
        await emit_event(
            "message.edited",
            source="webhook",
            properties={
                "wamid": original,
                "editWamid": edit_wamid,
                "type": new_content["type"],
                "oldText": old_text,
                "newText": changes.get("text", old_text),
                "editedAt": at.isoformat(),
                "phoneNumberId": message.phone_number_id or item.phone_number_id,
            },
            message_id=message.id,
            session_id=message.session_id,
            contact_id=message.contact_id,
            using_db=conn,
        )
    return "edits"


def _edited(
    message: WhatsAppMessage,
    revisions: list[dict[str, Any]],
    new_content: dict[str, Any],
    at: datetime,
    edit_wamid: str,
) -> dict[str, Any]:
    """The columns an edit changes. The newest edit sets the text and content; an older one
    arriving late slots in before the revision of the edit that followed it."""
    text = preview(new_content)
    content = {**(message.content or {}), **new_content}
    later = next(
        (i for i, r in enumerate(revisions) if datetime.fromisoformat(r["replacedAt"]) > at),
        None,
    )
    if later is None:
        revisions.append(_revision(message.text, message.content, at, edit_wamid))
        kind = INBOUND_TYPES.get(new_content["type"])
        changes: dict[str, Any] = {"text": text, "content": content, "edited_at": at}
        if kind is not None and message.direction == MessageDirection.INBOUND:
            changes["type"] = kind
        return {**changes, "revisions": revisions}
    following = revisions[later]
    revisions.insert(later, _revision(following["text"], following["content"], at, edit_wamid))
    following.update(text=text, content=content)
    return {"revisions": revisions}


def _revision(
    text: str | None, content: Mapping[str, Any] | None, at: datetime, edit_wamid: str
) -> dict[str, Any]:
    """What an edit replaced (None: a message we never saw before its edit)."""
    return {
        "text": text,
        "content": dict(content) if content is not None else None,
        "replacedAt": at.isoformat(),
        "editWamid": edit_wamid,
    }


def _new_content(edit: Mapping[str, Any]) -> dict[str, Any]:
    """The edited content as a message body: `edit.message` (with its own type), or the type's
    object beside the original's id (`edit.text`, `edit.image`…), as sources disagree."""
    message = edit.get("message")
    source: Mapping[str, Any] = message if isinstance(message, Mapping) else edit
    kind = source.get("type")
    if not isinstance(kind, str) or kind not in source:
        kind = next((key for key in INBOUND_TYPES if key in source), None)
    if kind is None:
        raise ValueError("an edit without new content (no edit.message, no edit.<type>)")
    return {"type": kind, kind: source[kind]}


def _wamid(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"a message id must be a non-empty string, not {value!r}")
    return value


# -- revokes -----------------------------------------------------------------------------------


async def _revoke(item: WebhookItem, body: Mapping[str, Any], direction: MessageDirection) -> str:
    original = _wamid(body["revoke"]["original_message_id"])
    at = meta_time(body["timestamp"])
    properties = {
        "wamid": original,
        "revokeWamid": _wamid(body["id"]),
        "deletedAt": at.isoformat(),
        "phoneNumberId": item.phone_number_id,
    }
    async with in_transaction() as conn:
        message = await WhatsAppMessage.filter(wamid=original).using_db(conn).first()
        if message is not None:
            if message.direction != direction:
                raise ValueError(f"revoke of {original}, which its sender did not write")
            deleted = (
                await WhatsAppMessage.filter(id=message.id, deleted_at__isnull=True)
                .using_db(conn)
                .update(deleted_at=at)
            )
            if not deleted:
                return "duplicates"
            await emit_event(
                "message.deleted",
                source="webhook",
                properties={**properties, "text": message.text},
                message_id=message.id,
                session_id=message.session_id,
                contact_id=message.contact_id,
                using_db=conn,
            )
            return "deletions"
    return await _revoke_unknown(item, body, original, properties)


async def _revoke_unknown(
    item: WebhookItem, body: Mapping[str, Any], original: str, properties: dict[str, Any]
) -> str:
    """Kept as an event with no message: who deleted what, and when."""
    who = people.sender(body, item.contacts)
    if item.kind == "echo":
        who = Identity.of(wa_id=body.get("to"), bsuid=body.get("to_user_id"))
    contact = await find_contact(bsuid=who.bsuid, wa_id=who.wa_id) if who else None
    event = WhatsAppAnalyticsEvent(
        id=revoke_event_id(original),
        created_at=utcnow(),
        name="message.deleted",
        source="webhook",
        properties={**properties, "known": False, **who.properties()},
        contact_id=contact.id if contact else None,
    )
    try:
        async with in_transaction() as conn:
            await emit_events([event], using_db=conn)
    except IntegrityError:
        return "duplicates"
    return "deletions"
