"""Customers' messages: stored as RECEIVED messages, opening sessions and the service window.

Each message is applied in one transaction keyed by its wamid (unique): a second copy of the
same message fails to insert and rolls back with it everything else, so a duplicate delivery
creates no second session, event, window refresh or consent change — in this process or
another. The sender is whoever Meta says (BSUID, else number): a message without a number is
a normal case. A message in a group (`group_id`) is the group's: the participant is its
contact, the group (created on first sight) its conversation and window. A Flow's completion
message (`nfm_reply`) completes the session its flow token names, or closes nothing and says
why (`flow_replies`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models import (
    MessageDirection,
    MessageStatus,
    MessageType,
    SessionStatus,
    WhatsAppContact,
    WhatsAppGroup,
    WhatsAppMessage,
    WhatsAppSession,
)
from whatsapp.conversations.groups import ensure_group, touch_group
from whatsapp.conversations.identities import Identity, identify, identity_transaction
from whatsapp.conversations.sessions import active_session
from whatsapp.events.log import emit_event
from whatsapp.inbound.flow_replies import (
    FlowMatch,
    FlowReply,
    match_flow_reply,
    read_flow_reply,
    settle_flow_reply,
)
from whatsapp.inbound.keywords import apply_consent_keywords
from whatsapp.inbound.system import apply_system_message
from whatsapp.kit.clock import utcnow
from whatsapp.kit.sql import Params, as_datetime, dialect
from whatsapp.messages.statuses import meta_time

log = logging.getLogger(__name__)

INBOUND_TYPES: dict[str, MessageType] = {
    "text": MessageType.TEXT,
    "image": MessageType.IMAGE,
    "video": MessageType.VIDEO,
    "audio": MessageType.AUDIO,
    "document": MessageType.DOCUMENT,
    "sticker": MessageType.STICKER,
    "location": MessageType.LOCATION,
    "contacts": MessageType.CONTACTS,
    "interactive": MessageType.INTERACTIVE_REPLY,
    "button": MessageType.BUTTON_REPLY,
    "reaction": MessageType.REACTION,
    "order": MessageType.ORDER,
    "system": MessageType.SYSTEM,
    # The customer opened the chat for the first time (no content): a system event of theirs.
    "request_welcome": MessageType.SYSTEM,
}
# Types Meta documents that are stored as they are (`unsupported`, older `unknown`: a type
# WhatsApp itself could not show). Any other type is stored UNSUPPORTED and also kept raw as
# a `webhook.unhandled` event (dispatch), so whoever handles it later has it whole.
KNOWN_TYPES: frozenset[str] = frozenset(INBOUND_TYPES) | {"unsupported", "unknown"}
PREVIEW_MAX = 200
_REVOKE_NAMESPACE = uuid.UUID("3c9b7f4e-2d1a-4f6b-8e5c-a7d0c1b2e394")


async def apply_inbound_message(
    item: Mapping[str, Any],
    *,
    phone_number_id: str,
    sender: Identity,
    fields: Mapping[str, Any] | None = None,
) -> WhatsAppMessage | None:
    """Store one customer message; returns None when it was already stored (or names nobody).

    The sender is found by BSUID, else by number (`identities.identify`), its row locked for
    the transaction: one customer's messages are applied one at a time, so a burst opens one
    session. A system message about the customer's ids re-keys the contact first. A message
    in a group (`group_id`) belongs to the group: no session of the participant's, and it
    moves the group's window, not the participant's (Meta's rule for groups). `fields` are
    stored on the row as given (an edit of a message we never saw marks it edited).
    """
    wamid = str(item["id"])
    if not sender:
        log.warning("customer message %s names nobody (no from_user_id, no from): skipped", wamid)
        return None
    received = _Received(
        item=item,
        wamid=wamid,
        phone_number_id=phone_number_id,
        sender=sender,
        at=meta_time(item["timestamp"]),
        flow_reply=read_flow_reply(item),
        group=await _group_of(item, phone_number_id),
        fields=fields or {},
    )

    async def apply(conn: BaseDBAsyncClient) -> WhatsAppMessage | None:
        stored, revoked = await _seen_before(wamid, conn)
        if stored:
            return None  # a redelivery
        return await _store(received, conn, revoked)

    # A second copy of this wamid, or of a new contact, racing in another process, fails on a
    # unique constraint; the transaction then runs again and sees what the other one stored.
    return await identity_transaction(apply)


@dataclass(frozen=True, slots=True)
class _Received:
    """One customer message being applied, with what was read off it before the transaction."""

    item: Mapping[str, Any]
    wamid: str
    phone_number_id: str
    sender: Identity
    at: datetime
    flow_reply: FlowReply | None
    group: WhatsAppGroup | None
    fields: Mapping[str, Any]


async def _store(
    received: _Received, conn: BaseDBAsyncClient, revoked: Mapping[str, Any]
) -> WhatsAppMessage:
    item, group = received.item, received.group
    contact = await identify(received.sender, conn, source="webhook")
    contact = await apply_system_message(item, contact, conn)
    reply_to = await _reply_target(item, conn)
    session, started, flow = None, False, None
    if group is None:  # a Flow is a 1:1 conversation's; a group's nfm_reply is only a message
        if received.flow_reply is not None:
            flow = await match_flow_reply(received.flow_reply, contact, conn)
        session, started = await _session_for(
            contact, received.phone_number_id, received.at, reply_to, flow, conn
        )
    error = (item.get("errors") or [{}])[0]
    message = await WhatsAppMessage.create(
        direction=MessageDirection.INBOUND,
        type=INBOUND_TYPES.get(str(item.get("type") or ""), MessageType.UNSUPPORTED),
        status=MessageStatus.RECEIVED,
        phone_number_id=received.phone_number_id,
        customer_wa_id=received.sender.wa_id,
        customer_bsuid=received.sender.bsuid,
        wamid=received.wamid,
        contact=contact,
        session=session,
        group=group,
        reply_to=reply_to,
        reply_to_wamid=(item.get("context") or {}).get("id"),
        text=preview(item),
        content=dict(item),
        received_at=received.at,
        error_code=error.get("code"),
        error_title=error.get("title"),
        **received.fields,
        **revoked,
        using_db=conn,
    )
    if session is not None:
        await _refresh_window(contact, session, received.at, conn)
    if group is not None:
        await touch_group(group.id, received.at, conn)
    await _emit(message, session, started, flow, conn)
    if group is None:  # a STOP written in a group is not a 1:1 opt-out
        await apply_consent_keywords(item, message, conn)
    return message


async def _group_of(item: Mapping[str, Any], phone_number_id: str) -> WhatsAppGroup | None:
    """The group a message was written in (created on first sight), or None for a 1:1."""
    if item.get("group_id") in (None, ""):
        return None
    return await ensure_group(item["group_id"], phone_number_id)


def revoke_event_id(original_wamid: str) -> uuid.UUID:
    """The id of the `message.deleted` event of a revoke naming a message we have not stored
    (derived from the wamid: a copy of the revoke adds nothing, and the message, when it
    arrives after its revoke, finds it)."""
    return uuid.uuid5(_REVOKE_NAMESPACE, original_wamid)


async def _seen_before(wamid: str, conn: BaseDBAsyncClient) -> tuple[bool, dict[str, Any]]:
    """Whether this wamid is stored already (a redelivery), and, when its revoke came first
    (Meta does not keep order), the columns that store it deleted: one statement for both,
    since every customer message asks."""
    p = Params(dialect(conn))
    deleted = (
        "e.properties->>'deletedAt'" if p.postgres else "json_extract(e.properties, '$.deletedAt')"
    )
    sql = (
        f"SELECT EXISTS (SELECT 1 FROM whatsapp_message WHERE wamid = {p(wamid)}) AS stored, "
        f"{deleted} AS deleted_at, e.created_at AS revoked_at FROM (SELECT 1 AS one) AS o "
        f"LEFT JOIN whatsapp_analytics_event e ON e.id = {p(revoke_event_id(wamid))}"
    )
    [row] = await conn.execute_query_dict(sql, p.values)
    if row["revoked_at"] is None:
        return bool(row["stored"]), {}
    deleted_at = as_datetime(row["deleted_at"]) or as_datetime(row["revoked_at"])
    return bool(row["stored"]), {"deleted_at": deleted_at}


def preview(item: Mapping[str, Any]) -> str:
    """A short text for dashboards: the words, caption, choice or emoji the customer sent."""
    kind = item.get("type")
    found = item.get(kind) if isinstance(kind, str) else None
    body: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    if kind == "text":
        text = body.get("body")
    elif kind in ("image", "video", "document", "audio", "sticker"):
        text = body.get("caption") or body.get("filename") or kind
    elif kind == "location":
        text = body.get("name") or f"{body.get('latitude')}, {body.get('longitude')}"
    elif kind == "contacts":
        text = ", ".join(c.get("name", {}).get("formatted_name", "") for c in item["contacts"])
    elif kind == "interactive":
        reply = body.get(body.get("type", ""), {})
        text = reply.get("title") or reply.get("body") or body.get("type")
    elif kind == "button":
        text = body.get("text") or body.get("payload")
    elif kind == "reaction":
        text = body.get("emoji") or "reaction removed"
    elif kind == "system":
        text = body.get("body")
    elif kind == "order":
        text = body.get("text") or "order"
    elif kind == "request_welcome":
        text = "opened the chat"
    elif kind == "template":  # an echo of a template the business sent from its app
        text = body.get("name") or "template"
    else:
        errors = item.get("errors") or [{}]
        text = errors[0].get("title") or "unsupported message"
    return f"{kind}: {text}"[:PREVIEW_MAX] if kind != "text" else str(text)[:PREVIEW_MAX]


async def _reply_target(item: Mapping[str, Any], conn: BaseDBAsyncClient) -> WhatsAppMessage | None:
    """The message being answered: a reply's context, or a reaction's target."""
    target = (item.get("context") or {}).get("id") or (item.get("reaction") or {}).get("message_id")
    if not target:
        return None
    return await WhatsAppMessage.filter(wamid=target).using_db(conn).first()


async def _session_for(
    contact: WhatsAppContact,
    phone_number_id: str,
    received_at: datetime,
    reply_to: WhatsAppMessage | None,
    flow: FlowMatch | None,
    conn: BaseDBAsyncClient,
) -> tuple[WhatsAppSession, bool]:
    """The session this message belongs to, and whether it was started by it.

    In order: the customer's Flow session a Flow reply names (`flow_replies`), the session of
    the message it replies to, the customer's active session on this number if it saw
    activity within the service window; otherwise a new session. A Flow reply that names
    none of the customer's Flow sessions joins their ordinary conversation only: no Flow's
    session (one with a flow token) gets another Flow's answers.
    """
    if flow is not None and flow.session is not None:
        return flow.session, False
    ordinary = {} if flow is None else {"flow_token__isnull": True}
    if reply_to is not None and reply_to.session_id is not None:
        session = (
            await WhatsAppSession.filter(id=reply_to.session_id, **ordinary).using_db(conn).first()
        )
        if session is not None and session.status == SessionStatus.ACTIVE:
            return session, False
    recent = await active_session(
        contact.id, phone_number_id, at=received_at, ordinary=flow is not None, using_db=conn
    )
    if recent is not None:
        return recent, False
    session = await WhatsAppSession.create(
        contact=contact, phone_number_id=phone_number_id, using_db=conn
    )
    return session, True


async def _refresh_window(
    contact: WhatsAppContact,
    session: WhatsAppSession,
    received_at: datetime,
    conn: BaseDBAsyncClient,
) -> None:
    """Later messages move the window; an older redelivered one never moves it back."""
    await (
        WhatsAppContact.filter(id=contact.id)
        .using_db(conn)
        .update(last_inbound_at=_later(contact.last_inbound_at, received_at), updated_at=utcnow())
    )
    session.last_inbound_at = _later(session.last_inbound_at, received_at)
    await session.save(update_fields=["last_inbound_at", "updated_at"], using_db=conn)


def _later(current: datetime | None, candidate: datetime) -> datetime:
    return candidate if current is None or candidate > current else current


async def _emit(
    message: WhatsAppMessage,
    session: WhatsAppSession | None,
    started: bool,
    flow: FlowMatch | None,
    conn: BaseDBAsyncClient,
) -> None:
    links = {
        "message_id": message.id,
        "session_id": session.id if session else None,
        "contact_id": message.contact_id,
    }
    if started:
        await emit_event(
            "session.started",
            source="webhook",
            properties={
                "phoneNumberId": message.phone_number_id,
                "waId": message.customer_wa_id,
                "bsuid": message.customer_bsuid,
            },
            using_db=conn,
            **links,
        )
    properties: dict[str, Any] = {
        "type": (message.content or {}).get("type"),
        "from": message.customer_wa_id or message.customer_bsuid,
        "bsuid": message.customer_bsuid,
        "phoneNumberId": message.phone_number_id,
        "wamid": message.wamid,
        "text": message.text,
    }
    content = message.content or {}
    interactive = content.get("interactive") or {}
    reply = interactive.get(interactive.get("type", "")) or {}
    if reply.get("id"):
        properties["replyId"] = reply["id"]
    if content.get("button"):
        properties["payload"] = content["button"].get("payload")
    if content.get("group_id"):
        properties["groupId"] = content["group_id"]
    await emit_event(
        "message.received", source="webhook", properties=properties, using_db=conn, **links
    )
    if flow is not None:
        await settle_flow_reply(flow, session, links, conn)
