"""Our ids are UUIDs; clients send them as strings and databases return them in their own types.

An `ID` argument may also be one of Meta's ids (a wamid, a group id of any length, a BSUID), so
its shape is checked loosely: visible ASCII, no longer than the longest id column.
"""

from __future__ import annotations

import re
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


# The longest id we store (Meta's group, call and participant ids; webhook item keys).
MAX_ID_LENGTH = 255
_ID_SHAPE = re.compile(r"[\x21-\x7e]+")


def id_problem(value: str) -> str | None:
    """Why `value` cannot be any id we know — ours (a UUID) or Meta's (`wamid.…`, BSUIDs
    `US.…`, group ids) — or None. Anything that passes is safe to look up."""
    if len(value) > MAX_ID_LENGTH:
        return f"Not a valid id: longer than {MAX_ID_LENGTH} characters (got {len(value):,})"
    if not _ID_SHAPE.fullmatch(value):
        return "Not a valid id: an id is letters, digits and punctuation, without spaces"
    return None


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def from_db(raw: Any) -> uuid.UUID:
    """A UUID read by raw SQL: a string on SQLite, asyncpg's own UUID type on PostgreSQL."""
    return raw if type(raw) is uuid.UUID else uuid.UUID(str(raw))
