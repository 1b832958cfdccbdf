"""Keyset pagination over (stamp, id), newest first, for one list or for many parents at once.

Offsets get slower the deeper a dashboard pages; a keyset stays an index range scan. A
relation paged under each parent of a page (a contact's sessions, a session's messages) is
read for all the parents in one statement: `ROW_NUMBER() OVER (PARTITION BY parent …)` keeps
the first `first + 1` rows of each (PostgreSQL, and SQLite since 3.25).

Rows are decoded by `whatsapp.kit.rows` (a plan per column set, not Tortoise's per-row
machinery): a page costs far more to build than to read.

Counting is capped: `totalCount` is exact up to `COUNT_CAP` and `COUNT_CAP` with `capped`
set beyond, a COUNT over a LIMITed subquery, so a filter matching millions of rows reads at
most `COUNT_CAP + 1` of them.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from pypika_tortoise.analytics import RowNumber
from pypika_tortoise.enums import Order
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from whatsapp.kit import rows
from whatsapp.kit.clock import as_utc
from whatsapp.kit.errors import invalid

T = TypeVar("T")
M = TypeVar("M", bound=Model)
K = TypeVar("K", bound=Hashable)
DEFAULT_PAGE = 20
MAX_PAGE = 100
COUNT_CAP = 10_000


@dataclass(frozen=True, slots=True)
class Count:
    """How many items match: exact when not `capped`; `capped`: more than `COUNT_CAP`."""

    value: int
    capped: bool

    @classmethod
    def of(cls, counted: int, cap: int | None = None) -> Count:
        bound = COUNT_CAP if cap is None else cap
        return cls(min(counted, bound), counted > bound)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    cursors: Sequence[str]
    has_next: bool
    query: QuerySet[Any]
    # Set for a page read in a batch: its count, batched too (a DataLoader's).
    counter: Callable[[], Awaitable[Count]] | None = None
    _memo: dict[str, Count] = field(default_factory=dict, compare=False)

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None

    async def count(self) -> Count:
        """The capped count, asked of the database once per page."""
        if "count" not in self._memo:
            found = await (self.counter() if self.counter else capped_count(self.query))
            self._memo["count"] = found
        return self._memo["count"]

    async def total_count(self) -> int:
        return (await self.count()).value


async def capped_count(query: QuerySet[Any], cap: int | None = None) -> Count:
    """`SELECT COUNT(*) FROM (… LIMIT cap + 1)`: reads at most cap + 1 index entries."""
    cap = COUNT_CAP if cap is None else cap
    inner = query.only("id").limit(cap + 1)
    sql, params = parameterized(inner)
    db = inner._db
    _, rows = await db.execute_query(f"SELECT COUNT(*) AS n FROM ({sql}) AS _counted", params)
    return Count.of(int(dict(rows[0])["n"]), cap)


async def capped_counts(
    query: QuerySet[Any], parent: str, keys: Sequence[K], cap: int | None = None
) -> dict[K, Count]:
    """The capped count of `query`'s rows under each of `keys` (one statement)."""
    cap = COUNT_CAP if cap is None else cap
    rows = query.filter(**{f"{parent}__in": list(keys)})
    sql, params = _windowed_sql(rows, parent, ("-id",), cap + 1, only=(parent,))
    db = rows._db
    _, found = await db.execute_query(
        f"SELECT {parent} AS k, COUNT(*) AS n FROM ({sql}) AS _w GROUP BY {parent}", params
    )
    by_key = {str(dict(row)["k"]): int(dict(row)["n"]) for row in found}
    return {key: Count.of(by_key.get(str(key), 0), cap) for key in keys}


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


def older_than(after: str | None, stamp: str = "created_at") -> Q:
    """Rows past the cursor `after` in (stamp, id) descending order (nothing: all rows)."""
    if not after:
        return Q()
    moment, row_id = decode_cursor(after)
    earlier: dict[str, Any] = {f"{stamp}__lt": moment}
    same: dict[str, Any] = {stamp: moment, "id__lt": row_id}
    return Q(**earlier) | Q(**same)


def _page(rows: Sequence[Any], size: int, query: QuerySet[Any], stamp: str) -> Page[Any]:
    items = rows[:size]
    return Page(
        items=items,
        cursors=[encode_cursor(getattr(row, stamp), row.id) for row in items],
        has_next=len(rows) > size,
        query=query,
    )


async def keyset_page(
    query: QuerySet[Any], *, first: int | None, after: str | None, stamp: str = "created_at"
) -> Page[Any]:
    size = check_first(first)
    window = query.filter(older_than(after, stamp)).order_by(f"-{stamp}", "-id").limit(size + 1)
    return _page(await rows.select(window), size, query, stamp)


async def keyset_pages(
    query: QuerySet[M],
    parent: str,
    keys: Sequence[K],
    *,
    first: int | None,
    after: str | None,
    stamp: str = "created_at",
) -> dict[K, Page[M]]:
    """The same page (`first`, `after`) of `query` under each parent in `keys`, all in one
    statement; each page's `query` is its own parent's, for counting."""
    size = check_first(first)
    window = query.filter(older_than(after, stamp))
    found = await windowed(
        window, parent, parent_keys=keys, order=(f"-{stamp}", "-id"), limit=size + 1
    )
    grouped: dict[str, list[M]] = {}
    for row in found:
        grouped.setdefault(str(getattr(row, parent)), []).append(row)
    return {
        key: _page(grouped.get(str(key), []), size, query.filter(**{parent: key}), stamp)
        for key in keys
    }


async def windowed(
    query: QuerySet[M],
    parent: str,
    *,
    parent_keys: Sequence[Any],
    order: Sequence[str],
    limit: int,
) -> list[M]:
    """Up to `limit` rows of `query` under each of `parent_keys`, each parent's in `order`
    (`-column` for descending), the whole in one statement; returned in `order` per parent."""
    under = query.filter(**{f"{parent}__in": list(parent_keys)})
    sql, params = _windowed_sql(under, parent, order, limit)
    _, records = await under._db.execute_query(sql, params)
    ordered = sorted(records, key=lambda record: (str(record[parent]), record["_rn"]))
    return rows.decode(under.model, ordered)


def _windowed_sql(
    rows: QuerySet[Any], parent: str, order: Sequence[str], limit: int, only: Sequence[str] = ()
) -> tuple[str, list[Any]]:
    inner = rows.only(*only) if only else rows
    inner._choose_db_if_not_chosen()
    inner._make_query()
    table = inner.model._meta.basetable
    number = RowNumber().over(table[parent])
    for term in order:
        column = term.removeprefix("-")
        number = number.orderby(table[column], order=Order.desc if term[0] == "-" else Order.asc)
    inner.query = inner.query.select(number.as_("_rn"))
    sql, params = inner.query.get_parameterized_sql()
    return f"SELECT * FROM ({sql}) AS _w WHERE _w._rn <= {int(limit)}", list(params)


def parameterized(query: QuerySet[Any]) -> tuple[str, list[Any]]:
    """The SQL a queryset runs, with its parameters (to wrap it, or to EXPLAIN it)."""
    query._choose_db_if_not_chosen()
    query._make_query()
    sql, params = query.query.get_parameterized_sql()
    return sql, list(params)
