"""Brute-force answers for the analytics property tests, written from the modules' docstrings.

Nothing here imports the code under test's helpers: buckets come from walking a fine UTC grid
and reading each instant's local wall clock with zoneinfo, names match through a regular
expression, funnels are walked one subject at a time, message figures are counted row by row.
Slow and obvious on purpose.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

# Every zone the tests use has offsets and changes on whole quarter hours (UTC), so a local
# wall-clock hour can only begin on a quarter hour of UTC: a grid of quarter hours sees every
# bucket boundary.
GRID = timedelta(minutes=15)
UNIT_REACH = {"HOUR": timedelta(hours=3), "DAY": timedelta(days=2), "WEEK": timedelta(days=8)}
MONTH_REACH = timedelta(days=32)


# -- time zones --------------------------------------------------------------------------------


@cache
def transitions(zone: str, year: int) -> tuple[datetime, ...]:
    """The UTC instants in `year` at which `zone`'s offset changes (none for UTC or Kolkata)."""
    tz = ZoneInfo(zone)
    at = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    found: list[datetime] = []
    offset = at.astimezone(tz).utcoffset()
    while at < end:
        following = at + GRID
        if following.astimezone(tz).utcoffset() != offset:
            found.append(following)
            offset = following.astimezone(tz).utcoffset()
        at = following
    return tuple(found)


def wall_label(at: datetime, tz: ZoneInfo, unit: str) -> datetime:
    """The rule: local wall-clock time truncated to the hour, day, Monday week or month."""
    local = at.astimezone(tz).replace(tzinfo=None)
    label = local.replace(minute=0, second=0, microsecond=0)
    if unit == "HOUR":
        return label
    label = label.replace(hour=0)
    if unit == "DAY":
        return label
    if unit == "WEEK":
        return label - timedelta(days=label.weekday())
    return label.replace(day=1)


def _grid(since: datetime, until: datetime, unit: str) -> list[datetime]:
    """Quarter hours of UTC around [since, until), wide enough to hold its first and last
    buckets whole, with `since` itself."""
    reach = UNIT_REACH.get(unit, MONTH_REACH)
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    at = epoch + (since - reach - epoch) // GRID * GRID
    points = {since}
    while at < until + reach:
        points.add(at)
        at += GRID
    return sorted(points)


def buckets(
    since: datetime, until: datetime, tz: ZoneInfo, unit: str
) -> list[tuple[datetime, datetime, datetime]]:
    """(label, UTC start, UTC end) of each bucket holding some instant of [since, until)."""
    return list(_buckets(since, until, tz, unit))


@cache  # the strategies ask for the same range's buckets as the check does
def _buckets(
    since: datetime, until: datetime, tz: ZoneInfo, unit: str
) -> tuple[tuple[datetime, datetime, datetime], ...]:
    starts: dict[datetime, datetime] = {}
    ends: dict[datetime, datetime] = {}
    previous: datetime | None = None
    for at in _grid(since, until, unit):
        label = wall_label(at, tz, unit)
        if label != previous:
            if previous is not None:
                ends[previous] = at
            starts.setdefault(label, at)
            previous = label
    wanted = [label for label in starts if since <= starts[label] < until]
    first = wall_label(since, tz, unit)
    if first not in wanted:
        wanted.insert(0, first)
    return tuple((label, starts[label], ends[label]) for label in wanted)


# -- properties and names ----------------------------------------------------------------------


def property_text(properties: Mapping[str, Any], key: str) -> str | None:
    """A property as text: a string as it is, a number or boolean by its JSON text, a missing
    key or null as None."""
    value = properties.get(key)
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


def name_matches(pattern: str, name: str) -> bool:
    """An exact name, or `*` as any run of characters (case-sensitive)."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, name, flags=re.DOTALL) is not None


# -- event series ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Event:
    name: str
    source: str
    at: datetime
    properties: dict[str, Any] = field(default_factory=dict)
    contact: int | None = None
    session: int | None = None


@dataclass(frozen=True, slots=True)
class Selection:
    name: str | None = None
    source: str | None = None
    template: str | None = None
    phone_number_id: str | None = None
    flow: str | None = None


def selected(event: Event, where: Selection) -> bool:
    if where.name is not None and not name_matches(where.name, event.name):
        return False
    if where.source is not None and event.source != where.source:
        return False
    wanted = {"template": where.template, "phoneNumberId": where.phone_number_id}
    wanted["flow"] = where.flow
    return all(
        value is None or property_text(event.properties, key) == value
        for key, value in wanted.items()
    )


def group_key(event: Event, group_by: str | None) -> str | None:
    if group_by is None:
        return None
    if group_by == "NAME":
        return event.name
    if group_by == "SOURCE":
        return event.source
    key = "template" if group_by == "TEMPLATE" else "phoneNumberId"
    return property_text(event.properties, key)


def series(
    events: Iterable[Event],
    since: datetime,
    until: datetime,
    tz: ZoneInfo,
    unit: str,
    where: Selection,
    group_by: str | None,
) -> dict[str | None, list[int]]:
    """Counts per group per bucket; one all-zero line without grouping when nothing matched."""
    spans = buckets(since, until, tz, unit)
    index = {label: i for i, (label, _, _) in enumerate(spans)}
    lines: dict[str | None, list[int]] = {}
    for event in events:
        if since <= event.at < until and selected(event, where):
            line = lines.setdefault(group_key(event, group_by), [0] * len(spans))
            line[index[wall_label(event.at, tz, unit)]] += 1
    if group_by is None and not lines:
        lines[None] = [0] * len(spans)
    return lines


def series_order(lines: Mapping[str | None, Sequence[int]]) -> list[str | None]:
    """Busiest group first; ties by key (code point order), the no-value group last."""
    return sorted(lines, key=lambda k: (-sum(lines[k]), k is None, k or ""))


# -- funnels -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    properties: tuple[tuple[str, str], ...] = ()


def is_step(event: Event, step: Step) -> bool:
    return name_matches(step.name, event.name) and all(
        property_text(event.properties, key) == value for key, value in step.properties
    )


def funnel(
    events: Iterable[Event],
    steps: Sequence[Step],
    since: datetime,
    until: datetime,
    window: timedelta,
    per: str,
) -> tuple[list[int], list[float | None]]:
    """Counts per step and median seconds from the previous step, walking each subject."""
    own: dict[int, list[Event]] = {}
    for event in events:
        subject = event.contact if per == "CONTACT" else event.session
        if subject is not None:
            own.setdefault(subject, []).append(event)
    counts = [0] * len(steps)
    gaps: list[list[float]] = [[] for _ in steps]
    for history in own.values():
        times = _walk(sorted(history, key=lambda e: e.at), steps, since, until, window)
        for k, at in enumerate(times):
            counts[k] += 1
            if k:
                gaps[k].append((at - times[k - 1]).total_seconds())
    return counts, [statistics.median(g) if g else None for g in gaps]


def _walk(
    history: list[Event], steps: Sequence[Step], since: datetime, until: datetime, window: timedelta
) -> list[datetime]:
    """The times of the steps one subject reached, in order."""
    firsts = [e.at for e in history if since <= e.at < until and is_step(e, steps[0])]
    if not firsts:
        return []
    reached = [firsts[0]]
    for step in steps[1:]:
        later = [
            e.at
            for e in history
            if e.at > reached[-1] and e.at - reached[0] <= window and is_step(e, step)
        ]
        if not later:
            break
        reached.append(later[0])
    return reached


# -- message stats -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Message:
    outbound: bool
    status: str
    type: str
    phone_number_id: str
    template: str | None
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    error_code: int | None
    error_title: str | None
    pricing: dict[str, Any] | None


def counts(messages: Iterable[Message]) -> tuple[int, int, int, int, int]:
    """(total, sent, delivered, read, failed) by the docstring's definitions."""
    rows = list(messages)
    sent = [m for m in rows if m.status in ("SENT", "DELIVERED", "READ") or m.sent_at]
    delivered = [m for m in rows if m.status in ("DELIVERED", "READ") or m.delivered_at]
    read = [m for m in rows if m.status == "READ" or m.read_at]
    failed = [m for m in rows if m.status == "FAILED"]
    return len(rows), len(sent), len(delivered), len(read), len(failed)


def chosen(messages: Iterable[Message], since: datetime, until: datetime) -> list[Message]:
    return [m for m in messages if m.outbound and since <= m.created_at < until]


def message_key(m: Message, group_by: str, tz: ZoneInfo) -> str | None:
    if group_by == "TEMPLATE":
        return m.template
    if group_by == "TYPE":
        return m.type
    if group_by == "PHONE_NUMBER":
        return m.phone_number_id
    return m.created_at.astimezone(tz).date().isoformat()


def message_groups(
    rows: Sequence[Message], group_by: str, tz: ZoneInfo
) -> dict[str | None, tuple[int, int, int, int, int]]:
    by_key: dict[str | None, list[Message]] = {}
    for m in rows:
        by_key.setdefault(message_key(m, group_by, tz), []).append(m)
    return {key: counts(group) for key, group in by_key.items()}


def failures(rows: Sequence[Message], top: int) -> list[tuple[int, str | None, int]]:
    """(code, least title, count) of FAILED messages with a code: most frequent first, ties by
    code."""
    codes = Counter(m.error_code for m in rows if m.status == "FAILED" and m.error_code is not None)
    out = []
    for code, n in sorted(codes.items(), key=lambda c: (-c[1], c[0]))[:top]:
        titles = [
            m.error_title
            for m in rows
            if m.status == "FAILED" and m.error_code == code and m.error_title is not None
        ]
        out.append((code, min(titles) if titles else None, n))
    return out


def median_seconds(rows: Sequence[Message], later: str) -> float | None:
    """Median seconds from sent_at to `later` over messages with both."""
    gaps = [
        (getattr(m, later) - m.sent_at).total_seconds()
        for m in rows
        if m.sent_at is not None and getattr(m, later) is not None
    ]
    return statistics.median(gaps) if gaps else None


def pricing(
    rows: Sequence[Message], rates: Mapping[str, float] | None
) -> dict[tuple[Any, Any], tuple[int, int, float | None]]:
    """(category, type) -> (count, charged, amount) over priced messages; a type starting with
    `free` is not charged; the amount only when the category (any case) has a rate."""
    out: dict[tuple[Any, Any], tuple[int, int, float | None]] = {}
    for m in rows:
        if m.pricing is None:
            continue
        key = (m.pricing.get("category"), m.pricing.get("type"))
        n, charged, _ = out.get(key, (0, 0, None))
        free = isinstance(key[1], str) and key[1].startswith("free")
        out[key] = (n + 1, charged + (not free), None)
    for key, (n, charged, _) in out.items():
        rate = (rates or {}).get(str(key[0]).lower()) if key[0] is not None else None
        out[key] = (n, charged, None if rate is None else round(charged * rate, 6))
    return out
