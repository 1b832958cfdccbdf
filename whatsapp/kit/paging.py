"""Keyset pagination over (created_at, id), newest first.

Offsets get slower the deeper a dashboard pages; a keyset stays an index range scan.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from whatsapp.kit.clock import as_utc
from whatsapp.kit.errors import invalid

T = TypeVar("T")
DEFAULT_PAGE = 20
MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    cursors: Sequence[str]
    has_next: bool
    query: QuerySet[Any]

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None

    async def total_count(self) -> int:
        return await self.query.count()


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    raw = f"{created_at.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, row_id = base64.urlsafe_b64decode(padded).decode().split("|", 1)
        return as_utc(datetime.fromisoformat(stamp)), uuid.UUID(row_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid("Malformed cursor: pass an endCursor this API returned", "after") from None


def check_first(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if not 1 <= first <= MAX_PAGE:
        raise invalid(f"first must be between 1 and {MAX_PAGE}", "first")
    return first


async def keyset_page(query: QuerySet[Any], *, first: int | None, after: str | None) -> Page[Any]:
    size = check_first(first)
    window = query
    if after:
        stamp, row_id = decode_cursor(after)
        window = window.filter(Q(created_at__lt=stamp) | Q(created_at=stamp, id__lt=row_id))
    rows = await window.order_by("-created_at", "-id").limit(size + 1)
    items = rows[:size]
    return Page(
        items=items,
        cursors=[encode_cursor(row.created_at, row.id) for row in items],
        has_next=len(rows) > size,
        query=query,
    )
