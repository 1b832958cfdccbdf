"""`smb_message_echoes`: what the business wrote in the WhatsApp Business app.

On a coexistence number the business also writes from the WhatsApp Business app; Meta echoes
each of those messages (`from` is the business number, `to` the customer). Each is stored as
an OUTBOUND message, `origin` BUSINESS_APP, SENT at Meta's time, on the customer's timeline:
their contact (found or created from `to` / `to_user_id`), and their active session on that
number when they have one — an echo does not start a session (a session is a customer's
journey; the business writing first in its app is not one). It never moves the service
window, which only a customer's message opens. Idempotent by wamid (unique): a copy, here or
in another process, fails to insert and changes nothing. An echoed edit or deletion applies
to the business's own message (`edits`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models import (
    MessageDirection,
    MessageOrigin,
    MessageStatus,
    MessageType,
    WhatsAppMessage,
)
from whatsapp.conversations.identities import Identity, identify, identity_transaction
from whatsapp.conversations.sessions import active_session
from whatsapp.events.log import emit_event
from whatsapp.inbound import edits
from whatsapp.inbound.customer_messages import INBOUND_TYPES, preview
from whatsapp.inbound.items import WebhookItem
from whatsapp.messages.statuses import attach_pending_statuses, meta_time

log = logging.getLogger(__name__)

ECHOABLE = (
    "text",
    "image",
    "video",
    "audio",
    "document",
    "sticker",
    "location",
    "contacts",
    "reaction",
)

# What the business can write in the app, as our outbound types; anything else UNSUPPORTED.
ECHO_TYPES: dict[str, MessageType] = {
    **{kind: INBOUND_TYPES[kind] for kind in ECHOABLE},
    "template": MessageType.TEMPLATE,
}


async def apply_echo(item: WebhookItem) -> str:
    """Store one echoed message; "duplicates" when it was already stored."""
    body = item.body
    if not isinstance(body, Mapping):
        raise TypeError("an echo is not an object")
    if body.get("type") in edits.TYPES:
        return await edits.apply(item, store_unknown=_unknown_original(item))
    stored = await store_echo(body, phone_number_id=item.phone_number_id)
    return "echoes" if stored else "duplicates"


async def store_echo(
    body: Mapping[str, Any], *, phone_number_id: str, fields: Mapping[str, Any] | None = None
) -> WhatsAppMessage | None:
    """Store an echoed message as ours; None when its wamid was already stored."""
    wamid = body["id"]
    if not isinstance(wamid, str) or not wamid:
        raise ValueError(f"an echo's id must be a non-empty string, not {wamid!r}")
    customer = Identity.of(wa_id=body.get("to"), bsuid=body.get("to_user_id"))
    if not customer:
        raise ValueError(f"echo {wamid} names no customer (no to, no to_user_id)")
    sent_at = meta_time(body["timestamp"])

    async def apply(conn: BaseDBAsyncClient) -> WhatsAppMessage | None:
        if await WhatsAppMessage.filter(wamid=wamid).using_db(conn).exists():
            return None
        contact = await identify(customer, conn, source="webhook")
        session = await active_session(contact.id, phone_number_id, using_db=conn)
        context = body.get("context") or {}
        target = context.get("id") or (body.get("reaction") or {}).get("message_id")
        message = await WhatsAppMessage.create(
            direction=MessageDirection.OUTBOUND,
            origin=MessageOrigin.BUSINESS_APP,
            type=ECHO_TYPES.get(str(body.get("type")), MessageType.UNSUPPORTED),
            status=MessageStatus.SENT,
            phone_number_id=phone_number_id,
            customer_wa_id=customer.wa_id,
            customer_bsuid=customer.bsuid,
            wamid=wamid,
            contact=contact,
            session=session,
            reply_to=await _reply_target(target, conn),
            reply_to_wamid=target,
            text=preview(body),
            content=dict(body),
            sent_at=sent_at,
            **(fields or {}),
            using_db=conn,
        )
        await _emit(message, conn)
        return message

    message = await identity_transaction(apply)
    if message is not None:
        await attach_pending_statuses(message)  # statuses Meta sent before this echo
    return message


def _unknown_original(item: WebhookItem) -> edits.StoreUnknown:
    """An echoed edit of a message we never stored: kept as the business's message."""

    async def store(message: Mapping[str, Any], fields: Mapping[str, Any]) -> bool:
        body = {**message, "to": item.body.get("to"), "to_user_id": item.body.get("to_user_id")}
        stored = await store_echo(body, phone_number_id=item.phone_number_id, fields=fields)
        return stored is not None

    return store


async def _reply_target(wamid: Any, conn: BaseDBAsyncClient) -> WhatsAppMessage | None:
    if not isinstance(wamid, str) or not wamid:
        return None
    return await WhatsAppMessage.filter(wamid=wamid).using_db(conn).first()


async def _emit(message: WhatsAppMessage, conn: BaseDBAsyncClient) -> None:
    await emit_event(
        "message.echoed",
        source="webhook",
        properties={
            "type": (message.content or {}).get("type"),
            "to": message.customer_wa_id or message.customer_bsuid,
            "bsuid": message.customer_bsuid,
            "phoneNumberId": message.phone_number_id,
            "wamid": message.wamid,
            "text": message.text,
            "origin": MessageOrigin.BUSINESS_APP.value,
        },
        message_id=message.id,
        session_id=message.session_id,
        contact_id=message.contact_id,
        using_db=conn,
    )
