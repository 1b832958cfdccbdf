"""Scheduled delivery: the seed's `processScheduledMessages()`, plus cancel and reschedule.

Claiming is one atomic statement per batch (`SCHEDULED -> SENDING` with a lease, RETURNING the
ids; on PostgreSQL the candidate rows are picked `FOR UPDATE SKIP LOCKED`), so any number of
workers can flush together and no message is claimed twice. Sends run with bounded
concurrency through the per-number rate limiter. Outcomes:
- accepted by Meta -> SENT (and its event), written 100 at a time by `delivery`;
- throttled (throughput, pair rate) -> back to SCHEDULED a little later, without using an attempt:
  slowing down is not failing;
- other retryable failures (5xx, timeouts) -> back to SCHEDULED with exponential backoff, until
  `rt.max_attempts`, then FAILED;
- 131049 (Meta's per-user marketing limit) -> back to SCHEDULED 24 hours later, as Meta asks
  ("no sooner than 24 h"); the attempt counts, so a limit that persists (Meta holds back some
  countries' marketing for good) ends FAILED after `rt.max_attempts` instead of looping;
- permanent refusals -> FAILED with Meta's code and title.

Checked again when due, before Meta is called: a free-form message whose customer's window
has closed, and a MARKETING template to a customer who has opted out since, fail then
(`reason` outside_service_window / opted_out in their `message.failed` event).

Only a message whose request may have reached Meta stays SENDING when its sender stops: one
claimed but not yet sent (a SIGTERM, the rate limiter or the database failing first, a
cancelled task) goes back to SCHEDULED with its attempt given back (`claims`).

A message left SENDING by a crashed worker is recovered once its lease expires. Whether Meta
got it is unknown, so by default (`lease_recovery="fail"`, at most once) it becomes FAILED with
a title that says so — a customer never gets a message twice. Its status webhooks still move it
on if Meta did accept it (they find it by its id in the callback data). With "retry" (at least
once) it is scheduled again instead.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import F

from models import (
    MessageStatus,
    WhatsAppMessage,
)
from whatsapp.cloud import codes
from whatsapp.cloud.client import CloudApiError, CloudError, Edge
from whatsapp.conversations.windows import require_open_window
from whatsapp.events.log import emit_event
from whatsapp.kit import log_context, metrics, tracing
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.kit.ids import from_db
from whatsapp.kit.sql import Params, connection, dialect
from whatsapp.messages import due_refusals
from whatsapp.messages.claims import Claimed
from whatsapp.messages.delivery import (
    SCHEDULER,
    SEND_LEASE,
    THROUGHPUT_PENALTY_S,
    Accepted,
    Failure,
    edge_of,
    not_handed_over,
    record_failed,
    record_sent,
    slow_down,
)
from whatsapp.messages.sending import (
    SendResult,
    check_schedule_time,
    send_message,
    send_template,
)
from whatsapp.runtime import Runtime
from whatsapp.templates.routing import marketing_templates

log = logging.getLogger(__name__)

PAIR_LIMIT_WAIT = timedelta(seconds=codes.PAIR_RATE_LIMIT_WAIT_S)
THROUGHPUT_WAIT = timedelta(seconds=THROUGHPUT_PENALTY_S)
RETRY_BASE = timedelta(seconds=2)
RETRY_MAX = timedelta(minutes=10)
LEASE_LOST_TITLE = "Delivery outcome unknown: the sending worker stopped before Meta answered"
MARKETING_LIMIT_WAIT = timedelta(hours=24)
# Acceptances are written in batches of this size (one UPDATE, one INSERT of events).
RECORD_EVERY = 100


@dataclass(slots=True)
class FlushResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    recovered: int = 0
    released: int = 0
    """Claimed but given back to SCHEDULED unsent (stopping, or the limiter failed first)."""

    def add(self, other: FlushResult) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


Progress = Callable[[FlushResult], None]
"""Watches a flush: called with the outcomes so far (a display; it must not block)."""


# -- the integrator's controls -----------------------------------------------------------------


async def cancel_scheduled_message(message_id: uuid.UUID) -> WhatsAppMessage:
    cancelled = await WhatsAppMessage.filter(id=message_id, status=MessageStatus.SCHEDULED).update(
        status=MessageStatus.CANCELLED, next_attempt_at=None, updated_at=utcnow()
    )
    message = await _existing(message_id)
    if not cancelled:
        raise WagraphError.of(
            ErrorCode.NOT_CANCELLABLE,
            f"Only scheduled messages can be cancelled; this one is {message.status.value}",
            ("id",),
        )
    await emit_event(
        "message.cancelled",
        source="api",
        message_id=message.id,
        session_id=message.session_id,
        contact_id=message.contact_id,
        properties={"scheduledFor": _iso(message.scheduled_for)},
    )
    return message


async def reschedule_message(rt: Runtime, message_id: uuid.UUID, when: datetime) -> WhatsAppMessage:
    check_schedule_time(when)
    message = await _existing(message_id)
    if message.type not in due_refusals.FREE_FORM_EXEMPT and rt.enforce_service_window:
        await require_open_window(message.phone_number_id, message.contact_id, at=when)
    moved = await WhatsAppMessage.filter(id=message_id, status=MessageStatus.SCHEDULED).update(
        scheduled_for=when, next_attempt_at=when, updated_at=utcnow()
    )
    if not moved:
        raise WagraphError.of(
            ErrorCode.NOT_CANCELLABLE,
            f"Only scheduled messages can be rescheduled; this one is {message.status.value}",
            ("id",),
        )
    await message.refresh_from_db()
    await emit_event(
        "message.rescheduled",
        source="api",
        message_id=message.id,
        session_id=message.session_id,
        contact_id=message.contact_id,
        properties={"scheduledFor": _iso(when)},
    )
    if rt.on_scheduled is not None:
        await rt.on_scheduled(message.id, when)
    return message


async def _existing(message_id: uuid.UUID) -> WhatsAppMessage:
    message = await WhatsAppMessage.get_or_none(id=message_id)
    if message is None:
        raise WagraphError.of(ErrorCode.NOT_FOUND, "No message with that id", ("id",))
    return message


async def list_scheduled(*, due_only: bool = False, limit: int = 50) -> list[WhatsAppMessage]:
    query = WhatsAppMessage.filter(status=MessageStatus.SCHEDULED)
    if due_only:
        query = query.filter(next_attempt_at__lte=utcnow())
    return await query.order_by("next_attempt_at").limit(limit)


async def count_due() -> int:
    return await WhatsAppMessage.filter(
        status=MessageStatus.SCHEDULED, next_attempt_at__lte=utcnow()
    ).count()


# -- delivery ----------------------------------------------------------------------------------


async def schedule_whatsapp_message(
    rt: Runtime,
    *,
    schedule_for: datetime,
    template: Mapping[str, Any] | None = None,
    **options: Any,
) -> SendResult:
    """Store a message to be sent at `schedule_for` (the seed's `scheduleWhatsAppMessage`).

    Free-form content (`content=…`) goes through `send_message`, a template (`template={name,
    language, header?, body?, buttons?, named_header?, named_body?}`) through `send_template`:
    both validate everything now
    (the window at that time, the template's parameters), store the row SCHEDULED and book its
    delivery; `process_scheduled_messages` sends it when due. Every other option is theirs.

    Faces: GraphQL `sendMessage` / `sendTemplate` with `scheduleFor`; CLI `wagraph scheduled
    list` shows what waits.
    """
    if template is not None:
        return await send_template(rt, schedule_for=schedule_for, **template, **options)
    return await send_message(rt, schedule_for=schedule_for, **options)


async def process_scheduled_messages(
    rt: Runtime,
    *,
    limit: int = 500,
    concurrency: int = 32,
    now: datetime | None = None,
    progress: Progress | None = None,
    stop: asyncio.Event | None = None,
    gate: asyncio.Semaphore | None = None,
    underway: asyncio.Event | None = None,
) -> FlushResult:
    """One pass: recover abandoned sends, then claim up to `limit` due messages and send them
    (the seed's `processScheduledMessages()`); any number of processes may run it at once.

    `gate`: the sends in flight, shared with overlapping passes (`flush`); by default this
    pass's own, `concurrency` wide. `underway` is set once every claimed message has its turn
    at the gate (or there was none): the next pass may claim then.

    Faces: the arq worker's `messages.sweep` job and the server's in-process sweep (both via
    `flush_scheduled_messages`), and CLI `wagraph scheduled flush`. `progress`, if given, sees
    this pass's outcomes so far after each message (it only watches: sending is the same).
    Once `stop` is set (shutdown), nothing more is claimed or sent: messages already handed to
    Meta finish, the rest go back to SCHEDULED (`claims`).
    """
    underway = underway or asyncio.Event()
    try:
        if stop is not None and stop.is_set():
            return FlushResult()
        now = now or utcnow()
        result = FlushResult(recovered=await recover_abandoned(rt, now=now))
        claimed = await _claim(limit, now)
        result.claimed = len(claimed)
        if claimed:
            gate = gate or asyncio.Semaphore(concurrency)
            turns = _Turns(gate, len(claimed), underway)
            outcome = await _send_claimed(rt, claimed, turns, stop=stop, progress=progress)
            result.add(outcome)
        return result
    finally:
        underway.set()


class _Turns:
    """A pass's messages taking turns at the shared gate; `underway` once all have had one."""

    def __init__(self, gate: asyncio.Semaphore, messages: int, underway: asyncio.Event) -> None:
        self.gate = gate
        self._waiting = messages
        self._underway = underway

    async def __aenter__(self) -> None:
        await self.gate.acquire()
        self._waiting -= 1
        if self._waiting <= 0:
            self._underway.set()

    async def __aexit__(self, *exc: object) -> None:
        self.gate.release()


async def deliver_due_message(
    rt: Runtime, message_id: uuid.UUID, *, stop: asyncio.Event | None = None
) -> bool:
    """Send one message now if it is still scheduled and due (the per-message arq job)."""
    if stop is not None and stop.is_set():
        return False  # shutting down: the sweep of a running process sends it
    now = utcnow()
    claimed = await WhatsAppMessage.filter(
        id=message_id, status=MessageStatus.SCHEDULED, next_attempt_at__lte=now
    ).update(
        status=MessageStatus.SENDING,
        lease_expires_at=now + SEND_LEASE,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    if not claimed:
        return False  # cancelled, rescheduled, or taken by a sweep already
    one = _Turns(asyncio.Semaphore(1), 1, asyncio.Event())
    await _send_claimed(rt, [await WhatsAppMessage.get(id=message_id)], one, stop=stop)
    return True


async def recover_abandoned(rt: Runtime, *, now: datetime | None = None) -> int:
    """SENDING rows whose lease expired: their sender stopped mid-send.

    An immediate send never handed over (its request died before: the database went away as
    it was stored, and no retry under its idempotency key came) was not sent: it is deleted,
    as its request would have withdrawn it, never failed as "outcome unknown"."""
    now = now or utcnow()
    withdrawn = await not_handed_over().filter(lease_expires_at__lt=now).delete()
    if withdrawn:
        log.warning("%d messages stored but never handed to Meta were withdrawn", withdrawn)
    if rt.lease_recovery == "retry":
        return await WhatsAppMessage.filter(
            status=MessageStatus.SENDING, lease_expires_at__lt=now
        ).update(status=MessageStatus.SCHEDULED, next_attempt_at=now, lease_expires_at=None)
    lost = await WhatsAppMessage.filter(status=MessageStatus.SENDING, lease_expires_at__lt=now)
    lease_lost = Failure(None, LEASE_LOST_TITLE)
    for message in lost:
        await record_failed(
            message, lease_lost, SCHEDULER, reason="lease_expired", lease_expired_before=now
        )
    if lost:
        log.warning("%d messages were left SENDING by a stopped worker; marked FAILED", len(lost))
    return len(lost)


async def _claim(limit: int, now: datetime) -> list[WhatsAppMessage]:
    """Due rows, SCHEDULED -> SENDING in one statement; on PostgreSQL, rows another claimer has
    locked are skipped, and the outer status check is re-evaluated on a row it just changed."""
    conn = connection()
    p = Params(dialect(conn))
    skip_locked = " FOR UPDATE SKIP LOCKED" if p.postgres else ""
    sql = (
        f"UPDATE whatsapp_message SET status='SENDING', lease_expires_at={p(now + SEND_LEASE)}, "
        f"attempts=attempts+1, updated_at={p(now)} WHERE id IN (SELECT id FROM whatsapp_message "
        f"WHERE status='SCHEDULED' AND next_attempt_at <= {p(now)} ORDER BY next_attempt_at "
        f"LIMIT {p(limit)}{skip_locked}) AND status='SCHEDULED' RETURNING id"
    )
    # execute_query_dict, because Tortoise's execute_query drops an UPDATE's RETURNING rows.
    rows = await conn.execute_query_dict(sql, p.values)
    ids = [from_db(row["id"]) for row in rows]
    if not ids:
        return []
    return await WhatsAppMessage.filter(id__in=ids).order_by("next_attempt_at")


async def _send_claimed(
    rt: Runtime,
    messages: list[WhatsAppMessage],
    turns: _Turns,
    *,
    stop: asyncio.Event | None,
    progress: Progress | None = None,
) -> FlushResult:
    """Send a claimed batch; whatever was not handed to Meta when it ends (stopped, limiter
    or database error, cancelled) goes back to SCHEDULED, its attempt not counted."""
    held = Claimed(messages, stop)
    result = FlushResult()
    try:
        result = await _send_all(rt, messages, turns, progress, held=held)
    finally:
        result.released = await held.release()
        if result.released:
            metrics.count_send("released", amount=result.released)
    return result


async def _send_all(
    rt: Runtime,
    messages: list[WhatsAppMessage],
    turns: _Turns,
    progress: Progress | None = None,
    *,
    held: Claimed,
) -> FlushResult:
    result = FlushResult()
    # Each template's category now (not when it was scheduled) decides its route (§11.4) and
    # whether an opted-out customer may still get it.
    marketing_now = await marketing_templates(messages)
    refused = await due_refusals.refusals(rt, messages, marketing_now)
    marketing = marketing_now if rt.marketing_messages_api else set()
    accepted: list[Accepted] = []

    async def one(message: WhatsAppMessage) -> None:
        async with turns:
            if message.id in refused:
                failure, reason = refused[message.id]
                await record_failed(message, failure, SCHEDULER, reason=reason)
                held.settled(message.id)
                result.failed += 1
                return
            outcome = await _send_one(rt, message, edge_of(message.id, marketing), held)
            if isinstance(outcome, str):
                setattr(result, outcome, getattr(result, outcome) + 1)
                return
            accepted.append(outcome)
            result.sent += 1
            if len(accepted) >= RECORD_EVERY:
                batch = accepted[:]
                accepted.clear()
                await record_sent(batch, SCHEDULER, marketing=marketing)

    async def watched(message: WhatsAppMessage) -> None:
        with log_context.bound(message_id=message.id), tracing.span("scheduled send"):
            await one(message)
        if progress is not None:
            progress(result)

    await asyncio.gather(*(watched(m) for m in messages))
    await record_sent(accepted, SCHEDULER, marketing=marketing)
    return result


async def _send_one(
    rt: Runtime, message: WhatsAppMessage, edge: Edge, held: Claimed
) -> str | Accepted:
    """Send a claimed message: (message, wamid) to record, or the FlushResult counter to add.

    Until its request starts (`held.handing_over`) nothing has reached Meta: a stop or a failed
    limiter leaves the message to `held.release` (back to SCHEDULED), never to lease recovery."""
    waiting = time.perf_counter()
    try:
        paced = await held.paced(rt.limiter, message.phone_number_id)
    except Exception as exc:  # the limiter's store (Redis) failed: nothing was sent
        held.pacing_failed(exc)
        return "released"
    metrics.RATE_LIMIT_WAIT_SECONDS.observe(time.perf_counter() - waiting)
    if not paced or not held.handing_over(message.id):
        return "released"
    try:
        sent = await rt.cloud.send_message(
            message.phone_number_id, message.payload or {}, attempts=1, edge=edge
        )
    except CloudError as exc:
        return await _after_failure(rt, message, exc, edge)
    return message, sent.wamid


async def _after_failure(rt: Runtime, message: WhatsAppMessage, exc: CloudError, edge: Edge) -> str:
    code = exc.code if isinstance(exc, CloudApiError) else None
    outcome = await _settle_failure(rt, message, exc, edge, code)
    if outcome == "retried":
        metrics.count_send("retried", code)
    return outcome


async def _settle_failure(
    rt: Runtime, message: WhatsAppMessage, exc: CloudError, edge: Edge, code: int | None
) -> str:
    now = utcnow()
    if code in (codes.THROUGHPUT, codes.PAIR_RATE_LIMIT):
        # Slow down, do not fail: the attempt does not count.
        await slow_down(rt, message, exc)
        wait = PAIR_LIMIT_WAIT if code == codes.PAIR_RATE_LIMIT else THROUGHPUT_WAIT
        await _back_to_scheduled(message, now + wait, attempts=message.attempts - 1)
        return "retried"
    if code == codes.MARKETING_LIMIT and message.attempts < rt.max_attempts:
        # Meta's per-user marketing limit: never in a tight loop, no sooner than 24 hours.
        await _back_to_scheduled(
            message, now + MARKETING_LIMIT_WAIT, attempts=message.attempts, error=exc
        )
        return "retried"
    if exc.retryable and message.attempts < rt.max_attempts:
        delay = min(RETRY_MAX, RETRY_BASE * 2 ** (message.attempts - 1))
        await _back_to_scheduled(message, now + delay, attempts=message.attempts, error=exc)
        return "retried"
    await record_failed(message, Failure.from_cloud(exc), SCHEDULER, edge=edge)
    return "failed"


async def _back_to_scheduled(
    message: WhatsAppMessage, when: datetime, *, attempts: int, error: CloudError | None = None
) -> None:
    changes: dict[str, Any] = {
        "status": MessageStatus.SCHEDULED,
        "next_attempt_at": when,
        "lease_expires_at": None,
        "attempts": attempts,
    }
    if error is not None:
        changes.update(
            error_code=getattr(error, "code", None),
            error_title=getattr(error, "title", None) or str(error)[:500],
        )
    await WhatsAppMessage.filter(id=message.id, status=MessageStatus.SENDING).update(**changes)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
