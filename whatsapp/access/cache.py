"""A per-process cache of authenticated keys, so most requests run no key query.

Entries are keyed by the key's SHA-256 digest (never the key), live `ttl` seconds and are
bounded in number (least recently used out first). What that costs in freshness is bounded
too: a key revoked or down-scoped in another process is refused here at most `ttl` later; in
this process at once (`changes`); an expiry is checked on every hit, so it is exact. Unknown
keys are not cached, so guessing fills nothing.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from whatsapp.access import api_keys, changes
from whatsapp.access.identity import KeyIdentity
from whatsapp.kit.clock import utcnow

DEFAULT_TTL_S = 1.0
DEFAULT_MAX_ENTRIES = 10_000


@dataclass(slots=True)
class _Entry:
    identity: KeyIdentity
    fetched_at: float


class KeyCache:
    def __init__(
        self,
        *,
        ttl_s: float = DEFAULT_TTL_S,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        changes.subscribe(self.forget)

    def __len__(self) -> int:
        return len(self._entries)

    async def authenticate(self, key: str | None) -> KeyIdentity | None:
        """The active key behind this bearer token, or None (missing, unknown, revoked,
        expired)."""
        if key is None or not api_keys.well_formed(key):
            return None
        return await self._by_digest(api_keys.digest(key))

    async def current(self, identity: KeyIdentity) -> KeyIdentity | None:
        """The key as it stands now (a long-lived socket re-checks the key it was opened
        with): its new scope, or None once revoked or expired."""
        return await self._by_digest(identity.digest)

    def forget(self, key_id: uuid.UUID) -> None:
        """Drop the key's entries: the next use reads it again."""
        for digest in [d for d, e in self._entries.items() if e.identity.id == key_id]:
            del self._entries[digest]

    def clear(self) -> None:
        self._entries.clear()

    async def _by_digest(self, digest: str) -> KeyIdentity | None:
        now = self._clock()
        entry = self._entries.get(digest)
        if entry is not None and now - entry.fetched_at < self.ttl_s:
            self._entries.move_to_end(digest)
            identity: KeyIdentity | None = entry.identity
        else:
            identity = await api_keys.lookup(digest)
            self._store(digest, identity, now)
        if identity is not None and identity.expired(utcnow()):
            self._entries.pop(digest, None)
            return None
        return identity

    def _store(self, digest: str, identity: KeyIdentity | None, now: float) -> None:
        if identity is None or self.ttl_s <= 0:
            self._entries.pop(digest, None)
            return
        self._entries[digest] = _Entry(identity, now)
        self._entries.move_to_end(digest)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
