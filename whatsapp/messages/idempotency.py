"""Idempotency keys: a retried send finds the message its first attempt stored, never a second."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from models import WhatsAppMessage
from whatsapp.kit.errors import ErrorCode, WagraphError, invalid

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
