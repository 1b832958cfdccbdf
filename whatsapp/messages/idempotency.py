"""Idempotency keys: a retried send finds the message its first attempt stored, never a second.

The retry answers with the first attempt's outcome (a replay), except when that attempt stored
its message and died before handing it to Meta (the database went away as it answered): then
the retry sends it (a resume), and only one of the two can hand it over."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from models import MessageStatus, WhatsAppMessage
from whatsapp.cloud.problems import problem_from_stored
from whatsapp.kit.errors import ErrorCode, WagraphError, invalid
from whatsapp.messages.delivery import Origin, SendResult, edge_of, send_now
from whatsapp.runtime import Runtime
from whatsapp.templates.routing import marketing_message_ids

KEY_MAX = 128


def request_hash(*parts: Any) -> str:
    """Tells a retry (same hash) from a different request that reuses the key."""
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()


async def earlier_message(idempotency_key: str | None, request_hash: str) -> WhatsAppMessage | None:
    """The message stored for this key; a different request under the same key is refused."""
    if not idempotency_key:
        return None
    if len(idempotency_key) > KEY_MAX:
        raise invalid(f"idempotencyKey must be at most {KEY_MAX} characters", "idempotencyKey")
    earlier = await WhatsAppMessage.get_or_none(idempotency_key=idempotency_key)
    if earlier is None:
        return None
    if earlier.request_hash != request_hash:
        raise WagraphError.of(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "This idempotencyKey was already used for a different request",
            ("idempotencyKey",),
        )
    return earlier


async def replay(
    rt: Runtime, idempotency_key: str | None, request_hash: str, origin: Origin
) -> SendResult | None:
    """The earlier result for this key (Meta's refusal included), marked as a replay; None
    when the key is new. An earlier message stored but never handed over is sent now."""
    earlier = await earlier_message(idempotency_key, request_hash)
    if earlier is None:
        return None
    if earlier.status == MessageStatus.SENDING and earlier.attempts == 0:
        return await _resume(rt, earlier, origin)
    problem = None
    if earlier.status == MessageStatus.FAILED:
        problem = problem_from_stored(
            earlier.error_code, earlier.error_title, earlier.error_details
        )
    return SendResult(message=earlier, problem=problem, replayed=True)


async def _resume(rt: Runtime, message: WhatsAppMessage, origin: Origin) -> SendResult:
    """Send the message an earlier request with this key stored and did not hand over (if
    that request is in fact still running, only one of the two hands it over)."""
    marketing = await marketing_message_ids(rt, [message])
    problem = await send_now(
        rt, message, origin, edge=edge_of(message.id, marketing), withdraw=False
    )
    return SendResult(message=message, problem=problem, replayed=True)
