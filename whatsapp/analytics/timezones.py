"""Calendar buckets in an IANA time zone, computed with `zoneinfo`.

A row belongs to the bucket of its local wall-clock time truncated to the hour, the day, the
week (weeks start on Monday, as PostgreSQL's `date_trunc('week')`) or the month. So a local
day is one bucket whether it lasts 23, 24 or 25 hours, the repeated hour when clocks go back
is one two-hour bucket, and the hour skipped when they go forward has no bucket (the labels
`date_trunc(unit, created_at AT TIME ZONE zone)` gives). Both dialects get the UTC starts
built here and assign rows to them in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from whatsapp.kit.errors import invalid


class BucketUnit(StrEnum):
    HOUR = "HOUR"
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


@dataclass(frozen=True, slots=True)
class Bucket:
    """One bucket: its local label (naive wall-clock start) and the UTC instants it spans."""

    label: datetime
    start: datetime
    end: datetime


def zone(name: str, *field: str) -> ZoneInfo:
    """An IANA zone (`Europe/Lisbon`), or INVALID_INPUT at `field`."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        raise invalid("Not an IANA time zone name (e.g. Europe/Lisbon)", *field) from None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid(
            f"Unknown time zone {name!r} (an IANA name, e.g. Europe/Lisbon)", *field
        ) from None


def truncate(local: datetime, unit: BucketUnit) -> datetime:
    """The naive label of the bucket holding a naive local time."""
    hour = local.replace(minute=0, second=0, microsecond=0)
    if unit == BucketUnit.HOUR:
        return hour
    day = hour.replace(hour=0)
    if unit == BucketUnit.DAY:
        return day
    if unit == BucketUnit.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_label(label: datetime, unit: BucketUnit) -> datetime:
    if unit == BucketUnit.HOUR:
        return label + timedelta(hours=1)
    if unit == BucketUnit.DAY:
        return label + timedelta(days=1)
    if unit == BucketUnit.WEEK:
        return label + timedelta(days=7)
    year, month = divmod(label.month, 12)
    return label.replace(year=label.year + year, month=month + 1)


def local_label(instant: datetime, tz: ZoneInfo, unit: BucketUnit) -> datetime:
    return truncate(instant.astimezone(tz).replace(tzinfo=None), unit)


def start_of(label: datetime, tz: ZoneInfo) -> datetime:
    """The earliest instant whose local time is at or after `label` (naive, local).

    An existing local time maps to its first occurrence (fold=0); one inside a gap (clocks went
    forward over it) maps to the transition instant, found by bisection between the two readings
    zoneinfo offers for it.
    """
    first = label.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == label:
        return first
    low = label.replace(tzinfo=tz, fold=1).astimezone(UTC)
    high = first
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).replace(tzinfo=None) >= label:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0) if high.microsecond else high


def buckets(
    since: datetime, until: datetime, unit: BucketUnit, tz: ZoneInfo, *, limit: int
) -> list[Bucket]:
    """Every non-empty bucket that overlaps [since, until), in order; INVALID_INPUT past `limit`."""
    out: list[Bucket] = []
    label = local_label(since, tz, unit)
    start = start_of(label, tz)
    while start < until:
        following = next_label(label, unit)
        end = start_of(following, tz)
        if end > start:
            if len(out) == limit:
                raise invalid(f"more than {limit} buckets: use a larger bucket", "bucket")
            out.append(Bucket(label, start, end))
        label, start = following, end
    return out
