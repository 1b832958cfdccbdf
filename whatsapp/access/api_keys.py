"""API keys: shown once, stored as a SHA-256 digest, checked on every GraphQL request.

Keys carry 256 bits of randomness, so a plain SHA-256 is enough (no slow hash needed) and a
lookup by digest reveals nothing about other keys. A key is refused once revoked or past its
`expires_at`; revoking it or changing its scope is announced (`changes`) so this process's
caches forget it at once, and other processes' caches within their TTL.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from models import ApiKey, ApiKeyScope
from whatsapp.access import changes
from whatsapp.access.identity import KeyIdentity
from whatsapp.kit.clock import as_utc, utcnow
from whatsapp.kit.errors import ErrorCode, WagraphError, invalid

KEY_PREFIX = "wag_"
NAME_MAX = 128
PREFIX_MAX = 16
KEY_MAX = 200
# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# A key meant to outlive its operators is a key that should not expire.
EXPIRY_MAX = timedelta(days=366 * 100)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def well_formed(key: str | None) -> bool:
    """Cheap checks before any hashing or query: a bearer of garbage costs nothing."""
    return key is not None and key.startswith(KEY_PREFIX) and len(key) <= KEY_MAX


async def create_api_key(
    *, name: str, scope: ApiKeyScope, expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """Returns the stored key and the plaintext, which is never stored or shown again."""
    name = name.strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise invalid(f"name must be 1-{NAME_MAX} characters", "name")
    if "\x00" in name:
        raise invalid("name must not contain NUL characters", "name")
    expires_at = _checked_expiry(expires_at)
    public = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{public}_{secrets.token_urlsafe(32)}"
    row = await ApiKey.create(
        name=name,
        prefix=f"{KEY_PREFIX}{public}",
        key_hash=digest(key),
        scope=scope,
        expires_at=expires_at,
    )
    return row, key


def _checked_expiry(expires_at: datetime | None) -> datetime | None:
    if expires_at is None:
        return None
    expires_at = as_utc(expires_at)
    now = utcnow()
    if expires_at <= now:
        raise invalid("expiresAt must be in the future", "expiresAt")
    if expires_at - now > EXPIRY_MAX:
        raise invalid("expiresAt must be within 100 years", "expiresAt")
    return expires_at


async def lookup(key_digest: str) -> KeyIdentity | None:
    """The active key with this digest (not revoked, not expired), or None. Notes its use."""
    row = await ApiKey.get_or_none(key_hash=key_digest, revoked_at__isnull=True)
    if row is None:
        return None
    now = utcnow()
    identity = KeyIdentity.from_row(row)
    if identity.expired(now):
        return None
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        await ApiKey.filter(id=row.id).update(last_used_at=now)
    return identity


async def authenticate(key: str | None) -> KeyIdentity | None:
    """Uncached: the server goes through `KeyCache`; the CLI and tests may use this."""
    if key is None or not well_formed(key):
        return None
    return await lookup(digest(key))


async def list_api_keys() -> list[ApiKey]:
    return await ApiKey.all().order_by("created_at")


async def revoke_api_key(prefix: str) -> ApiKey:
    """Revoke the active key with this prefix; every process refuses it within its cache TTL."""
    row = await _active(prefix)
    await ApiKey.filter(id=row.id, revoked_at__isnull=True).update(revoked_at=utcnow())
    changes.key_changed(row.id)
    await row.refresh_from_db()
    return row


async def set_api_key_scope(prefix: str, scope: ApiKeyScope) -> ApiKey:
    """Change an active key's scope (lowering it is how to take rights away without a new
    key); open sockets holding it get the new scope on their next check."""
    row = await _active(prefix)
    await ApiKey.filter(id=row.id).update(scope=scope)
    changes.key_changed(row.id)
    await row.refresh_from_db()
    return row


async def _active(prefix: str) -> ApiKey:
    row = (
        await ApiKey.get_or_none(prefix=prefix, revoked_at__isnull=True)
        if 1 <= len(prefix) <= PREFIX_MAX and "\x00" not in prefix
        else None
    )
    if row is None:
        raise WagraphError.of(
            ErrorCode.NOT_FOUND,
            f"no active API key with prefix {prefix[:PREFIX_MAX]!r}",
            ["prefix"],
        )
    return row
