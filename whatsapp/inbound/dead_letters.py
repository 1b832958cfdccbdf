"""Webhook items set aside: what could not be applied, why, and its replay after a fix.

An item is set aside when applying it raised an error that a retry cannot change — the shape
of what Meta sent (a missing key, a wrong type, a value out of range), which surfaces as a
KeyError, TypeError, ValueError… while reading it, or a value the database refuses as data.
The delivery it came in is then applied all the same. Its identity (`item_key`) is Meta's id
where the item has one, else its delivery and position, so the same bad item is kept once.

A replay claims the dead letter (a conditional UPDATE, so two replays cannot both apply it)
and applies the item as the delivery would have; on success it is REPLAYED, else it is back to
PENDING with the new reason.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import orjson
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.exceptions import ValidationError as OrmValidationError
from tortoise.transactions import in_transaction

from models import DeadLetterStatus, WebhookDeadLetter
from whatsapp.events.log import emit_event
from whatsapp.inbound.items import WebhookItem
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.kit.paging import Page, keyset_page

log = logging.getLogger(__name__)

# Errors raised by reading an item that does not have the shape Meta documents.
_SHAPE_ERRORS: tuple[type[BaseException], ...] = (
    LookupError,  # KeyError, IndexError
    TypeError,
    ValueError,  # also orjson's decode error, pydantic's ValidationError, BadItem
    AttributeError,
    ArithmeticError,  # OverflowError, decimal.InvalidOperation
    OrmValidationError,
)
REASON_MAX = 2000


def is_permanent(exc: BaseException) -> bool:
    """Whether retrying cannot help: a shape error, or data the database refuses (too long,
    out of range). A lost connection, a lock timeout or a race is transient."""
    if isinstance(exc, IntegrityError | ConnectionError | TimeoutError):
        return False
    if isinstance(exc, OperationalError):
        return _database_refused_data(exc)
    return isinstance(exc, _SHAPE_ERRORS)


def _database_refused_data(exc: OperationalError) -> bool:
    """PostgreSQL's class 22 (data exception: value too long, out of range, bad format)."""
    cause = exc.__cause__ or exc.__context__
    return getattr(cause, "sqlstate", "")[:2] == "22"


def describe(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, KeyError):
        text = f"missing key {text}"
    return f"{type(exc).__name__}: {text}"[:REASON_MAX].replace("\x00", "\ufffd")


async def set_aside(item: WebhookItem, exc: BaseException, delivery_id: uuid.UUID | None) -> int:
    """Keep the item as a dead letter; 1 when new, 0 when that item is already kept."""
    key = _text(item.meta_key or f"delivery:{delivery_id}:{item.position}", 255)
    reason = describe(exc)
    log.warning(
        "webhook item %s (%s %s) set aside: %s", item.position, item.field, item.kind, reason
    )
    try:
        # The letter and its event together: never one without the other.
        async with in_transaction() as conn:
            letter = await WebhookDeadLetter.create(
                delivery_id=delivery_id,
                item_key=key,
                field=_text(item.field, 64),
                kind=_text(item.kind, 16),
                position=_text(item.position, 64),
                context=_json_safe(item.context()),
                item=None if isinstance(item.body, str) else _json_safe(item.body),
                reason=reason,
                using_db=conn,
            )
            if isinstance(item.body, str):
                # Tortoise decodes a str given to a JSON field at create; an update stores it.
                await (
                    WebhookDeadLetter.filter(id=letter.id)
                    .using_db(conn)
                    .update(item=_json_safe(item.body))
                )
            await emit_event(
                "webhook.dead_letter",
                source="webhook",
                properties={
                    "deadLetterId": str(letter.id),
                    "field": letter.field,
                    "kind": letter.kind,
                    "reason": reason,
                },
                using_db=conn,
            )
    except IntegrityError:
        await WebhookDeadLetter.filter(item_key=key, status=DeadLetterStatus.PENDING).update(
            reason=reason, updated_at=utcnow()
        )
        return 0
    return 1


def _text(value: str, limit: int) -> str:
    """A column's text: within its length, with NUL (PostgreSQL refuses it) as U+FFFD."""
    return value[:limit].replace("\x00", "\ufffd")


def _json_safe(value: Any) -> Any:
    """What a JSON column stores as this value. Tortoise takes a str given to a JSON field for
    JSON text, so a bare string item goes in as its JSON encoding (and comes back a string).
    A NUL character, which PostgreSQL's jsonb refuses, is kept as U+FFFD (the delivery keeps
    the original)."""
    encoded = _NUL_ESCAPE.sub(rb"\1\\ufffd", orjson.dumps(value, default=str))
    if isinstance(value, str):
        return encoded.decode()
    return orjson.loads(encoded)


# `\u0000` as orjson writes NUL, not preceded by an escaped backslash (`\\u0000` is text).
_NUL_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*)\\u0000")


Applier = Callable[[WebhookItem], Awaitable[str]]


async def replay(letter_id: uuid.UUID, apply: Applier) -> WebhookDeadLetter:
    """Apply one dead letter's item again; the letter as it is afterwards."""
    claimed = await WebhookDeadLetter.filter(id=letter_id, status=DeadLetterStatus.PENDING).update(
        status=DeadLetterStatus.REPLAYED, replayed_at=utcnow()
    )
    letter = await WebhookDeadLetter.get(id=letter_id)
    if not claimed:
        return letter
    item = WebhookItem.from_context(letter.context, letter.item)
    try:
        await apply(item)
    except Exception as exc:
        reason = describe(exc)
        await WebhookDeadLetter.filter(id=letter_id).update(
            status=DeadLetterStatus.PENDING,
            replayed_at=None,
            reason=reason,
            attempts=letter.attempts + 1,
        )
        log.warning("dead letter %s still cannot be applied: %s", letter_id, reason)
    else:
        log.info("dead letter %s replayed", letter_id)
    await letter.refresh_from_db()
    return letter


async def replay_many(ids: Sequence[uuid.UUID], apply: Applier) -> list[WebhookDeadLetter]:
    """Replay each named dead letter (NOT_FOUND, and nothing replayed, if one is unknown)."""
    await _check_known(ids)
    return [await replay(letter_id, apply) for letter_id in ids]


async def _check_known(ids: Sequence[uuid.UUID]) -> None:
    known = set(await WebhookDeadLetter.filter(id__in=list(ids)).values_list("id", flat=True))
    missing = [str(one) for one in ids if one not in known]
    if missing:
        raise WagraphError.of(
            ErrorCode.NOT_FOUND, f"No dead letter with id {', '.join(missing)}", ("ids",)
        )


async def page(
    status: DeadLetterStatus | None, *, first: int | None, after: str | None
) -> Page[WebhookDeadLetter]:
    """Dead letters, newest first, of one status or all."""
    query = WebhookDeadLetter.all()
    if status is not None:
        query = query.filter(status=status)
    return await keyset_page(query, first=first, after=after)


async def pending_ids(limit: int | None = None) -> list[uuid.UUID]:
    query = WebhookDeadLetter.filter(status=DeadLetterStatus.PENDING).order_by("created_at")
    if limit is not None:
        query = query.limit(limit)
    return list(await query.values_list("id", flat=True))  # type: ignore[arg-type]


async def discard(letter_id: uuid.UUID) -> WebhookDeadLetter:
    """An operator decided the item is not worth applying: it stays, marked DISCARDED.
    Only a PENDING letter can be discarded (a replayed one was applied)."""
    await _check_known([letter_id])
    changed = await WebhookDeadLetter.filter(id=letter_id, status=DeadLetterStatus.PENDING).update(
        status=DeadLetterStatus.DISCARDED
    )
    letter = await WebhookDeadLetter.get(id=letter_id)
    if not changed:
        raise WagraphError.of(
            ErrorCode.INVALID_INPUT, f"Dead letter {letter_id} is {letter.status}", ("id",)
        )
    return letter


async def counts() -> dict[str, int]:
    return {
        status.value: await WebhookDeadLetter.filter(status=status).count()
        for status in DeadLetterStatus
    }
