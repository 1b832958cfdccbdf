"""Reading contacts back, and the filter pieces contacts share with sessions.

Tags are JSON lists, and Tortoise's JSON `contains` filter exists on PostgreSQL only, so
`tagged()` writes the membership test itself, per dialect, with the tag as a bound parameter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pypika_tortoise import SqlContext, Table
from pypika_tortoise.enums import Dialects
from pypika_tortoise.terms import Criterion, Term, ValueWrapper
from tortoise.expressions import Q, ResolveContext
from tortoise.query_utils import QueryModifier

from models import WhatsAppContact
from whatsapp.conversations.windows import SERVICE_WINDOW
from whatsapp.kit.clock import as_utc, utcnow
from whatsapp.kit.errors import invalid
from whatsapp.kit.paging import Page, keyset_page
from whatsapp.kit.phone import wa_id_digits

TAG = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
MAX_SEARCH = 128


@dataclass(frozen=True, slots=True)
class ContactQuery:
    tag: str | None = None
    search: str | None = None
    window_open: bool | None = None


async def get_contact(wa_id: str) -> WhatsAppContact | None:
    """By WhatsApp id as typed (`+1 555…`); something that is not a number matches nothing."""
    digits = wa_id_digits(wa_id)
    return await WhatsAppContact.get_or_none(wa_id=digits) if digits else None


async def list_contacts(
    query: ContactQuery,
    *,
    first: int | None = None,
    after: str | None = None,
    now: datetime | None = None,
) -> Page[WhatsAppContact]:
    """Newest contacts first: created_at never changes, so pages stay stable while paging."""
    rows = WhatsAppContact.all()
    if query.tag is not None:
        rows = rows.filter(tagged(query.tag, "filter", "tag"))
    if query.search:
        rows = rows.filter(_matching(query.search))
    if query.window_open is not None:
        rows = rows.filter(in_window(query.window_open, now or utcnow()))
    return await keyset_page(rows, first=first, after=after)


def _matching(search: str) -> Q:
    if len(search) > MAX_SEARCH:
        raise invalid(f"search is limited to {MAX_SEARCH} characters", "filter", "search")
    by_name = Q(profile_name__icontains=search)
    digits = "".join(search.split()).translate(str.maketrans("", "", "+-()."))
    if digits.isascii() and digits.isdigit():
        return Q(wa_id__startswith=digits) | by_name
    return by_name


# -- shared by contacts and sessions -----------------------------------------------------------


def check_tag(tag: str, *field: str) -> str:
    """Tags reach SQL (as parameters); the allowed alphabet keeps them boring anyway."""
    if not TAG.fullmatch(tag):
        raise invalid("A tag is 1-64 letters, digits or _ . : -", *field)
    return tag


def tagged(tag: str, *field: str) -> Q:
    """Rows whose JSON `tags` list contains `tag` (an exact element, not a substring)."""
    value = check_tag(tag, *field)
    return SqlCondition(lambda table: _JsonListHas(table["tags"], value))


def in_window(open_: bool, now: datetime) -> Q:
    """The 24-hour service window in SQL, matching `whatsapp.windows.window_open` exactly."""
    cutoff = as_utc(now) - SERVICE_WINDOW
    if open_:
        return Q(last_inbound_at__gt=cutoff)
    return Q(last_inbound_at__isnull=True) | Q(last_inbound_at__lte=cutoff)


class SqlCondition(Q):
    """A WHERE condition Tortoise's filter keywords cannot express, built from the table.

    Tortoise's RawSQL takes no parameters; a pypika criterion renders through the query's
    parameterizer, so values are bound, never spliced into the SQL text.
    """

    def __init__(self, build: Callable[[Table], Criterion]) -> None:
        super().__init__()
        self._build = build

    def __bool__(self) -> bool:
        return True

    def __invert__(self) -> Q:
        raise NotImplementedError("negating a raw condition is not supported")

    def resolve(self, resolve_context: ResolveContext) -> QueryModifier:
        return QueryModifier(where_criterion=self._build(resolve_context.table))


class _JsonListHas(Criterion):
    """`column` (a JSON list of strings) contains `value`, in the dialect being rendered."""

    def __init__(self, column: Term, value: str) -> None:
        super().__init__()
        self.column = column
        self.value = value

    def nodes_(self) -> Iterator[Any]:
        yield self
        yield from self.column.nodes_()

    def get_sql(self, ctx: SqlContext) -> str:
        column = self.column.get_sql(ctx)
        if ctx.dialect == Dialects.POSTGRESQL:
            # jsonb containment: the form a GIN index on tags would serve.
            param = ValueWrapper(json.dumps([self.value])).get_sql(ctx)
            return f"{column} @> {param}::jsonb"
        param = ValueWrapper(self.value).get_sql(ctx)
        return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {param})"
