"""Reading contacts back, and the filter pieces contacts share with sessions.

Tags are JSON lists, and Tortoise's JSON `contains` filter exists on PostgreSQL only, so
`tagged()` writes the membership test itself, per dialect, with the tag as a bound parameter.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pypika_tortoise import SqlContext, Table
from pypika_tortoise.enums import Dialects
from pypika_tortoise.terms import Criterion, Term, ValueWrapper
from tortoise.expressions import Q, ResolveContext
from tortoise.filters import escape_like
from tortoise.query_utils import QueryModifier

from models import WhatsAppContact
from whatsapp.conversations.contacts import find_contact
from whatsapp.conversations.windows import SERVICE_WINDOW
from whatsapp.kit.clock import as_utc, utcnow
from whatsapp.kit.errors import ErrorCode, WagraphError, invalid
from whatsapp.kit.ids import is_uuid, parse_id
from whatsapp.kit.paging import Page, keyset_page
from whatsapp.kit.phone import wa_id_digits
from whatsapp.kit.recipients import is_bsuid

TAG = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
MAX_SEARCH = 128


@dataclass(frozen=True, slots=True)
class ContactQuery:
    tag: str | None = None
    search: str | None = None
    window_open: bool | None = None


async def get_contact(
    *, id: str | None = None, wa_id: str | None = None, bsuid: str | None = None
) -> WhatsAppContact | None:
    """By exactly one of: our id, a number as typed (`+1 555…`), a BSUID — old numbers and
    BSUIDs included. Something that is not one matches nothing; none or several given is
    INVALID_INPUT."""
    given = [value for value in (id, wa_id, bsuid) if value is not None]
    if len(given) != 1:
        raise invalid("Give exactly one of id, waId and bsuid")
    if id is not None:
        return await WhatsAppContact.get_or_none(id=uuid.UUID(id)) if is_uuid(id) else None
    if wa_id is not None:
        digits = wa_id_digits(wa_id)
        return await find_contact(wa_id=digits) if digits else None
    return await find_contact(bsuid=str(bsuid).strip()) if is_bsuid(str(bsuid).strip()) else None


_NOT_FOUND = {
    "contactId": "No contact with that id",
    "waId": "No contact with that WhatsApp id",
    "bsuid": "No contact with that business-scoped user id",
}


async def find(
    *, contact_id: str | None = None, wa_id: str | None = None, bsuid: str | None = None
) -> WhatsAppContact:
    """The contact a mutation names by exactly one of contactId, waId and bsuid (old numbers
    and BSUIDs included): INVALID_INPUT or NOT_FOUND on that argument otherwise."""
    given = [
        (name, value)
        for name, value in (("contactId", contact_id), ("waId", wa_id), ("bsuid", bsuid))
        if value is not None
    ]
    if len(given) != 1:
        raise invalid(
            "Give exactly one of contactId, waId and bsuid", given[1][0] if given else "contactId"
        )
    [(name, value)] = given
    row: WhatsAppContact | None
    if name == "contactId":
        row = await WhatsAppContact.get_or_none(id=parse_id(value, name, what="contact id"))
    elif name == "waId":
        digits = wa_id_digits(value)
        if digits is None:
            raise invalid("Not a WhatsApp id", name)
        row = await find_contact(wa_id=digits)
    else:
        row = await find_contact(bsuid=value.strip())
    if row is None:
        raise WagraphError.of(ErrorCode.NOT_FOUND, _NOT_FOUND[name], (name,))
    return row


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
        rows = rows.filter(matching(query.search))
    if query.window_open is not None:
        rows = rows.filter(in_window(query.window_open, now or utcnow()))
    return await keyset_page(rows, first=first, after=after)


def matching(search: str) -> Q:
    """Contacts a person's search finds: a prefix of the number, part of the profile name or
    username (any case), or a BSUID. Sessions are searched by their contact's this way too."""
    if len(search) > MAX_SEARCH:
        raise invalid(f"search is limited to {MAX_SEARCH} characters", "filter", "search")
    text = search.strip()
    by_name = _containing("profile_name", text) | _containing("username", text.removeprefix("@"))
    if is_bsuid(text):
        return Q(bsuid=text) | by_name
    digits = "".join(search.split()).translate(str.maketrans("", "", "+-()."))
    if digits.isascii() and digits.isdigit():
        return _number_prefix(digits) | by_name
    return by_name


def _containing(column: str, text: str) -> Q:
    """`column` contains `text`, any case: ILIKE on PostgreSQL, which its trigram index
    serves; LIKE on SQLite (case-insensitive for ASCII there), a scan."""
    return SqlCondition(lambda table: _Contains(table[column], text))


def _number_prefix(digits: str) -> Q:
    """Numbers starting with `digits`, as a range on the wa_id index: digit strings sort the
    same in every collation, and `155` ≤ n < `156` is exactly "starts with 155"."""
    upper = str(int(digits) + 1).zfill(len(digits)) if digits.strip("9") else None
    bounded = Q(wa_id__gte=digits) & (Q(wa_id__lt=upper) if upper else Q())
    return bounded & Q(wa_id__startswith=digits)


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
            # jsonb containment, served by the GIN indexes on tags (idx_*_tags_gin).
            param = ValueWrapper(json.dumps([self.value])).get_sql(ctx)
            return f"{column} @> {param}::jsonb"
        param = ValueWrapper(self.value).get_sql(ctx)
        return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {param})"


class _Contains(Criterion):
    """`column` contains `text` in any case, `%` and `_` in it taken literally."""

    def __init__(self, column: Term, text: str) -> None:
        super().__init__()
        self.column = column
        self.text = text

    def nodes_(self) -> Iterator[Any]:
        yield self
        yield from self.column.nodes_()

    def get_sql(self, ctx: SqlContext) -> str:
        column = self.column.get_sql(ctx)
        param = ValueWrapper(f"%{escape_like(self.text)}%").get_sql(ctx)
        operator = "ILIKE" if ctx.dialect == Dialects.POSTGRESQL else "LIKE"
        return f"{column} {operator} {param} ESCAPE '\\'"
