"""Event counts over time: buckets in a time zone, optionally one series per group.

One SQL statement counts per (group, bucket). The buckets' UTC starts are computed once, with
zoneinfo (so correct across DST changes), and each row finds its bucket among them by binary
search: PostgreSQL's `width_bucket(created_at, starts)`; on SQLite the same search written as
nested CASEs. The rows come through whichever index suits the filter (a join to a table of
ranges made SQLite scan a name's rows once per bucket). On 1M events, `width_bucket` took 230 ms
where `date_trunc('hour', created_at AT TIME ZONE zone)` took 390 ms, and it cannot disagree
with SQLite about a bucket. Both keep the top `MAX_GROUPS` groups by total (ties by key,
no-value last) in the same statement. Python only lays the counted cells out on the bucket
list, so empty buckets read 0.

The whole UTC hours the hourly rollup covers (`whatsapp.analytics.rollup`) are counted from it
and the rest of the range from the event log, in the same statement: a 30-day chart of
`message.*` by template read 600k events (1.2 s) and now reads ~20k hourly rows (29 ms). The
rollup cannot answer buckets that start off the hour (zones 30 or 45 minutes off UTC) nor a tag
filter (a contact's tags are today's, not the event's): those count the event log alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from whatsapp.analytics import bounds, rollup, statements
from whatsapp.analytics.predicates import (
    EVENTS,
    ROLLUP_COLUMNS,
    EventSelection,
    prop,
    selection,
)
from whatsapp.analytics.timezones import Bucket, BucketUnit, buckets, zone
from whatsapp.kit.sql import Params, dialect


class SeriesGroup(StrEnum):
    NAME = "NAME"
    TEMPLATE = "TEMPLATE"
    PHONE_NUMBER = "PHONE_NUMBER"
    SOURCE = "SOURCE"


@dataclass(frozen=True, slots=True)
class Series:
    """One line of the chart: its group's value (None without grouping, or no value), counts
    aligned with `EventSeries.buckets`."""

    key: str | None
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class EventSeries:
    unit: BucketUnit
    time_zone: str
    buckets: list[Bucket]
    series: list[Series]
    group_count: int


async def event_series(
    *,
    since: datetime,
    until: datetime,
    unit: BucketUnit,
    time_zone: str = "UTC",
    where: EventSelection | None = None,
    group_by: SeriesGroup | None = None,
) -> EventSeries:
    """Counts of events in [since, until) per bucket (and per group), in SQL on both dialects.

    Without `group_by` there is exactly one series (key None), zeros included.
    """
    since, until = bounds.series_range(since, until, unit)
    tz = zone(time_zone, "timeZone")
    spans = buckets(since, until, unit, tz, limit=bounds.MAX_BUCKETS)
    where = where or EventSelection()
    p = Params(dialect())
    sql = _statement(p, spans, where, group_by, await _split(spans, where, since, until))
    rows = await statements.fetch(sql, p.values)
    lines: dict[str | None, list[int]] = {}
    order: list[str | None] = []
    for row in sorted(rows, key=lambda r: int(r["k"])):
        key = None if row["g"] is None else str(row["g"])
        if key not in lines:
            lines[key] = [0] * len(spans)
            order.append(key)
        lines[key][int(row["b"])] += int(row["n"])
    if group_by is None and not lines:
        lines[None], order = [0] * len(spans), [None]
    groups = max((int(r["groups"]) for r in rows), default=len(order))
    series = [Series(key, lines[key]) for key in order]
    return EventSeries(unit, time_zone, spans, series, groups)


@dataclass(frozen=True, slots=True)
class _Split:
    """Where the counts come from: the rollup's hours in [rolled, …) and the event log's
    ranges for the rest of [since, until)."""

    rolled: tuple[datetime, datetime] | None
    raw: list[tuple[datetime, datetime]]


async def _split(
    spans: list[Bucket], where: EventSelection, since: datetime, until: datetime
) -> _Split:
    """Use the rollup for the whole hours it covers when hourly counts can answer: every
    bucket starts on a UTC hour (not so in a zone 30 or 45 minutes off UTC) and no filter needs
    the event's contact (a tag is the contact's now, not when the event happened)."""
    if where.tag is not None or not rollup.aligned_to_hours([s.start for s in spans]):
        return _Split(None, [(since, until)])
    covered = await rollup.coverage()
    if covered is None:
        return _Split(None, [(since, until)])
    low = max(rollup.ceil_hour(since), covered.start)
    high = min(rollup.floor_hour(until), covered.end)
    if low >= high:
        return _Split(None, [(since, until)])
    raw = [(a, b) for a, b in ((since, low), (high, until)) if a < b]
    return _Split((low, high), raw)


def _group_expression(p: Params, group_by: SeriesGroup | None, rolled: bool) -> str:
    if group_by is None:
        return "CAST(NULL AS TEXT)"
    if group_by == SeriesGroup.NAME:
        return "e.name"
    if group_by == SeriesGroup.SOURCE:
        return "e.source"
    key = "template" if group_by == SeriesGroup.TEMPLATE else "phoneNumberId"
    return f"e.{ROLLUP_COLUMNS[key]}" if rolled else prop(p, key)


def _statement(
    p: Params,
    spans: list[Bucket],
    where: EventSelection,
    group_by: SeriesGroup | None,
    split: _Split,
) -> str:
    """Counted cells from the rollup and the event log (parameters are bound in the order
    they appear: SQLite binds by position), then the top groups ranked in the same statement."""
    starts = [span.start for span in spans]
    parts: list[str] = []
    if split.rolled is not None:
        group = _group_expression(p, group_by, rolled=True)
        bucket = _bucket(p, starts, "e.hour")
        low, high = split.rolled
        conditions = [
            f"e.hour >= {p(low)}",
            f"e.hour < {p(high)}",
            *selection(p, where, rolled=True),
        ]
        parts.append(
            f"SELECT {group} AS g, {bucket} AS b, SUM(e.count) AS n "
            f"FROM {rollup.ROLLUP_TABLE} e WHERE {' AND '.join(conditions)} GROUP BY 1, 2"
        )
    for since, until in split.raw:
        group = _group_expression(p, group_by, rolled=False)
        bucket = _bucket(p, starts, "e.created_at")
        conditions = [f"e.created_at >= {p(since)}", f"e.created_at < {p(until)}"]
        conditions += selection(p, where)
        parts.append(
            f"SELECT {group} AS g, {bucket} AS b, COUNT(*) AS n FROM {EVENTS} e "
            f"WHERE {' AND '.join(conditions)} GROUP BY 1, 2"
        )
    return (
        f"WITH x AS ({' UNION ALL '.join(parts)}), "
        "c AS (SELECT g, b, SUM(n) AS n FROM x GROUP BY g, b), "
        "t AS (SELECT g, b, n, SUM(n) OVER (PARTITION BY g) AS total FROM c), "
        "r AS (SELECT g, b, n, DENSE_RANK() OVER (ORDER BY total DESC, g NULLS LAST) AS k FROM t), "
        "s AS (SELECT g, b, n, k, MAX(k) OVER () AS groups FROM r) "
        f"SELECT g, b, n, k, groups FROM s WHERE k <= {p(bounds.MAX_GROUPS)}"
    )


def _bucket(p: Params, starts: list[datetime], column: str) -> str:
    if p.postgres:
        return f"width_bucket({column}, {p(starts)}::timestamptz[]) - 1"
    return _bucket_search(p, starts, 0, len(starts), column)


def _bucket_search(p: Params, starts: list[datetime], low: int, high: int, column: str) -> str:
    """SQLite: the index of a row's bucket, as a binary search over the buckets' UTC starts
    written as nested CASEs (about log2(buckets) comparisons a row; parameters bound in the
    order they appear)."""
    if high - low == 1:
        return str(low)
    middle = (low + high) // 2
    boundary = p(starts[middle])
    below = _bucket_search(p, starts, low, middle, column)
    above = _bucket_search(p, starts, middle, high, column)
    return f"CASE WHEN {column} < {boundary} THEN {below} ELSE {above} END"
