"""The durable webhook inbox: verify, store, acknowledge — then process, retry, replay.

A delivery is stored (raw bytes, keyed by their SHA-256 under a unique constraint) before
Meta gets its 200, so nothing acknowledged can be lost. Processing claims a delivery with a
lease (a conditional UPDATE), so any number of processes can work the inbox together; a
failure leaves the delivery PENDING with a backoff, and after `MAX_ATTEMPTS` it is FAILED and
waits for `replay`. Processing is idempotent, so retries and replays are always safe.

Within a delivery each item stands alone (`dispatch`): an item with a bad shape is set aside
as a dead letter and the others are applied; only transient failures retry the delivery, and
on its last attempt the items that still fail are set aside too, so the delivery completes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from tortoise.expressions import Q

from models import InboxStatus, WebhookDelivery
from whatsapp.inbound.dispatch import Applied, DeliveryRef, MalformedWebhook, apply_webhook
from whatsapp.kit import log_context, tracing
from whatsapp.kit.clock import utcnow
from whatsapp.kit.sql import Params, connection, dialect

log = logging.getLogger(__name__)

SIGNATURE_PREFIX = "sha256="
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
SETTLED = timedelta(seconds=10)
"""How long the sweep leaves a new delivery to the consumers of the process that took it in."""
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_MAX = timedelta(minutes=30)

Processor = Callable[..., Awaitable[Applied]]
"""`processor(payload, delivery=DeliveryRef)`: apply a delivery's items (`apply_webhook`)."""


def signature_valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """Meta's X-Hub-Signature-256: HMAC-SHA256 of the raw body, compared in constant time.

    Any header value is an answer, never an error: the comparison is of bytes (comparing str
    raises for non-ASCII text), and a value that is not ASCII, lacks the prefix or has the
    wrong length simply does not match."""
    if not header or not app_secret:
        # An empty secret verifies against an empty key, which anyone can forge.
        return False
    try:
        presented = header.strip().encode("ascii")
    except UnicodeEncodeError:
        return False
    if not presented.startswith(SIGNATURE_PREFIX.encode()):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest().encode()
    return hmac.compare_digest(expected, presented[len(SIGNATURE_PREFIX) :].strip().lower())


Arrival = tuple[bytes, str]
"""A delivery to store: its raw body, and its source (`whatsapp`)."""


async def store_delivery(body: bytes, *, source: str = "whatsapp") -> tuple[uuid.UUID, bool]:
    """Store one delivery unless the same bytes are already stored; (its id, is_new).

    The webhook endpoint stores through a `GroupCommit` over `store_deliveries` instead, so a
    burst of deliveries is one statement; the request then calls `arrived` itself."""
    stored = (await store_deliveries([(body, source)]))[0]
    if stored[1]:
        arrived(stored[0])
    return stored


def arrived(delivery_id: uuid.UUID) -> None:
    """In the acknowledging request: its processing (another task, later) carries this POST's
    request id and span."""
    log_context.hand_over(delivery_id)
    tracing.remember(delivery_id)


async def store_deliveries(arrivals: Sequence[Arrival]) -> list[tuple[uuid.UUID, bool]]:
    """Insert deliveries whose bytes are not stored yet, in one statement; (id, is_new) each,
    in order. The same bytes twice in `arrivals` are one row: new the first time only.

    `INSERT … ON CONFLICT DO NOTHING RETURNING`: this is all an acknowledgement waits for,
    written as SQL once (Tortoise's `create` spent more CPU building the model and its SQL
    than the round trip took). Bytes already stored are read back in a second statement."""
    keys = [hashlib.sha256(body).hexdigest() for body, _ in arrivals]
    conn = connection()
    p = Params(dialect(conn))
    rows: dict[str, str] = {}
    now = utcnow()
    for key, (body, source) in zip(keys, arrivals, strict=True):
        if key not in rows:
            # Bytes that are not UTF-8, and NUL (which PostgreSQL's text refuses), cannot be
            # part of a JSON document: kept replaced, it is stored, then fails as unprocessable.
            text = body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
            rows[key] = (
                f"({p(uuid.uuid4())}, {p(now)}, {p(key)}, {p(source)}, {p(text)}, "
                f"{p(InboxStatus.PENDING.value)}, 0)"
            )
    sql = (
        "INSERT INTO webhook_delivery (id, created_at, dedupe_key, source, body, status, "
        f"attempts) VALUES {', '.join(rows.values())} "
        "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key"
    )
    inserted = {r["dedupe_key"]: r["id"] for r in await conn.execute_query_dict(sql, p.values)}
    ids = dict(inserted)
    if len(ids) < len(rows):
        seen = WebhookDelivery.filter(dedupe_key__in=[k for k in rows if k not in ids])
        ids.update(await seen.values_list("dedupe_key", "id"))
    answers: list[tuple[uuid.UUID, bool]] = []
    for key in keys:
        answers.append((uuid.UUID(str(ids[key])), key in inserted))
        inserted.pop(key, None)  # a second copy in the same batch is not new
    return answers


async def process_delivery(delivery_id: uuid.UUID, *, processor: Processor = apply_webhook) -> bool:
    """Claim and process one delivery; False when another worker holds it or it is done.
    Its log lines carry its id and the request id of the POST that brought it, and its span
    is a child of that POST's, when this process answered it; otherwise neither (whatever
    the consuming task's context held is not this delivery's)."""
    parent = tracing.recall(delivery_id)
    request_id = log_context.take_over(delivery_id)
    with (
        log_context.bound(webhook_delivery_id=delivery_id, request_id=request_id),
        tracing.span("webhook processing", parent=tracing.NEW_TRACE if parent is None else parent),
    ):
        return await _process_delivery(delivery_id, processor)


async def _process_delivery(delivery_id: uuid.UUID, processor: Processor) -> bool:
    row = await _claim(delivery_id, utcnow())
    if row is None:
        return False
    try:
        payload = orjson.loads(row.body)
        final = row.attempts >= MAX_ATTEMPTS
        applied = await processor(payload, delivery=DeliveryRef(row.id, final=final))
    except (orjson.JSONDecodeError, MalformedWebhook) as exc:
        await _finish(row, InboxStatus.FAILED, f"unprocessable: {exc}")
        log.warning("webhook delivery %s is not processable: %s", row.id, exc)
        return True
    except Exception as exc:
        await _retry_later(row, exc)
        return True
    await _finish(row, InboxStatus.PROCESSED, None)
    log.debug("webhook delivery %s processed: %s", row.id, applied)
    return True


@dataclass(frozen=True, slots=True)
class _Claimed:
    """A delivery this process holds the lease of: what processing it needs."""

    id: uuid.UUID
    attempts: int
    body: str


async def _claim(delivery_id: uuid.UUID, now: datetime) -> _Claimed | None:
    """Lease a PENDING delivery nobody holds (or whose lease ran out) and read it, in one
    statement: UPDATE … RETURNING (Tortoise's update cannot return the row)."""
    conn = connection()
    p = Params(dialect(conn))
    sql = (
        f"UPDATE webhook_delivery SET locked_until = {p(now + LEASE)}, attempts = attempts + 1 "
        f"WHERE id = {p(delivery_id)} AND status = {p(InboxStatus.PENDING.value)} "
        f"AND (locked_until IS NULL OR locked_until < {p(now)}) RETURNING attempts, body"
    )
    rows = await conn.execute_query_dict(sql, p.values)
    if not rows:
        return None
    return _Claimed(delivery_id, int(rows[0]["attempts"]), str(rows[0]["body"]))


async def process_due(
    *,
    limit: int = 100,
    processor: Processor = apply_webhook,
    settled_for: timedelta = timedelta(0),
) -> int:
    """Process deliveries waiting for a (first or next) attempt; returns how many were tried.

    `settled_for`: leave first attempts younger than this to the consumers of the process
    that acknowledged them (the sweep's case): a sweep that took them too would only add a
    third consumer competing with the acknowledgements for the CPU, and make the consumer's
    own claim a wasted statement. Retries, and deliveries a stopped process left, wait no
    longer than their time."""
    now = utcnow()
    first_attempt = Q(next_attempt_at__isnull=True)
    if settled_for:
        first_attempt &= Q(created_at__lt=now - settled_for)
    due = (
        await WebhookDelivery.filter(
            first_attempt | Q(next_attempt_at__lte=now),
            Q(locked_until__isnull=True) | Q(locked_until__lt=now),
            status=InboxStatus.PENDING,
        )
        .order_by("created_at")
        .limit(limit)
        .values_list("id", flat=True)
    )
    tried = 0
    for delivery_id in due:
        tried += await process_delivery(delivery_id, processor=processor)  # type: ignore[arg-type]
    return tried


async def replay(
    *, ids: Sequence[uuid.UUID] = (), failed: bool = False, since: Any = None
) -> list[uuid.UUID]:
    """Put deliveries back in the queue (by id, or every FAILED one); returns their ids."""
    query = WebhookDelivery.all()
    if ids:
        query = query.filter(id__in=list(ids))
    elif failed:
        query = query.filter(status=InboxStatus.FAILED)
    else:
        raise ValueError("name the deliveries to replay, or ask for the failed ones")
    if since is not None:
        query = query.filter(created_at__gte=since)
    chosen = await query.values_list("id", flat=True)
    await WebhookDelivery.filter(id__in=list(chosen)).update(
        status=InboxStatus.PENDING,
        attempts=0,
        next_attempt_at=None,
        locked_until=None,
        last_error=None,
        processed_at=None,
    )
    return list(chosen)  # type: ignore[arg-type]


async def inbox_counts() -> dict[str, int]:
    counts = {status.value: 0 for status in InboxStatus}
    for status in InboxStatus:
        counts[status.value] = await WebhookDelivery.filter(status=status).count()
    return counts


async def failed_deliveries(*, limit: int = 50) -> list[WebhookDelivery]:
    """FAILED deliveries, newest first, with their last error: what an operator picks from
    for `replay` (CLI `wagraph webhooks failed`)."""
    query = WebhookDelivery.filter(status=InboxStatus.FAILED)
    return await query.order_by("-created_at", "-id").limit(limit)


async def _finish(row: _Claimed, status: InboxStatus, error: str | None) -> None:
    """The delivery done (PROCESSED) or given up (FAILED), its lease let go: every delivery
    ends here, so its SQL is written once."""
    conn = connection()
    p = Params(dialect(conn))
    sql = (
        f"UPDATE webhook_delivery SET status = {p(status.value)}, processed_at = {p(utcnow())}, "
        f"locked_until = NULL, last_error = {p(error)}, next_attempt_at = NULL "
        f"WHERE id = {p(row.id)}"
    )
    await conn.execute_query(sql, p.values)


async def _retry_later(row: _Claimed, exc: Exception) -> None:
    attempts = row.attempts
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if attempts >= MAX_ATTEMPTS:
        await _finish(row, InboxStatus.FAILED, error)
        log.error(
            "webhook delivery %s failed %d times, kept for replay: %s", row.id, attempts, error
        )
        return
    delay = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (attempts - 1))
    await WebhookDelivery.filter(id=row.id).update(
        locked_until=None, last_error=error, next_attempt_at=utcnow() + delay
    )
    log.warning(
        "webhook delivery %s failed (attempt %d), retry in %s: %s",
        row.id,
        attempts,
        delay,
        error,
        exc_info=exc,
    )
