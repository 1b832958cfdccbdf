"""Reading the event log back: filtered lists, newest first."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pypika_tortoise import SqlContext
from pypika_tortoise.enums import Dialects
from pypika_tortoise.terms import Criterion, Term, ValueWrapper
from tortoise.expressions import Q
from tortoise.filters import escape_like
from tortoise.queryset import QuerySet

from models import WhatsAppAnalyticsEvent
from whatsapp.conversations.contact_queries import SqlCondition
from whatsapp.kit.clock import as_utc
from whatsapp.kit.errors import invalid
from whatsapp.kit.ids import parse_id
from whatsapp.kit.paging import Page, keyset_page
from whatsapp.kit.phone import wa_id_digits
from whatsapp.kit.rows import without

MAX_NAME = 128
WILDCARD = "*"


@dataclass(frozen=True, slots=True)
class EventQuery:
    name: str | None = None
    source: str | None = None
    session_id: str | None = None
    contact_wa_id: str | None = None
    message_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def list_events(
    query: EventQuery, *, first: int | None = None, after: str | None = None, lean: bool = False
) -> Page[WhatsAppAnalyticsEvent]:
    """`lean`: leave `properties` unread, for a page whose events do not show it (the rows
    then lack the attribute)."""
    rows = lean_or_whole(WhatsAppAnalyticsEvent.all(), lean)
    if query.name is not None:
        rows = rows.filter(named(query.name))
    if query.source is not None:
        rows = rows.filter(source=query.source)
    if query.session_id is not None:
        rows = rows.filter(session_id=parse_id(query.session_id, "filter", "sessionId"))
    if query.contact_wa_id is not None:
        digits = wa_id_digits(query.contact_wa_id)
        if digits is None:
            raise invalid("Not a WhatsApp id (a phone number)", "filter", "contactWaId")
        rows = rows.filter(contact__wa_id=digits)
    if query.message_id is not None:
        rows = rows.filter(_about_message(query.message_id))
    if query.since is not None:
        rows = rows.filter(created_at__gte=as_utc(query.since))
    if query.until is not None:
        rows = rows.filter(created_at__lt=as_utc(query.until))
    return await keyset_page(rows, first=first, after=after)


def lean_or_whole(
    rows: QuerySet[WhatsAppAnalyticsEvent], lean: bool
) -> QuerySet[WhatsAppAnalyticsEvent]:
    """`lean`: every column but `properties`, the event's JSON document."""
    return without(rows, ("properties",)) if lean else rows


def named(pattern: str) -> Q:
    """An exact name, or a pattern where `*` matches any run of characters (`message.*`).

    A pattern's literal prefix also becomes a range, `name >= 'message.' AND name <
    'message/'` in byte order, which an index on the name serves (a LIKE under a linguistic
    collation cannot); the match itself then only checks the rows in that range.
    """
    if not 1 <= len(pattern) <= MAX_NAME:
        raise invalid(f"name must be 1-{MAX_NAME} characters", "filter", "name")
    if WILDCARD not in pattern:
        return Q(name=pattern)
    prefix = pattern.split(WILDCARD, 1)[0]
    return SqlCondition(lambda table: _NameMatches(table["name"], pattern, prefix))


def prefix_successor(prefix: str) -> str | None:
    """The least string after every string that starts with `prefix` (None: no such bound)."""
    while prefix:
        after = ord(prefix[-1]) + 1
        if after <= 0x10FFFF:
            return prefix[:-1] + chr(0xE000 if 0xD800 <= after <= 0xDFFF else after)
        prefix = prefix[:-1]  # the last code point has no successor: bound on the rest
    return None


def _about_message(message_id: str) -> Q:
    if message_id.startswith("wamid."):
        return Q(message__wamid=message_id)
    return Q(message_id=parse_id(message_id, "filter", "messageId"))


class _NameMatches(Criterion):
    """Case-sensitive wildcard match on both dialects, every other character literal.

    SQLite's LIKE ignores ASCII case, so there it is GLOB (whose own wildcards are escaped as
    one-character classes); PostgreSQL gets LIKE with `%` and `_` escaped.
    """

    def __init__(self, column: Term, pattern: str, prefix: str) -> None:
        super().__init__()
        self.column = column
        self.pattern = pattern
        self.prefix = prefix

    def nodes_(self) -> Iterator[Any]:
        yield self
        yield from self.column.nodes_()

    def get_sql(self, ctx: SqlContext) -> str:
        # Parameters render in text order (SQLite's are positional): bounds, then the match.
        column = self.column.get_sql(ctx)
        postgres = ctx.dialect == Dialects.POSTGRESQL
        # Byte order: PostgreSQL's idx_event_name_c_created, SQLite's BINARY comparison.
        ordered = f'{column} COLLATE "C"' if postgres else column
        conditions = []
        if self.prefix:
            conditions.append(f"{ordered} >= {ValueWrapper(self.prefix).get_sql(ctx)}")
            upper = prefix_successor(self.prefix)
            if upper is not None:
                conditions.append(f"{ordered} < {ValueWrapper(upper).get_sql(ctx)}")
        parts = self.pattern.split(WILDCARD)
        if postgres:
            like = ValueWrapper("%".join(escape_like(part) for part in parts)).get_sql(ctx)
            conditions.append(f"{column} LIKE {like} ESCAPE '\\'")
        else:
            glob = "*".join(re.sub(r"[\[\]?*]", lambda m: f"[{m.group()}]", part) for part in parts)
            conditions.append(f"{column} GLOB {ValueWrapper(glob).get_sql(ctx)}")
        return f"({' AND '.join(conditions)})"
