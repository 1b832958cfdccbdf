"""API keys: shown once, stored as a SHA-256 digest, checked on every GraphQL request.

Keys carry 256 bits of randomness, so a plain SHA-256 is enough (no slow hash needed) and a
lookup by digest reveals nothing about other keys.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from models import ApiKey, ApiKeyScope
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import invalid

KEY_PREFIX = "wag_"
NAME_MAX = 128
# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_api_key(*, name: str, scope: ApiKeyScope) -> tuple[ApiKey, str]:
    """Returns the stored key and the plaintext, which is never stored or shown again."""
    name = name.strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise invalid(f"name must be 1-{NAME_MAX} characters", "name")
    public = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{public}_{secrets.token_urlsafe(32)}"
    row = await ApiKey.create(
        name=name, prefix=f"{KEY_PREFIX}{public}", key_hash=digest(key), scope=scope
    )
    return row, key


async def authenticate(key: str | None) -> ApiKey | None:
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    row = await ApiKey.get_or_none(key_hash=digest(key), revoked_at__isnull=True)
    if row is None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        await ApiKey.filter(id=row.id).update(last_used_at=now)
    return row


async def list_api_keys() -> list[ApiKey]:
    return await ApiKey.all().order_by("created_at")


async def revoke_api_key(prefix: str) -> bool:
    updated = await ApiKey.filter(prefix=prefix, revoked_at__isnull=True).update(
        revoked_at=utcnow()
    )
    return updated > 0
