"""eventSeries against a brute-force count over generated events, on the test's database.

The brute force labels each event with its local wall-clock time truncated to the unit, read
with zoneinfo one event at a time, and derives the buckets from every minute of the range:
nothing is shared with the SQL path but the rule.
"""

from __future__ import annotations

import itertools
import random
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from models import (
    WhatsAppAnalyticsEvent,
    WhatsAppAutomation,
    WhatsAppAutomationRun,
    WhatsAppContact,
)
from whatsapp.analytics.predicates import EventSelection
from whatsapp.analytics.rollup import roll_up
from whatsapp.analytics.series import SeriesGroup, event_series
from whatsapp.analytics.timezones import BucketUnit
from whatsapp.kit.errors import WagraphError

LISBON = "Europe/Lisbon"
# Lisbon's 2026 changes: 29 March 01:00 UTC (WET -> WEST), 25 October 01:00 UTC (back).
SPRING = datetime(2026, 3, 29, 1, tzinfo=UTC)
AUTUMN = datetime(2026, 10, 25, 1, tzinfo=UTC)
NAMES = ["message.sent", "message.delivered", "template.sent", "flow.completed", "message.read"]
TAGS = ["vip", "new", "late"]


@dataclass
class World:
    """Generated events as plain dicts, and the automations whose runs caused some of them."""

    events: list[dict[str, Any]] = field(default_factory=list)
    automations: list[str] = field(default_factory=list)


async def generate(rng: random.Random, around: datetime, count: int = 300) -> World:
    """Random events within ±3 days of `around`, written in one INSERT."""
    world = World()
    contacts = [
        await WhatsAppContact.create(
            wa_id=f"1555000{i:04d}", tags=rng.sample(TAGS, rng.randint(0, 2))
        )
        for i in range(6)
    ]
    runs = []
    for name in ("a", "b"):
        automation = await WhatsAppAutomation.create(name=name, trigger="message.sent")
        world.automations.append(str(automation.id))
        runs += [
            await WhatsAppAutomationRun.create(automation=automation, status="SUCCEEDED")
            for _ in range(2)
        ]
    rows = []
    for _ in range(count):
        contact = rng.choice([*contacts, None])
        run = rng.choice([None, None, *runs])
        props: dict[str, Any] = {"phoneNumberId": rng.choice(["P1", "P2"])}
        if rng.random() < 0.6:
            props["template"] = rng.choice(["welcome", "promo"])
        if rng.random() < 0.3:
            props["flow"] = rng.choice(["signup", "survey"])
        micro = rng.choice([0, rng.randint(0, 999_999)])
        at = around + timedelta(seconds=rng.randint(-3 * 86400, 3 * 86400), microseconds=micro)
        row = WhatsAppAnalyticsEvent(
            id=uuid.uuid4(),
            name=rng.choice(NAMES),
            source=rng.choice(["api", "webhook"]),
            properties=props,
            created_at=at,
            contact_id=contact.id if contact else None,
            caused_by_automation_run_id=run.id if run else None,
        )
        rows.append(row)
        world.events.append(
            {
                "name": row.name,
                "source": row.source,
                "properties": props,
                "at": at,
                "tags": contact.tags if contact else [],
                "automation": str(run.automation_id) if run else None,
            }
        )
    await WhatsAppAnalyticsEvent.bulk_create(rows)
    return world


# -- the brute force ---------------------------------------------------------------------------


def label_of(at: datetime, tz: ZoneInfo, unit: BucketUnit) -> datetime:
    local = at.astimezone(tz).replace(tzinfo=None)
    hour = local.replace(minute=0, second=0, microsecond=0)
    if unit == BucketUnit.HOUR:
        return hour
    day = hour.replace(hour=0)
    if unit == BucketUnit.DAY:
        return day
    if unit == BucketUnit.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def minute_buckets(
    since: datetime, until: datetime, tz: ZoneInfo, unit: BucketUnit
) -> list[tuple[datetime, datetime]]:
    """(start, end) of each bucket, walking minute by minute (DST changes fall on minutes)."""
    starts: dict[datetime, datetime] = {}
    at = since
    while True:
        label = label_of(at, tz, unit)
        if label not in starts:
            if at >= until:
                starts[label] = at
                break
            starts[label] = at
        at += timedelta(minutes=1)
    firsts = list(starts.values())
    first_label = label_of(since, tz, unit)
    # the first bucket may start before `since`: walk back to its first minute
    back = since
    while label_of(back - timedelta(minutes=1), tz, unit) == first_label:
        back -= timedelta(minutes=1)
    firsts[0] = back
    return list(itertools.pairwise(firsts))


def matches(event: dict[str, Any], where: EventSelection) -> bool:
    props = event["properties"]
    if where.name is not None:
        pattern = ".*".join(re.escape(part) for part in where.name.split("*"))
        if not re.fullmatch(pattern, event["name"]):
            return False
    checks = [
        (where.source, event["source"]),
        (where.template, props.get("template")),
        (where.phone_number_id, props.get("phoneNumberId")),
        (where.flow, props.get("flow")),
        (where.automation_id, event["automation"]),
    ]
    if any(wanted is not None and wanted != actual for wanted, actual in checks):
        return False
    return where.tag is None or where.tag in event["tags"]


def group_of(event: dict[str, Any], group_by: SeriesGroup | None) -> str | None:
    return {
        None: None,
        SeriesGroup.NAME: event["name"],
        SeriesGroup.SOURCE: event["source"],
        SeriesGroup.TEMPLATE: event["properties"].get("template"),
        SeriesGroup.PHONE_NUMBER: event["properties"].get("phoneNumberId"),
    }[group_by]


def brute_force(
    world: World,
    since: datetime,
    until: datetime,
    unit: BucketUnit,
    zone: str,
    where: EventSelection,
    group_by: SeriesGroup | None,
) -> tuple[list[tuple[datetime, datetime]], dict[str | None, list[int]]]:
    tz = ZoneInfo(zone)
    spans = minute_buckets(since, until, tz, unit)
    position = {label_of(start, tz, unit): i for i, (start, _) in enumerate(spans)}
    cells: Counter[tuple[str | None, int]] = Counter()
    for event in world.events:
        if since <= event["at"] < until and matches(event, where):
            cells[group_of(event, group_by), position[label_of(event["at"], tz, unit)]] += 1
    lines: dict[str | None, list[int]] = {}
    for (key, i), n in cells.items():
        lines.setdefault(key, [0] * len(spans))[i] += n
    if group_by is None and not lines:
        lines[None] = [0] * len(spans)
    return spans, lines


# -- the tests ---------------------------------------------------------------------------------


def random_selection(rng: random.Random, world: World) -> EventSelection:
    options: dict[str, Any] = {
        "name": rng.choice(["message.*", "*.sent", "message.sent", "*", "m*e*"]),
        "source": rng.choice(["api", "webhook"]),
        "template": rng.choice(["welcome", "promo"]),
        "automation_id": rng.choice(world.automations),
        "phone_number_id": rng.choice(["P1", "P2"]),
        "flow": rng.choice(["signup", "survey"]),
        "tag": rng.choice(TAGS),
    }
    chosen = rng.sample(sorted(options), rng.randint(0, 2))
    return EventSelection(**{key: options[key] for key in chosen})


@pytest.mark.parametrize("rolled", [False, True], ids=["event-log", "rollup"])
@pytest.mark.parametrize("seed", range(8))
async def test_series_match_brute_force_on_generated_events(seed: int, rolled: bool) -> None:
    # given: events, and with `rolled` the hourly rollup covering them up to a random hour
    # (the rest of the range is counted from the event log)
    rng = random.Random(seed)
    around = rng.choice([SPRING, AUTUMN])
    world = await generate(rng, around)
    if rolled:
        await roll_up(now=around + timedelta(minutes=rng.randint(-3000, 4000)), max_batches=50)
    unit = rng.choice(
        [BucketUnit.HOUR, BucketUnit.DAY, BucketUnit.DAY, BucketUnit.WEEK, BucketUnit.MONTH]
    )
    zone = rng.choice([LISBON, LISBON, "UTC", "Asia/Kolkata", "America/New_York"])
    since = around - timedelta(days=2, minutes=rng.randint(0, 600))
    until = around + timedelta(days=2, minutes=rng.randint(0, 600))
    where = random_selection(rng, world)
    group_by = rng.choice([None, *SeriesGroup])

    # when
    result = await event_series(
        since=since, until=until, unit=unit, time_zone=zone, where=where, group_by=group_by
    )

    # then
    spans, lines = brute_force(world, since, until, unit, zone, where, group_by)
    assert [(b.start, b.end) for b in result.buckets] == spans
    assert {s.key: s.counts for s in result.series} == lines
    totals = [s.total for s in result.series]
    assert totals == sorted(totals, reverse=True)
    assert result.group_count == len(lines)


async def test_lisbon_days_are_23_and_25_hours_long_on_the_dst_changes() -> None:
    # given: one event an hour through both changes
    for change in (SPRING, AUTUMN):
        await WhatsAppAnalyticsEvent.bulk_create(
            [
                WhatsAppAnalyticsEvent(
                    name="tick", source="test", created_at=change + timedelta(hours=h)
                )
                for h in range(-30, 48)
            ]
        )

    # when
    spring = await event_series(
        since=datetime(2026, 3, 28, tzinfo=UTC),
        until=datetime(2026, 3, 30, 23, tzinfo=UTC),
        unit=BucketUnit.DAY,
        time_zone=LISBON,
    )
    autumn = await event_series(
        since=datetime(2026, 10, 24, tzinfo=UTC),
        until=datetime(2026, 10, 26, 23, tzinfo=UTC),
        unit=BucketUnit.DAY,
        time_zone=LISBON,
    )

    # then
    assert [b.end - b.start for b in spring.buckets] == [timedelta(hours=h) for h in (24, 23, 24)]
    assert spring.series[0].counts == [24, 23, 24]
    assert [b.end - b.start for b in autumn.buckets] == [timedelta(hours=h) for h in (24, 25, 24)]
    # the first day is cut at `since` (00:00 UTC is 01:00 WEST), the last at `until`
    assert autumn.series[0].counts == [23, 25, 23]
    assert [b.label.day for b in autumn.buckets] == [24, 25, 26]


async def test_hours_in_lisbon_skip_one_in_spring_and_double_one_in_autumn() -> None:
    # given
    stamps = [
        AUTUMN - timedelta(hours=1, minutes=1),
        AUTUMN - timedelta(minutes=30),
        AUTUMN + timedelta(minutes=30),
    ]
    await WhatsAppAnalyticsEvent.bulk_create(
        [WhatsAppAnalyticsEvent(name="tick", source="test", created_at=at) for at in stamps]
    )

    # when
    spring = await event_series(
        since=SPRING - timedelta(hours=1),
        until=SPRING + timedelta(hours=1),
        unit=BucketUnit.HOUR,
        time_zone=LISBON,
    )
    autumn = await event_series(
        since=AUTUMN - timedelta(hours=2),
        until=AUTUMN + timedelta(hours=2),
        unit=BucketUnit.HOUR,
        time_zone=LISBON,
    )

    # then: 00:00 then 02:00 local in spring (01:00 never happened)
    assert [b.label.hour for b in spring.buckets] == [0, 2]
    # autumn: 00:00, 01:00 (twice as long: 01:00 WEST then 01:00 WET), 02:00
    assert [(b.label.hour, (b.end - b.start).seconds // 3600) for b in autumn.buckets] == [
        (0, 1),
        (1, 2),
        (2, 1),
    ]
    assert autumn.series[0].counts == [1, 2, 0]


@pytest.mark.parametrize(
    ("unit", "days", "field_"),
    [(BucketUnit.HOUR, 32, "until"), (BucketUnit.DAY, 367, "until"), (BucketUnit.DAY, -1, "until")],
)
async def test_ranges_past_the_bounds_are_refused(unit: BucketUnit, days: int, field_: str) -> None:
    since = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(WagraphError) as caught:
        await event_series(since=since, until=since + timedelta(days=days), unit=unit)
    assert caught.value.problems[0].field == (field_,)
    assert caught.value.code == "INVALID_INPUT"


@pytest.mark.parametrize(
    ("zone", "where", "field_"),
    [
        ("Mars/Olympus", EventSelection(), ("timeZone",)),
        ("../etc/passwd", EventSelection(), ("timeZone",)),
        ("UTC", EventSelection(name=""), ("filter", "name")),
        ("UTC", EventSelection(automation_id="nope"), ("filter", "automationId")),
    ],
)
async def test_bad_arguments_name_their_field(
    zone: str, where: EventSelection, field_: tuple[str, ...]
) -> None:
    since = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(WagraphError) as caught:
        await event_series(
            since=since,
            until=since + timedelta(days=1),
            unit=BucketUnit.DAY,
            time_zone=zone,
            where=where,
        )
    assert caught.value.problems[0].field == field_


async def test_groups_are_capped_at_the_busiest_fifty() -> None:
    # given: 60 names, name i seen i+1 times
    at = datetime(2026, 5, 1, 12, tzinfo=UTC)
    await WhatsAppAnalyticsEvent.bulk_create(
        [
            WhatsAppAnalyticsEvent(name=f"n.{i:02d}", source="test", created_at=at)
            for i in range(60)
            for _ in range(i + 1)
        ]
    )

    # when
    result = await event_series(
        since=at - timedelta(days=1),
        until=at + timedelta(days=1),
        unit=BucketUnit.DAY,
        group_by=SeriesGroup.NAME,
    )

    # then
    assert result.group_count == 60
    assert [s.key for s in result.series] == [f"n.{i:02d}" for i in range(59, 9, -1)]
