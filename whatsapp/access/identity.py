"""Who is calling: an authenticated key as requests and sockets hold it.

A frozen snapshot rather than the ORM row, so a cache can share it between requests safely and
nothing downstream can write through it. It carries the key's digest (to re-check the key
later) but never the key itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models import ApiKey, ApiKeyScope


@dataclass(frozen=True, slots=True)
class KeyIdentity:
    id: uuid.UUID
    prefix: str
    name: str
    scope: ApiKeyScope
    expires_at: datetime | None
    digest: str = field(repr=False)

    @classmethod
    def from_row(cls, row: ApiKey) -> KeyIdentity:
        return cls(
            id=row.id,
            prefix=row.prefix,
            name=row.name,
            scope=ApiKeyScope(row.scope),
            expires_at=row.expires_at,
            digest=row.key_hash,
        )

    def allows(self, needed: ApiKeyScope) -> bool:
        return self.scope.allows(needed)

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def describe(self) -> dict[str, Any]:
        """What an audit record says of the key: enough to find it, nothing to use it."""
        return {"id": str(self.id), "prefix": self.prefix, "name": self.name, "scope": self.scope}
