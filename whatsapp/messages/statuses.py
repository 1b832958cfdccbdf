"""Status webhooks (sent, delivered, read, failed) applied to outbound messages.

Meta delivers at least once and in any order, so:
- each (wamid, status) is stored once — the unique constraint, not a look-up, decides, which
  also holds between processes;
- a message's status only moves forward (SENT < DELIVERED < READ; FAILED is terminal), by
  conditional UPDATEs that cannot move it back whatever order the statuses are applied in;
- a status for a wamid we do not know yet (our send has not stored it) waits in the history
  table and is applied when the message appears (`attach_pending_statuses`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import ConsentState, MessageStatus, WhatsAppMessage, WhatsAppMessageStatus
from whatsapp.cloud import codes
from whatsapp.conversations.consent import CLOUD_API, record_consent
from whatsapp.conversations.identities import Identity, identify, identity_transaction
from whatsapp.events.log import emit_event
from whatsapp.kit.ids import is_uuid

log = logging.getLogger(__name__)

WEBHOOK_STATUS = {
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.READ,
    "played": MessageStatus.READ,  # a voice note listened to has been read
    "failed": MessageStatus.FAILED,
}
# The states a message may be in for each status to still move it forward.
_MOVES_FROM: dict[MessageStatus, tuple[MessageStatus, ...]] = {
    MessageStatus.SENT: (MessageStatus.QUEUED, MessageStatus.SENDING),
    MessageStatus.DELIVERED: (MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.SENT),
    MessageStatus.READ: (
        MessageStatus.QUEUED,
        MessageStatus.SENDING,
        MessageStatus.SENT,
        MessageStatus.DELIVERED,
    ),
    MessageStatus.FAILED: (
        MessageStatus.QUEUED,
        MessageStatus.SENDING,
        MessageStatus.SENT,
        MessageStatus.DELIVERED,
    ),
}
_TIMESTAMP_FIELD = {
    MessageStatus.SENT: "sent_at",
    MessageStatus.DELIVERED: "delivered_at",
    MessageStatus.READ: "read_at",
    MessageStatus.FAILED: "failed_at",
}
_EVENT = {
    MessageStatus.DELIVERED: "message.delivered",
    MessageStatus.READ: "message.read",
    MessageStatus.FAILED: "message.failed",
}


def meta_time(value: Any) -> datetime:
    """Meta's timestamps are Unix seconds, usually as strings."""
    return datetime.fromtimestamp(int(value), UTC)


async def apply_status(
    item: Mapping[str, Any], *, phone_number_id: str | None, recipient: Identity | None = None
) -> bool:
    """Record one status object; returns False when it was a duplicate (nothing changed).

    `recipient` is who Meta says the message reached; a message sent to a number learns the
    customer's BSUID from it (and the contact gains it, or is merged, see `identities`).
    """
    status = WEBHOOK_STATUS.get(str(item.get("status")))
    if status is None:
        log.info("ignoring unknown status %r for %s", item.get("status"), item.get("id"))
        return False
    wamid = str(item["id"])
    occurred_at = meta_time(item["timestamp"])
    error = (item.get("errors") or [{}])[0]
    message = await _find_message(wamid, item.get("biz_opaque_callback_data"))
    if message is not None and recipient and recipient.bsuid and not message.customer_bsuid:
        await _learn_recipient(message, recipient)
    try:
        async with in_transaction() as conn:
            row = await WhatsAppMessageStatus.create(
                message_id=message.id if message else None,
                wamid=wamid,
                status=status,
                occurred_at=occurred_at,
                recipient_wa_id=item.get("recipient_id") or None,
                recipient_bsuid=item.get("recipient_user_id") or None,
                conversation=item.get("conversation"),
                pricing=item.get("pricing"),
                error_code=error.get("code"),
                error_title=error.get("title") or error.get("message"),
                error_details=(error.get("error_data") or {}).get("details"),
                using_db=conn,
            )
            if message is not None:
                await _advance(message, row, conn)
    except IntegrityError:
        return False  # this (wamid, status) was already recorded, here or by another process
    if message is None:
        log.info("status %s for unknown %s kept until the message appears", status, wamid)
    return True


async def _learn_recipient(message: WhatsAppMessage, recipient: Identity) -> None:
    """The BSUID of a customer we wrote to by number: kept on the message and its contact."""

    async def learn(conn: BaseDBAsyncClient) -> None:
        contact = await identify(recipient, conn, source="webhook")
        await (
            WhatsAppMessage.filter(id=message.id, customer_bsuid__isnull=True)
            .using_db(conn)
            .update(customer_bsuid=recipient.bsuid, contact_id=contact.id)
        )

    await identity_transaction(learn)
    message.customer_bsuid = recipient.bsuid


async def attach_pending_statuses(message: WhatsAppMessage) -> int:
    """Apply statuses that arrived before we stored this message's wamid."""
    if not message.wamid:
        return 0
    pending = await WhatsAppMessageStatus.filter(wamid=message.wamid, message_id=None).order_by(
        "occurred_at"
    )
    for row in pending:
        async with in_transaction() as conn:
            claimed = (
                await WhatsAppMessageStatus.filter(id=row.id, message_id=None)
                .using_db(conn)
                .update(message_id=message.id)
            )
            if claimed:
                await _advance(message, row, conn)
    return len(pending)


async def _find_message(wamid: str, callback_data: Any) -> WhatsAppMessage | None:
    """By wamid; else by our id, which every send passes to Meta as callback data."""
    message = await WhatsAppMessage.get_or_none(wamid=wamid)
    if message is not None or not isinstance(callback_data, str) or not is_uuid(callback_data):
        return message
    message = await WhatsAppMessage.get_or_none(id=uuid.UUID(callback_data))
    if message is not None and message.wamid not in (None, wamid):
        return None  # a retry of the send got a new wamid; this status is for the other one
    return message


async def _advance(
    message: WhatsAppMessage, row: WhatsAppMessageStatus, conn: BaseDBAsyncClient
) -> None:
    """Move the message forward (never back), keep each status's time, emit the event."""
    status = row.status
    moves: dict[str, Any] = {"status": status}
    if status == MessageStatus.FAILED:
        moves.update(
            error_code=row.error_code, error_title=row.error_title, error_details=row.error_details
        )
    if row.conversation is not None:
        moves["conversation"] = row.conversation
    if row.pricing is not None:
        moves["pricing"] = row.pricing
    moved = (
        await WhatsAppMessage.filter(id=message.id, status__in=_MOVES_FROM[status])
        .using_db(conn)
        .update(**moves)
    )
    stamp = _TIMESTAMP_FIELD[status]
    await (
        WhatsAppMessage.filter(id=message.id, **{f"{stamp}__isnull": True})
        .using_db(conn)
        .update(**{stamp: row.occurred_at})
    )
    await (
        WhatsAppMessage.filter(id=message.id, wamid__isnull=True)
        .using_db(conn)
        .update(wamid=row.wamid)
    )
    event = _EVENT.get(status)
    if event is None or (status == MessageStatus.FAILED and not moved):
        return
    if status == MessageStatus.FAILED and row.error_code == codes.STOPPED_MARKETING:
        await _stopped_marketing(message, row, conn)
    properties: dict[str, Any] = {
        "wamid": row.wamid,
        "status": status.value,
        "timestamp": row.occurred_at.isoformat(),
        "applied": bool(moved),
    }
    if row.pricing:
        properties["pricing"] = row.pricing
    if row.error_code is not None:
        properties["error"] = {
            "code": row.error_code,
            "title": row.error_title,
            "details": row.error_details,
        }
    await emit_event(
        event,
        source="webhook",
        properties=properties,
        message_id=message.id,
        session_id=message.session_id,
        contact_id=message.contact_id,
        caused_by_automation_run_id=_automation_run(message),
        using_db=conn,
    )


async def _stopped_marketing(
    message: WhatsAppMessage, row: WhatsAppMessageStatus, conn: BaseDBAsyncClient
) -> None:
    """Meta failed a send with 131050: the customer stopped marketing messages."""
    if message.contact_id is None:
        return
    await record_consent(
        message.contact_id,
        ConsentState.OPTED_OUT,
        source=CLOUD_API,
        occurred_at=row.occurred_at,
        conn=conn,
        detail=row.error_details or row.error_title,
        message_id=message.id,
    )


def _automation_run(message: WhatsAppMessage) -> uuid.UUID | None:
    """Statuses of a message an automation sent are its consequences too: no new triggers."""
    raw = (message.metadata or {}).get("automationRunId")
    return uuid.UUID(str(raw)) if raw and is_uuid(str(raw)) else None
