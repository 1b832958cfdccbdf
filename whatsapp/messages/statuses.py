"""Status webhooks (sent, delivered, read, failed) applied to outbound messages.

Meta delivers at least once and in any order, so:
- each (wamid, status) is stored once — the unique constraint, not a look-up, decides, which
  also holds between processes;
- a message's status only moves forward (SENT < DELIVERED < READ; FAILED is terminal), by
  conditional UPDATEs that cannot move it back whatever order the statuses are applied in;
- a status for a wamid we do not know yet (our send has not stored it) waits in the history
  table and is applied when the message appears (`attach_pending_statuses`);
- what a status says a message costs (`pricing`, `conversation`) reaches the message even when
  the status does not move it (the `sent` of a message our send already made SENT);
- a group's status names the group in `recipient_id` (a long opaque id) and the participant in
  `recipient_participant_id`: kept apart, never taken for a customer's number.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import (
    ConsentState,
    MessageStatus,
    WhatsAppGroupReceipt,
    WhatsAppMessage,
    WhatsAppMessageStatus,
)
from whatsapp.cloud import codes
from whatsapp.conversations.consent import CLOUD_API, record_consent
from whatsapp.conversations.identities import Identity, identify, identity_transaction
from whatsapp.events.log import emit_event
from whatsapp.kit.ids import from_db, is_uuid
from whatsapp.kit.sql import Params, dialect, fetch_models

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
_RANK = {
    MessageStatus.SENT: 1,
    MessageStatus.DELIVERED: 2,
    MessageStatus.READ: 3,
    MessageStatus.FAILED: 4,
}
GROUP = "group"  # a status's recipient_type for a message sent to a group
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
    group = item.get("recipient_type") == GROUP
    if (
        not group
        and message is not None
        and recipient
        and recipient.bsuid
        and not message.customer_bsuid
    ):
        await _learn_recipient(message, recipient)
    if group:
        return await _apply_group_status(item, status, occurred_at, message, error)
    try:
        async with in_transaction() as conn:
            await _record_in_history(item, status, occurred_at, message, error, conn)
    except IntegrityError:
        return False  # this (wamid, status) was already recorded, here or by another process
    if message is None:
        log.info("status %s for unknown %s kept until the message appears", status, wamid)
    return True


async def _apply_group_status(
    item: Mapping[str, Any],
    status: MessageStatus,
    occurred_at: datetime,
    message: WhatsAppMessage | None,
    error: Mapping[str, Any],
) -> bool:
    """One participant's report of a group message: kept as its receipt, and — the first
    report of that status from anyone — in the message's history, moving the message.

    Duplicates are found by look-ups inside the transaction; a unique violation then means a
    concurrent writer (another copy, another participant's first report) and is raised for
    the delivery to retry, when the look-ups see what that writer stored."""
    participant = item.get("recipient_participant_id") or item.get("recipient_participant_user_id")
    if not participant:
        raise ValueError("a group status without recipient_participant_id")
    wamid = str(item["id"])
    async with in_transaction() as conn:
        receipts = WhatsAppGroupReceipt.filter(
            wamid=wamid, status=status, participant_id=str(participant)
        )
        if await receipts.using_db(conn).exists():
            return False
        await WhatsAppGroupReceipt.create(
            message_id=message.id if message else None,
            wamid=wamid,
            participant_id=str(participant),
            participant_bsuid=_optional_text(item.get("recipient_participant_user_id")),
            status=status,
            occurred_at=occurred_at,
            pricing=item.get("pricing"),
            error_code=error.get("code"),
            error_title=error.get("title") or error.get("message"),
            using_db=conn,
        )
        history = WhatsAppMessageStatus.filter(wamid=wamid, status=status).using_db(conn)
        if await history.exists():
            return True
        await _record_in_history(item, status, occurred_at, message, error, conn)
    return True


async def _record_in_history(
    item: Mapping[str, Any],
    status: MessageStatus,
    occurred_at: datetime,
    message: WhatsAppMessage | None,
    error: Mapping[str, Any],
    conn: BaseDBAsyncClient,
) -> None:
    """The status in the message's history (unique per wamid and status: a copy raises
    IntegrityError), and the message moved by it when the message is known."""
    row = await WhatsAppMessageStatus.create(
        message_id=message.id if message else None,
        wamid=str(item["id"]),
        status=status,
        occurred_at=occurred_at,
        **_recipient_columns(item),
        conversation=item.get("conversation"),
        pricing=item.get("pricing"),
        error_code=error.get("code"),
        error_title=error.get("title") or error.get("message"),
        error_details=(error.get("error_data") or {}).get("details"),
        using_db=conn,
    )
    if message is not None:
        await _advance(message, row, conn)


def _recipient_columns(item: Mapping[str, Any]) -> dict[str, Any]:
    """Who a status is about. A group's status names the group in `recipient_id` (a long
    opaque id, not a number) and the participant apart (`recipient_participant_id`)."""
    if item.get("recipient_type") == GROUP:
        participant = item.get("recipient_participant_id") or item.get(
            "recipient_participant_user_id"
        )
        return {
            "recipient_type": GROUP,
            "recipient_group_id": _optional_text(item.get("recipient_id")),
            "recipient_participant_id": _optional_text(participant),
            "recipient_bsuid": _optional_text(item.get("recipient_participant_user_id")),
        }
    return {
        "recipient_type": _optional_text(item.get("recipient_type")),
        "recipient_wa_id": _optional_text(item.get("recipient_id")),
        "recipient_bsuid": _optional_text(item.get("recipient_user_id")),
    }


def _optional_text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


async def status_histories(
    message_ids: Sequence[uuid.UUID],
) -> dict[uuid.UUID, list[WhatsAppMessageStatus | WhatsAppGroupReceipt]]:
    """Every status of each message (two queries, however many messages), in the order they
    happened: by Meta's time, and at the same second in their natural order (sent, delivered,
    read, failed). A group message's history is every participant's report."""
    ids = list(message_ids)
    statuses = await WhatsAppMessageStatus.filter(message_id__in=ids).order_by("occurred_at")
    receipts = await WhatsAppGroupReceipt.filter(message_id__in=ids).order_by("occurred_at")
    in_groups = {from_db(row.message_id) for row in receipts}
    rows: list[WhatsAppMessageStatus | WhatsAppGroupReceipt] = [
        row for row in statuses if from_db(row.message_id) not in in_groups
    ]
    rows.extend(receipts)
    rows.sort(key=lambda r: (r.occurred_at, _RANK.get(r.status, 0)))
    found: dict[uuid.UUID, list[WhatsAppMessageStatus | WhatsAppGroupReceipt]] = {}
    for row in rows:
        found.setdefault(from_db(row.message_id), []).append(row)
    return found


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
    if message.group_id is not None:  # per-participant receipts exist for group messages only
        await WhatsAppGroupReceipt.filter(wamid=message.wamid, message_id=None).update(
            message_id=message.id
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
    """By wamid; else by our id, which every send passes to Meta as callback data. Every
    status asks, so its SQL is written once (`fetch_models`)."""
    message = await _message_where("wamid", wamid)
    if message is not None or not isinstance(callback_data, str) or not is_uuid(callback_data):
        return message
    message = await _message_where("id", uuid.UUID(callback_data))
    if message is not None and message.wamid not in (None, wamid):
        return None  # a retry of the send got a new wamid; this status is for the other one
    return message


async def _message_where(column: str, value: Any) -> WhatsAppMessage | None:
    """The message whose `column` (a fixed name, never input) is `value`."""
    p = Params(dialect())
    sql = f"SELECT * FROM whatsapp_message WHERE {column} = {p(value)} LIMIT 1"
    found = await fetch_models(WhatsAppMessage, sql, p.values)
    return found[0] if found else None


async def _advance(
    message: WhatsAppMessage, row: WhatsAppMessageStatus, conn: BaseDBAsyncClient
) -> None:
    """Move the message forward (never back), keep each status's time, emit the event."""
    status = row.status
    moved = await _move(message, row, conn)
    await _keep_time_and_wamid(message, row, conn)
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
    if row.recipient_participant_id:
        properties["participant"] = row.recipient_participant_id
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


async def _keep_time_and_wamid(
    message: WhatsAppMessage, row: WhatsAppMessageStatus, conn: BaseDBAsyncClient
) -> None:
    """The status's time, and the wamid (a status may find the message by its callback data
    before the send recorded it), each written only where still empty: the first report
    of each status wins, whatever order they came in. One statement for both."""
    stamp = _TIMESTAMP_FIELD[row.status]  # a column name from a fixed table, never input
    p = Params(dialect(conn))
    sql = (
        f"UPDATE whatsapp_message SET {stamp} = COALESCE({stamp}, {p(row.occurred_at)}), "
        f"wamid = COALESCE(wamid, {p(row.wamid)}) WHERE id = {p(message.id)}"
    )
    await conn.execute_query(sql, p.values)


async def _move(
    message: WhatsAppMessage, row: WhatsAppMessageStatus, conn: BaseDBAsyncClient
) -> int:
    """The conditional UPDATE moving the message to this status; 0 when it is already there
    or beyond. What the status says it costs (`pricing`, `conversation`) is kept either way:
    a `sent` for a message our own send already made SENT, a `delivered` after its `read`."""
    moves: dict[str, Any] = {"status": row.status}
    if row.status == MessageStatus.FAILED:
        moves.update(
            error_code=row.error_code, error_title=row.error_title, error_details=row.error_details
        )
    billing: dict[str, Any] = {}
    if row.conversation is not None:
        billing["conversation"] = row.conversation
    if row.pricing is not None:
        billing["pricing"] = row.pricing
    moved: int = (
        await WhatsAppMessage.filter(id=message.id, status__in=_MOVES_FROM[row.status])
        .using_db(conn)
        .update(**moves, **billing)
    )
    if billing and not moved:
        await WhatsAppMessage.filter(id=message.id).using_db(conn).update(**billing)
    return moved


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
