"""Our ids are UUIDs; clients send them as strings and databases return them in their own types."""

from __future__ import annotations

import uuid
from typing import Any

from whatsapp.kit.errors import invalid


def parse_id(value: Any, *field: str, what: str = "id") -> uuid.UUID:
    """A client's id as a UUID, or INVALID_INPUT at `field` (never a ValueError, never a 500)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise invalid(f"Not a valid {what}", *field) from None


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def from_db(raw: Any) -> uuid.UUID:
    """A UUID read by raw SQL: a string on SQLite, asyncpg's own UUID type on PostgreSQL."""
    return raw if type(raw) is uuid.UUID else uuid.UUID(str(raw))
