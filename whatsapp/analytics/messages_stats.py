"""Delivery figures for outbound messages, aggregated in SQL on SQLite and PostgreSQL alike.

A dashboard asks one question ("how did last month's sends do, per template?") and gets the
answer from two GROUP BY statements, never from paging rows into Python: one pass that tallies
the messages by everything the counts, failure codes and cost view need (`message_tallies`),
and the medians. They are independent, so they are awaited together: on PostgreSQL each runs
on its own pooled connection at the same time; SQLite's single connection and a transaction's
connection take them one at a time (their clients hold a lock).

Which messages: OUTBOUND ones whose `created_at` lies in [since, until). A message counts as
- **sent** when Meta accepted it: status SENT, DELIVERED or READ, or `sent_at` is set (a message
  that was sent and failed later counts as sent and as failed);
- **delivered** when it reached the phone: status DELIVERED or READ, or `delivered_at` is set;
- **read** when status is READ or `read_at` is set;
- **failed** when its status is FAILED.
Rates: delivery = delivered / sent, read = read / delivered, failure = failed / total (every
outbound message in the range, scheduled and cancelled ones included); null over zero.

Also: the most frequent failure codes (with Meta's title), the median seconds from sent to
delivered and from sent to read (over messages that have both times), and the cost view —
counts by the pricing category and type Meta reported (`whatsapp_message.pricing`), with an
amount only when the operator configured a rate table (`PricingRates`).

The helpers the other stats modules share (the bounded range, the portable median) live here.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from whatsapp.analytics import message_tallies as tallies
from whatsapp.analytics import statements
from whatsapp.analytics.timezones import Bucket, BucketUnit, buckets
from whatsapp.kit.clock import as_utc
from whatsapp.kit.errors import invalid
from whatsapp.kit.sql import Dialect, Params, connection, dialect

MAX_RANGE = timedelta(days=366)
TOP_FAILURES = 10


class MessageGroupBy(StrEnum):
    TEMPLATE = "TEMPLATE"
    TYPE = "TYPE"
    PHONE_NUMBER = "PHONE_NUMBER"
    DAY = "DAY"


# -- shared by the stats modules ---------------------------------------------------------------


def check_range(since: datetime, until: datetime) -> tuple[datetime, datetime]:
    """[since, until) in UTC, non-empty and at most MAX_RANGE long (INVALID_INPUT otherwise)."""
    start, end = as_utc(since), as_utc(until)
    if end <= start:
        raise invalid("until must be after since", "until")
    if end - start > MAX_RANGE:
        raise invalid(f"The time range may span at most {MAX_RANGE.days} days", "until")
    return start, end


def seconds_between(d: Dialect, later: str, earlier: str) -> str:
    """SQL for the seconds from column `earlier` to column `later` (a float)."""
    if d == "postgres":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def median_sql(values: str, keys: Sequence[str] = ()) -> str:
    """The median of `v` per `keys` over the subquery `values` (columns: keys…, v).

    Window functions both dialects have: the middle row, or the mean of the two middle rows.
    """
    part = f"PARTITION BY {', '.join(keys)} " if keys else ""
    cols = "".join(f"{k}, " for k in keys)
    group = f" GROUP BY {', '.join(keys)}" if keys else ""
    return (
        f"SELECT {cols}AVG(v) AS median FROM (SELECT {cols}v, "
        f"ROW_NUMBER() OVER ({part}ORDER BY v) AS rn, COUNT(*) OVER ({part.strip()}) AS n "
        f"FROM ({values}) AS vals) AS ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2){group}"
    )


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# -- pricing rates -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PricingRates:
    """An operator's price per charged message, by Meta's pricing category (lower case)."""

    currency: str
    rates: Mapping[str, float]

    @classmethod
    def parse(cls, text: str) -> PricingRates:
        """`{"currency": "EUR", "rates": {"marketing": 0.06, "utility": 0.03}}` (ValueError)."""
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("currency"), str):
            raise ValueError('pricing rates need "currency" (a string)')
        rates = data.get("rates")
        if not isinstance(rates, dict) or not all(
            isinstance(v, int | float) and v >= 0 for v in rates.values()
        ):
            raise ValueError('pricing rates need "rates": {category: non-negative price}')
        return cls(data["currency"], {str(k).lower(): float(v) for k, v in rates.items()})


_rates: PricingRates | None = None


def use_rates(rates: PricingRates | None) -> None:
    """Set this process's rate table (the composition root calls it from the settings)."""
    global _rates
    _rates = rates


def configured_rates() -> PricingRates | None:
    return _rates


# -- results -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    key: str | None
    total: int
    sent: int
    delivered: int
    read: int
    failed: int

    @property
    def delivery_rate(self) -> float | None:
        return ratio(self.delivered, self.sent)

    @property
    def read_rate(self) -> float | None:
        return ratio(self.read, self.delivered)

    @property
    def failure_rate(self) -> float | None:
        return ratio(self.failed, self.total)


@dataclass(frozen=True, slots=True)
class FailureCount:
    code: int
    title: str | None
    count: int


@dataclass(frozen=True, slots=True)
class PricingCount:
    """Messages Meta priced with one (category, type); `charged` leaves out free types."""

    category: str | None
    type: str | None
    count: int
    charged: int
    amount: float | None


@dataclass(frozen=True, slots=True)
class MessageStats:
    since: datetime
    until: datetime
    time_zone: str
    totals: DeliveryCounts
    groups: list[DeliveryCounts]
    failures: list[FailureCount]
    median_seconds_to_delivered: float | None
    median_seconds_to_read: float | None
    pricing: list[PricingCount]
    currency: str | None = field(default=None)


# -- the query -----------------------------------------------------------------------------------


async def message_stats(
    *,
    since: datetime,
    until: datetime,
    group_by: MessageGroupBy | None = None,
    time_zone: str = "UTC",
    rates: PricingRates | None = None,
) -> MessageStats:
    """Every figure of the module's docstring for outbound messages created in [since, until):
    the counts, failure codes and cost view from one pass (`message_tallies`), the medians
    from a second statement awaited with it."""
    start, end = check_range(since, until)
    zone = _zone(time_zone)
    rates = rates if rates is not None else _rates
    d = dialect(connection())
    found, (to_delivered, to_read) = await asyncio.gather(
        _tallies(d, start, end, group_by, zone), _medians(d, start, end)
    )
    groups = _groups(found)
    return MessageStats(
        since=start,
        until=end,
        time_zone=time_zone,
        totals=_sum(groups),
        groups=groups if group_by else [],
        failures=[FailureCount(*f) for f in tallies.failure_codes(found, TOP_FAILURES)],
        median_seconds_to_delivered=to_delivered,
        median_seconds_to_read=to_read,
        pricing=[_priced(*p, rates) for p in tallies.pricing_counts(found)],
        currency=rates.currency if rates else None,
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid(f"Unknown IANA time zone {name!r}", "timeZone") from None


def _where(p: Params, start: datetime, end: datetime) -> str:
    return (
        f"FROM whatsapp_message WHERE direction = 'OUTBOUND' "
        f"AND created_at >= {p(start)} AND created_at < {p(end)}"
    )


def _sum(groups: Sequence[DeliveryCounts]) -> DeliveryCounts:
    """The totals: each message is in exactly one group (one group, keyed None, ungrouped)."""
    return DeliveryCounts(
        None,
        sum(g.total for g in groups),
        sum(g.sent for g in groups),
        sum(g.delivered for g in groups),
        sum(g.read for g in groups),
        sum(g.failed for g in groups),
    )


async def _tallies(
    d: Dialect, start: datetime, end: datetime, group_by: MessageGroupBy | None, zone: ZoneInfo
) -> list[tallies.Tally]:
    """The range's tallies, each keyed by its group (its local day's label when by day)."""
    p = Params(d)
    days = (
        _local_days(start, end, zone)
        if d == "postgres" and group_by == MessageGroupBy.DAY
        else None
    )
    if days:
        key = _day_number(p, days)
    else:
        key = _group_key(d, p, group_by, start, end, zone) if group_by else "NULL"
    found = await tallies.fetch_tallies(
        tallies.tallies_sql(d == "postgres", key, _where(p, start, end)), p.values
    )
    if not days:
        return found
    labels = [day.label.date().isoformat() for day in days]
    return [replace(t, key=labels[int(t.key)]) for t in found]


def _groups(found: Sequence[tallies.Tally]) -> list[DeliveryCounts]:
    """Each group's counts, ordered by key (only groups with messages; without `group_by` the
    one group keyed None, if any message)."""
    sums = tallies.by_key(found)
    return [
        DeliveryCounts(None if k is None else str(k), *sums[k])
        for k in tallies.ordered_keys(list(sums))
    ]


def _day_number(p: Params, days: Sequence[Bucket]) -> str:
    """PostgreSQL: each row's local day as its index among `days`, found by `width_bucket`
    among the days' UTC starts (a binary search over at most 367 instants).

    Grouping by `to_char(created_at AT TIME ZONE …)` formats every row's local time as text,
    and the planner, which guesses one group per distinct created_at for any expression of it,
    sorts the rows (on disk) to group them."""
    starts = [day.start for day in days[1:]]
    return f"width_bucket(created_at, {p(starts)}::timestamptz[])"


def _local_days(start: datetime, end: datetime, zone: ZoneInfo) -> list[Bucket] | None:
    """The local days [start, end) touches; None when one of their midnights happens twice
    (clocks went back over it): a day's instants are then not one span, and only grouping each
    row by its own local date is right."""
    days = buckets(start, end, BucketUnit.DAY, zone, limit=MAX_RANGE.days + 2)
    return None if any(_happens_twice(day.label, zone) for day in days) else days


def _happens_twice(local: datetime, zone: ZoneInfo) -> bool:
    """Whether the naive local time `local` is read twice in `zone` (not once, not never)."""
    first, second = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    exists = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local
    return exists and first.utcoffset() != second.utcoffset()


def _group_key(
    d: Dialect,
    p: Params,
    group_by: MessageGroupBy,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
) -> str:
    if group_by == MessageGroupBy.TEMPLATE:
        return "template_name"
    if group_by == MessageGroupBy.TYPE:
        return "type"
    if group_by == MessageGroupBy.PHONE_NUMBER:
        return "phone_number_id"
    if d == "postgres":
        return f"to_char(created_at AT TIME ZONE {p(zone.key)}, 'YYYY-MM-DD')"
    # SQLite knows no time zones: each local day's UTC start, from zoneinfo, as a CASE.
    days = local_days(start, end, zone)
    if len(days) == 1:  # the whole range is one local day (and a CASE needs a WHEN)
        return p(days[0][0])
    branches = " ".join(
        f"WHEN created_at < {p(next_start)} THEN {p(day)}"
        for (day, _), (_, next_start) in pairwise(days)
    )
    return f"CASE {branches} ELSE {p(days[-1][0])} END"


def local_days(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[str, datetime]]:
    """Each local day that [start, end) touches in `zone`: (YYYY-MM-DD, its start in UTC)."""
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    days: list[tuple[str, datetime]] = []
    day = first
    while day <= last:
        midnight = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
        days.append((day.isoformat(), midnight))
        day += timedelta(days=1)
    return days


async def _medians(d: Dialect, start: datetime, end: datetime) -> tuple[float | None, float | None]:
    """Both medians; on PostgreSQL in one scan with `percentile_cont(0.5)` (the same value as
    the portable middle-rows median, which sorts each metric's rows through a window), over
    `date_part('epoch', interval)`: a float8 straight away, where EXTRACT makes a numeric per
    row (a third of the statement's time) to be cast back."""
    p = Params(d)
    if d == "postgres":
        medians = ", ".join(
            f"percentile_cont(0.5) WITHIN GROUP (ORDER BY "
            f"date_part('epoch', {column} - sent_at)) "
            f"FILTER (WHERE {column} IS NOT NULL) AS {label}"
            for label, column in (("delivered", "delivered_at"), ("read", "read_at"))
        )
        sql = f"SELECT {medians} {_where(p, start, end)} AND sent_at IS NOT NULL"
        row = (await statements.fetch(sql, p.values))[0]
        delivered, read = (None if row[k] is None else float(row[k]) for k in ("delivered", "read"))
        return delivered, read
    values = " UNION ALL ".join(
        f"SELECT '{label}' AS metric, {seconds_between(d, column, 'sent_at')} AS v "
        f"{_where(p, start, end)} AND sent_at IS NOT NULL AND {column} IS NOT NULL"
        for label, column in (("delivered", "delivered_at"), ("read", "read_at"))
    )
    rows = await statements.fetch(median_sql(values, ("metric",)), p.values)
    found = {r["metric"]: float(r["median"]) for r in rows if r["median"] is not None}
    return found.get("delivered"), found.get("read")


def _priced(
    category: str | None, kind: str | None, count: int, charged: int, rates: PricingRates | None
) -> PricingCount:
    rate = rates.rates.get(category.lower()) if rates and category is not None else None
    return PricingCount(
        category=category,
        type=kind,
        count=count,
        charged=charged,
        amount=round(charged * rate, 6) if rate is not None else None,
    )
