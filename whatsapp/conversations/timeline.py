"""A timeline: the messages and events of a session, or of a contact (all their sessions,
and what happened outside any: calls, consent, id changes), merged by time, oldest first.

Every item has a position `(created_at, kind, id)`, kind 0 for messages and 1 for events, so
at equal times a message comes before the events it caused and ties within a table break on
id. A cursor is the position of an item. A page asks each table for `first + 1` rows after
that position (two queries, whatever the page size), merges them and cuts: the first
`first + 1` of the union are always among them, so nothing is skipped or repeated, whichever
tables a page straddles.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models import WhatsAppAnalyticsEvent, WhatsAppMessage
from whatsapp.kit.clock import as_utc
from whatsapp.kit.errors import invalid
from whatsapp.kit.paging import Count, capped_count, capped_counts, check_first, windowed
from whatsapp.kit.rows import select, without
from whatsapp.messages.queries import JSON_COLUMNS

TimelineItem = WhatsAppMessage | WhatsAppAnalyticsEvent
Scope = Mapping[str, uuid.UUID]
"""Whose timeline: `{"session_id": …}` or `{"contact_id": …}`, a column both tables have."""

MESSAGE, EVENT = 0, 1
_KIND: dict[type[Any], int] = {WhatsAppMessage: MESSAGE, WhatsAppAnalyticsEvent: EVENT}
_CODE = {MESSAGE: "m", EVENT: "e"}  # the kind, as written in cursors
_KIND_OF_CODE = {code: kind for kind, code in _CODE.items()}
_JSON: dict[type[Any], tuple[str, ...]] = {
    WhatsAppMessage: JSON_COLUMNS,
    WhatsAppAnalyticsEvent: ("properties",),
}
"""Each table's JSON documents, which a lean page leaves unread."""


@dataclass(frozen=True, slots=True, order=True)
class Position:
    created_at: datetime
    kind: int
    id: uuid.UUID


def position(item: TimelineItem) -> Position:
    return Position(item.created_at, _KIND[type(item)], item.id)


def _order(item: TimelineItem) -> tuple[datetime, int, uuid.UUID]:
    """`position` as a plain tuple: the sort key of a merge (a thousand entries a page)."""
    return (item.created_at, _KIND[type(item)], item.id)


def encode_cursor(item: TimelineItem) -> str:
    raw = f"{_CODE[_KIND[type(item)]]}|{item.created_at.isoformat()}|{item.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        code, stamp, row_id = base64.urlsafe_b64decode(padded).decode().split("|", 2)
        kind = _KIND_OF_CODE[code]
        created_at = as_utc(datetime.fromisoformat(stamp))
        return Position(created_at, kind, uuid.UUID(row_id))
    except (ValueError, KeyError, binascii.Error, UnicodeDecodeError):
        raise invalid("Malformed cursor: pass an endCursor this API returned", "after") from None


@dataclass(frozen=True, slots=True)
class TimelinePage:
    items: Sequence[TimelineItem]
    cursors: Sequence[str]
    has_next: bool
    scope: Scope
    # Set for a page read in a batch: its count, batched too (a DataLoader's).
    counter: Callable[[], Awaitable[Count]] | None = None
    _memo: dict[str, Count] = field(default_factory=dict, compare=False)

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None

    async def count(self) -> Count:
        """Messages plus events, capped (see `whatsapp.kit.paging.COUNT_CAP`)."""
        if "count" not in self._memo:
            if self.counter is not None:
                self._memo["count"] = await self.counter()
            else:
                messages, events = await asyncio.gather(
                    capped_count(WhatsAppMessage.filter(**self.scope)),
                    capped_count(WhatsAppAnalyticsEvent.filter(**self.scope)),
                )
                self._memo["count"] = _sum(messages, events)
        return self._memo["count"]

    async def total_count(self) -> int:
        return (await self.count()).value


def _sum(messages: Count, events: Count) -> Count:
    total = Count.of(messages.value + events.value)
    return Count(total.value, total.capped or messages.capped or events.capped)


async def session_timeline(
    session_id: uuid.UUID, *, first: int | None = None, after: str | None = None
) -> TimelinePage:
    """Faces: GraphQL `Session.timeline`."""
    return await timeline({"session_id": session_id}, first=first, after=after)


async def contact_timeline(
    contact_id: uuid.UUID, *, first: int | None = None, after: str | None = None
) -> TimelinePage:
    """Everything of one customer, whichever session (or none) it belongs to.

    Faces: GraphQL `Contact.timeline`.
    """
    return await timeline({"contact_id": contact_id}, first=first, after=after)


async def timeline(
    scope: Scope, *, first: int | None = None, after: str | None = None
) -> TimelinePage:
    size = check_first(first)
    start = decode_cursor(after) if after else None
    messages, events = await asyncio.gather(
        _rows_after(WhatsAppMessage, scope, start, size + 1),
        _rows_after(WhatsAppAnalyticsEvent, scope, start, size + 1),
    )
    merged = sorted([*messages, *events], key=position)[: size + 1]
    items = merged[:size]
    return TimelinePage(
        items=items,
        cursors=[encode_cursor(item) for item in items],
        has_next=len(merged) > size,
        scope=scope,
    )


async def timelines(
    column: str,
    keys: Sequence[uuid.UUID],
    *,
    first: int | None,
    after: str | None,
    lean: bool = False,
) -> dict[uuid.UUID, TimelinePage]:
    """The same page of the timeline of each session or contact (`column`: `session_id` or
    `contact_id`): two statements (one a table) whatever the number of parents.

    `lean`: without the JSON documents of either table, for a page whose entries show none
    (a dashboard's list of messages and event names); the rows then lack those attributes.

    Faces: GraphQL `Session.timeline` and `Contact.timeline` (through a DataLoader).
    """
    size = check_first(first)
    start = decode_cursor(after) if after else None
    found: dict[str, list[TimelineItem]] = {}
    models: tuple[type[Any], ...] = (WhatsAppMessage, WhatsAppAnalyticsEvent)
    for model in models:
        rows: QuerySet[Any] = without(model.all(), _JSON[model]) if lean else model.all()
        if start is not None:
            rows = rows.filter(_after(start, _KIND[model]))
        for row in await windowed(
            rows, column, parent_keys=keys, order=("created_at", "id"), limit=size + 1
        ):
            found.setdefault(str(getattr(row, column)), []).append(row)
    pages = {}
    for key in keys:
        merged = sorted(found.get(str(key), []), key=_order)[: size + 1]
        items = merged[:size]
        pages[key] = TimelinePage(
            items=items,
            cursors=[encode_cursor(item) for item in items],
            has_next=len(merged) > size,
            scope={column: key},
        )
    return pages


async def timeline_counts(column: str, keys: Sequence[uuid.UUID]) -> dict[uuid.UUID, Count]:
    """How many messages plus events each session or contact has (capped; two statements)."""
    messages = await capped_counts(WhatsAppMessage.all(), column, keys)
    events = await capped_counts(WhatsAppAnalyticsEvent.all(), column, keys)
    return {key: _sum(messages[key], events[key]) for key in keys}


async def _rows_after(
    model: type[Any], scope: Scope, start: Position | None, limit: int
) -> list[Any]:
    rows = model.filter(**scope)
    if start is not None:
        rows = rows.filter(_after(start, _KIND[model]))
    return await select(rows.order_by("created_at", "id").limit(limit))


def _after(start: Position, kind: int) -> Q:
    """Rows of one table whose position is past `start`, in that table's own columns."""
    if kind < start.kind:  # this table sorts first at equal times: only later times remain
        return Q(created_at__gt=start.created_at)
    if kind > start.kind:  # this table sorts last at equal times: the cursor's time remains
        return Q(created_at__gte=start.created_at)
    return Q(created_at__gt=start.created_at) | Q(created_at=start.created_at, id__gt=start.id)
