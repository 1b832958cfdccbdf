"""Send outcomes, recorded the same way for a batch of one (a send now) or many (the scheduler).

An outcome's event is built from the stored message row alone (`outcome_event`), so an
automation sees the same `template.sent`, `message.failed`, … whichever path sent the message;
only `source` differs, and a scheduled message adds `scheduledFor` and `attempts`. Each outcome
is written in one transaction with its event. Writes are conditional: a status webhook may
have moved the message on meanwhile (it finds it by its callback data), so only a row still
SENDING becomes SENT or FAILED.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Container, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import DoesNotExist
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models import (
    ConsentState,
    MessageStatus,
    MessageType,
    WhatsAppAnalyticsEvent,
    WhatsAppMessage,
)
from whatsapp.cloud import codes
from whatsapp.cloud.client import MARKETING_MESSAGES, MESSAGES, CloudApiError, CloudError, Edge
from whatsapp.cloud.problems import problem_from_cloud
from whatsapp.conversations.consent import CLOUD_API, record_consent
from whatsapp.events.log import emit_event, emit_events
from whatsapp.kit import log_context, metrics
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, Problem, WagraphError
from whatsapp.kit.ids import from_db
from whatsapp.kit.sql import Params, connection, dialect
from whatsapp.messages.statuses import attach_pending_statuses
from whatsapp.runtime import Runtime

# How long a SENDING row is owned by the process that wrote it before it counts as abandoned.
SEND_LEASE = timedelta(minutes=2)
# When Meta answers THROUGHPUT anyway, the number's budget pauses this long for every sender.
THROUGHPUT_PENALTY_S = 1.0
# A send now whose rate limiter failed before Meta was called: RATE_LIMITED, retryable.
WITHDRAWN = "The message was withdrawn before it was sent; nothing was sent: try again"
LIMITER_UNAVAILABLE = (
    "The send rate limiter is unavailable (Redis did not answer); nothing was sent: try again"
)

Outcome = Literal["sent", "failed"]
Accepted = tuple[WhatsAppMessage, str]  # a message Meta accepted, and the wamid it gave

_EVENT_PREFIX = {MessageType.TEMPLATE: "template", MessageType.REACTION: "reaction"}


@dataclass(frozen=True, slots=True)
class Origin:
    """Who sent: the events' `source`, and the automation run it was part of (the loop guard)."""

    source: str
    automation_run_id: uuid.UUID | None = None


SCHEDULER = Origin("scheduler")


@dataclass(frozen=True, slots=True)
class SendResult:
    """The stored message, and Meta's refusal when there was one (stored on the message too)."""

    message: WhatsAppMessage
    problem: Problem | None = None
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a send failed, as the message stores it: Meta's code and title, or our own title."""

    code: int | None
    title: str
    details: str | None = None

    @classmethod
    def from_cloud(cls, exc: CloudError) -> Failure:
        if isinstance(exc, CloudApiError):
            return cls(exc.code, exc.title, exc.details)
        return cls(None, "Cloud API unreachable", str(exc))


async def send_now(
    rt: Runtime,
    message: WhatsAppMessage,
    origin: Origin,
    *,
    edge: Edge = MESSAGES,
    withdraw: bool = True,
) -> Problem | None:
    """Call the Cloud API (at `edge`) for a stored SENDING message and record the outcome with
    its event.

    A message is stored not handed over (`attempts` 0) and handed over (`attempts` 1, one
    conditional UPDATE) just before its request goes out: only a handed-over message may have
    reached Meta. Stopped before that (the limiter failed, the caller cancelled), the message
    is withdrawn: its row is deleted, nothing was sent, so it never ends FAILED as "outcome
    unknown", and a retry (under the same idempotency key too) sends it afresh. A request
    that died before handing its message over without being able to withdraw it (the
    database went away as the row was stored) leaves it not handed over: a retry under the
    same idempotency key sends it (`resume`), and lease recovery deletes it if none comes.

    `withdraw=False` leaves the row in place when stopped early (a resumed send: the row is
    the first request's)."""
    with log_context.bound(message_id=message.id):
        return await _send_now(rt, message, origin, edge, withdraw=withdraw)


async def _send_now(
    rt: Runtime, message: WhatsAppMessage, origin: Origin, edge: Edge, *, withdraw: bool
) -> Problem | None:
    waiting = time.perf_counter()
    try:
        await rt.limiter.acquire(message.phone_number_id)
    except asyncio.CancelledError:
        if withdraw:
            await asyncio.shield(_withdraw(message))
        raise
    except Exception as exc:  # the limiter's store failed: say "try again", not INTERNAL
        if withdraw:
            await _withdraw(message)
        raise WagraphError.of(ErrorCode.RATE_LIMITED, LIMITER_UNAVAILABLE) from exc
    metrics.RATE_LIMIT_WAIT_SECONDS.observe(time.perf_counter() - waiting)
    if not await _hand_over(message):
        return await _taken_over(message)
    try:
        sent = await rt.cloud.send_message(
            message.phone_number_id, message.payload or {}, edge=edge
        )
    except CloudError as exc:
        await slow_down(rt, message, exc)
        await record_failed(message, Failure.from_cloud(exc), origin, edge=edge)
        return problem_from_cloud(exc)
    marketing = {message.id} if edge == MARKETING_MESSAGES else set()
    await record_sent([(message, sent.wamid)], origin, marketing=marketing)
    overtaken = message.status != MessageStatus.SENT  # a status webhook was first
    # Statuses kept waiting for this wamid exist only for a send Meta cannot tie to our row:
    # with our id as its callback data, every status finds the row by it, even before the
    # wamid is stored (Meta echoes the callback data in each status, reference §2.1).
    waiting = 0 if carries_its_id(message) else await attach_pending_statuses(message)
    if waiting or overtaken:  # Meta's statuses overtook the answer
        await message.refresh_from_db(fields=["status", "delivered_at", "read_at", "failed_at"])
    return None


def carries_its_id(message: WhatsAppMessage) -> bool:
    """Whether the send told Meta our id as its callback data (`biz_opaque_callback_data`)."""
    return (message.payload or {}).get("biz_opaque_callback_data") == str(message.id)


async def _withdraw(message: WhatsAppMessage) -> None:
    """Delete a message that never left: still SENDING, not handed over, no event yet."""
    if await not_handed_over().filter(id=message.id).delete():
        metrics.count_send("released")


def not_handed_over() -> QuerySet[WhatsAppMessage]:
    """Immediate sends stored but not handed to Meta yet (`attempts` 0 while SENDING: a
    scheduled message's claim counts its attempt as it takes the row)."""
    return WhatsAppMessage.filter(status=MessageStatus.SENDING, attempts=0)


async def _hand_over(message: WhatsAppMessage) -> bool:
    """Mark the message handed over, just before its request goes out; False when another
    request (a retry under the same idempotency key) took it, or it was withdrawn."""
    p = Params(dialect())
    sql = (  # not_handed_over(), written once: every send runs it
        f"UPDATE whatsapp_message SET attempts = 1 WHERE id = {p(message.id)} "
        f"AND status = {p(MessageStatus.SENDING.value)} AND attempts = 0 RETURNING id"
    )
    handed = await connection().execute_query_dict(sql, p.values)
    message.attempts = 1
    return bool(handed)


async def _taken_over(message: WhatsAppMessage) -> Problem | None:
    """Another request sends this message: answer with the row as it stands."""
    try:
        await message.refresh_from_db()
    except DoesNotExist:
        raise WagraphError.of(ErrorCode.RATE_LIMITED, WITHDRAWN) from None
    return None


async def slow_down(rt: Runtime, message: WhatsAppMessage, exc: CloudError) -> None:
    """Meta's throughput limit is per number: pause the number for every sender, not just us."""
    if isinstance(exc, CloudApiError) and exc.code == codes.THROUGHPUT:
        await rt.limiter.penalize(message.phone_number_id, THROUGHPUT_PENALTY_S)


async def record_sent(
    accepted: Sequence[Accepted], origin: Origin, *, marketing: Container[uuid.UUID] = ()
) -> None:
    """Meta's acceptances: one UPDATE … CASE for the whole batch, its events in one INSERT.

    `marketing`: the ids sent through the Marketing Messages API (their events say so).
    """
    if not accepted:
        return
    now = utcnow()
    for message, wamid in accepted:
        message.wamid, message.sent_at, message.lease_expires_at = wamid, now, None
    sql, params = _sent_update(accepted, now)
    events = [
        outcome_event(message, "sent", origin, at=now, edge=edge_of(message.id, marketing))
        for message, _ in accepted
    ]
    async with in_transaction() as conn:
        # execute_query_dict: Tortoise's execute_query drops an UPDATE's RETURNING rows
        rows = await conn.execute_query_dict(sql, params)
        await _emit(events, conn)
    # SENT, or further already when a status webhook found the row by its callback data first
    now_status = {from_db(row["id"]): MessageStatus(row["status"]) for row in rows}
    for message, _ in accepted:
        message.status = now_status.get(message.id, message.status)
    metrics.count_send("sent", amount=len(accepted))


async def record_failed(
    message: WhatsAppMessage,
    failure: Failure,
    origin: Origin,
    *,
    reason: str | None = None,
    lease_expired_before: datetime | None = None,
    edge: Edge | None = None,
) -> bool:
    """Fail a SENDING message with its event; False when something else moved it on first.

    `lease_expired_before` fails it only if its sender's lease ran out (abandoned-send recovery);
    `edge` is where Meta refused it, when it was asked.
    """
    now = utcnow()
    changes: dict[str, Any] = {
        "status": MessageStatus.FAILED,
        "failed_at": now,
        "lease_expires_at": None,
        "error_code": failure.code,
        "error_title": failure.title,
        "error_details": failure.details,
        "updated_at": now,
    }
    message.update_from_dict(changes)
    still_sending = WhatsAppMessage.filter(id=message.id, status=MessageStatus.SENDING)
    if lease_expired_before is not None:
        still_sending = still_sending.filter(lease_expires_at__lt=lease_expired_before)
    async with in_transaction() as conn:
        failed = await still_sending.using_db(conn).update(**changes)
        if failed:
            event = outcome_event(message, "failed", origin, at=now, reason=reason, edge=edge)
            await _emit([event], conn)
            if failure.code == codes.STOPPED_MARKETING and message.contact_id is not None:
                await record_consent(
                    message.contact_id,
                    ConsentState.OPTED_OUT,
                    source=CLOUD_API,
                    occurred_at=now,
                    conn=conn,
                    event_source=origin.source,
                    detail=failure.details or failure.title,
                    message_id=message.id,
                )
    if failed:
        metrics.count_send("failed", failure.code)
    return bool(failed)


def outcome_event(
    message: WhatsAppMessage,
    outcome: Outcome,
    origin: Origin,
    *,
    at: datetime,
    reason: str | None = None,
    edge: Edge | None = None,
) -> WhatsAppAnalyticsEvent:
    """The (unsaved) event of a send's outcome, read off the stored message row; a template's
    adds `endpoint`, the Graph API edge it was sent to (`messages`, `marketing_messages`)."""
    properties: dict[str, Any] = {
        "type": message.type.value,
        "to": message.customer_wa_id or message.customer_bsuid,
        "phoneNumberId": message.phone_number_id,
        "wamid": message.wamid,
        **send_properties(message),
    }
    if message.scheduled_for is not None:
        properties["scheduledFor"] = message.scheduled_for.isoformat()
        properties["attempts"] = message.attempts
    if message.metadata:
        properties["metadata"] = message.metadata
    if outcome == "failed":
        properties["error"] = {"code": message.error_code, "title": message.error_title}
    if reason is not None:
        properties["reason"] = reason
    if edge is not None and message.type == MessageType.TEMPLATE:
        properties["endpoint"] = edge
    return WhatsAppAnalyticsEvent(
        id=uuid.uuid4(),
        created_at=at,
        name=f"{event_prefix(message)}.{outcome}",
        source=origin.source,
        properties=properties,
        message_id=message.id,
        session_id=message.session_id,
        contact_id=message.contact_id,
        caused_by_automation_run_id=origin.automation_run_id,
    )


def event_prefix(message: WhatsAppMessage) -> str:
    """`template.*` and `reaction.*` events for those, `message.*` for everything else."""
    return _EVENT_PREFIX.get(message.type, "message")


def send_properties(message: WhatsAppMessage) -> dict[str, Any]:
    """What a template's or a reaction's events add, for automations to filter on."""
    if message.type == MessageType.TEMPLATE:
        return {"template": message.template_name, "language": message.template_language}
    if message.type == MessageType.REACTION:
        reaction = (message.content or {}).get("reaction") or {}
        return {"emoji": reaction.get("emoji"), "targetMessageId": reaction.get("messageId")}
    return {}


def edge_of(message_id: uuid.UUID, marketing: Container[uuid.UUID]) -> Edge:
    """Where a message of a batch went: `marketing` holds those sent to marketing_messages."""
    return MARKETING_MESSAGES if message_id in marketing else MESSAGES


def _sent_update(accepted: Sequence[Accepted], now: datetime) -> tuple[str, list[Any]]:
    """Each row gets its own wamid; only rows still SENDING become SENT."""
    p = Params(dialect())
    # Bound in the order they appear: SQLite's `?` placeholders are positional.
    cases = " ".join(f"WHEN {p(message.id)} THEN {p(wamid)}" for message, wamid in accepted)
    stamps = f"sent_at = {p(now)}, lease_expires_at = NULL, updated_at = {p(now)}"
    ids = ", ".join(p(message.id) for message, _ in accepted)
    sql = (
        "UPDATE whatsapp_message SET status = CASE WHEN status = 'SENDING' THEN 'SENT' "
        f"ELSE status END, wamid = CASE id {cases} END, {stamps} WHERE id IN ({ids}) "
        "RETURNING id, status"
    )
    return sql, p.values


async def _emit(events: list[WhatsAppAnalyticsEvent], conn: BaseDBAsyncClient) -> None:
    """A single event through `emit_event` (no more queries than before); a batch in one INSERT."""
    if len(events) != 1:
        await emit_events(events, using_db=conn)
        return
    [event] = events
    await emit_event(
        event.name,
        source=event.source,
        properties=event.properties,
        message_id=event.message_id,
        session_id=event.session_id,
        contact_id=event.contact_id,
        caused_by_automation_run_id=event.caused_by_automation_run_id,
        using_db=conn,
    )
