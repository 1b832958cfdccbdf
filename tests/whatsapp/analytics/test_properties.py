"""Property tests: eventSeries, funnel and messageStats against the brute force in `brute.py`.

Hypothesis draws the data (times around DST changes, names with LIKE and GLOB specials,
properties of every JSON scalar type, funnels with patterns and conditions, messages in any
state) and each example is stored and queried on the test's database, SQLite or PostgreSQL.

pytest-asyncio runs an `async def` test under `@given` on the session's event loop, one example
after the other; the function-scoped `clean_tables` fixture runs once per test, not per example,
so each example first empties the tables it writes (`reset`). Settings keep CI deterministic:
derandomized, no example database written, no deadline (database round trips vary).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.db import dialect_of
from models import (
    MessageDirection,
    WhatsAppAnalyticsEvent,
    WhatsAppContact,
    WhatsAppMessage,
    WhatsAppSession,
)
from tests.whatsapp.analytics import brute
from whatsapp.analytics import rollup
from whatsapp.analytics.funnel import FunnelStep, FunnelSubject, funnel
from whatsapp.analytics.messages_stats import (
    TOP_FAILURES,
    MessageGroupBy,
    PricingRates,
    message_stats,
)
from whatsapp.analytics.predicates import EventSelection
from whatsapp.analytics.series import SeriesGroup, event_series
from whatsapp.analytics.timezones import BucketUnit

SQLITE = dialect_of(os.environ.get("DATABASE_URL") or "sqlite://") != "postgres"
EXAMPLES = int(os.environ.get("WAGRAPH_PROPERTY_EXAMPLES", "50"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # `reset` empties the tables per example, which the fixture cannot do.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ZONES = ["Europe/Lisbon", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]
NEW_YEAR = datetime(2026, 1, 1, tzinfo=UTC)
# Names with the characters LIKE (`%`, `_`, `\`) and GLOB (`[`, `]`, `?`) treat specially, and
# one past ASCII (byte order against code point order).
NAMES = ["a", "b", "ab", "a.b", "b.a", "a_b", "a%b", "[a]", "a?", "a\\b", "é", "aé"]
PATTERN_ALPHABET = "ab._%[]?\\é*"
WILD = ["*", "a*", "*b", "a*b", "*.*", "*_*", "*%*", "[*", "*?", "*\\*", "é*", "*é", "a**"]
TEXTS = ["w", "p", "0", "1", "true", "false"]
# A property value of each JSON scalar type (None: the key is missing or null).
VALUES = st.one_of(st.none(), st.sampled_from(["w", "p", "1"]), st.integers(0, 2), st.booleans())
MICRO = timedelta(microseconds=1)


# -- storing generated rows --------------------------------------------------------------------


async def reset() -> None:
    """Empty what the examples write, referrers first (SQLite deletes without CASCADE), and
    the event rollup with its coverage."""
    for model in (WhatsAppAnalyticsEvent, WhatsAppMessage, WhatsAppSession, WhatsAppContact):
        await model.all().delete()
    await rollup.rebuild()


async def store_events(events: list[brute.Event]) -> None:
    """The events, with a contact per distinct `contact` and a session per distinct `session`."""
    contacts = {c: uuid.uuid4() for c in {e.contact for e in events} if c is not None}
    sessions = {s: uuid.uuid4() for s in {e.session for e in events} if s is not None}
    await WhatsAppContact.bulk_create(
        [WhatsAppContact(id=i, wa_id=f"1555300{n:04d}") for n, i in contacts.items()]
    )
    await WhatsAppSession.bulk_create(
        [WhatsAppSession(id=i, flow_token=f"tok-{i.hex}") for i in sessions.values()]
    )
    await WhatsAppAnalyticsEvent.bulk_create(
        [
            WhatsAppAnalyticsEvent(
                name=e.name,
                source=e.source,
                properties=e.properties,
                created_at=e.at,
                contact_id=None if e.contact is None else contacts[e.contact],
                session_id=None if e.session is None else sessions[e.session],
            )
            for e in events
        ]
    )


# -- strategies --------------------------------------------------------------------------------


def anchors(zone: str) -> list[datetime]:
    """The zone's 2026 DST changes, and a new year (where months and weeks turn too)."""
    return [*brute.transitions(zone, 2026), NEW_YEAR]


# How far either side of the anchor a range may reach, per unit (a few buckets or more).
REACH = {
    BucketUnit.HOUR: timedelta(days=2),
    BucketUnit.DAY: timedelta(days=5),
    BucketUnit.WEEK: timedelta(days=20),
    BucketUnit.MONTH: timedelta(days=20),
}


@st.composite
def ranges(draw: st.DrawFn, anchor: datetime, reach: timedelta) -> tuple[datetime, datetime]:
    """[since, until) around `anchor`, each end at most `reach` away: on the half-hour grid
    where bucket boundaries lie, anywhere to the microsecond, or the whole reach."""
    halves = reach // timedelta(minutes=30)

    def offsets(least: int) -> st.SearchStrategy[timedelta]:
        snapped = st.integers(least, halves).map(lambda k: timedelta(minutes=30 * k))
        free = st.tuples(st.integers(least, halves * 30), st.integers(0, 999_999)).map(
            lambda m: timedelta(minutes=m[0], microseconds=m[1])
        )
        return st.one_of(snapped, free, st.sampled_from([reach / 2, reach]))

    before, after = draw(offsets(0)), draw(offsets(1))
    return anchor - before, anchor + after


@st.composite
def instants(
    draw: st.DrawFn, since: datetime, until: datetime, boundaries: list[datetime]
) -> datetime:
    """Anywhere from an hour before `since` to an hour after `until`, on a bucket boundary
    (± 1 µs), or at since or until (- 1 µs)."""
    kind = draw(st.sampled_from(["spread", "spread", "boundary", "edge"]))
    if kind == "spread":
        span = int((until - since).total_seconds()) + 7200
        seconds = draw(st.integers(0, span))
        micro = draw(st.sampled_from([0, 0, 1, 500_000, 999_999]))
        return since + timedelta(seconds=seconds - 3600, microseconds=micro)
    nudge = draw(st.sampled_from([-MICRO, timedelta(0), MICRO]))
    if kind == "boundary":
        return draw(st.sampled_from(boundaries)) + nudge
    return draw(st.sampled_from([since, until])) + min(nudge, timedelta(0))


def rollup_nows(since: datetime, until: datetime) -> st.SearchStrategy[datetime]:
    """A "now" for the rollup anywhere from before the range to past it (so it covers none,
    part or all of the range's hours)."""
    minutes = int((until - since).total_seconds() // 60) + 240
    return st.integers(0, minutes).map(lambda m: since - timedelta(hours=1) + timedelta(minutes=m))


def boundaries(since: datetime, until: datetime, zone: str, unit: BucketUnit) -> list[datetime]:
    """The UTC starts and ends of the range's buckets, from the brute force's own walk."""
    spans = brute.buckets(since, until, ZoneInfo(zone), unit.value)
    return sorted({at for _, start, end in spans for at in (start, end)})


def properties(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Some of `keys`, each a JSON scalar or null."""
    return st.dictionaries(st.sampled_from(keys), VALUES, max_size=len(keys))


@st.composite
def cut_names(draw: st.DrawFn, names: list[str] = NAMES) -> str:
    """One of `names` with a run of it (maybe empty) replaced by `*`: it matches that name at
    least, and keeps the name's special characters as literals around the wildcard."""
    name = draw(st.sampled_from(names))
    start = draw(st.integers(0, len(name)))
    end = draw(st.integers(start, len(name)))
    return f"{name[:start]}*{name[end:]}"


def patterns() -> st.SearchStrategy[str]:
    """A name, a pattern likely to match some names, or any short pattern."""
    return st.one_of(
        st.sampled_from(NAMES),
        st.sampled_from(WILD),
        cut_names(),
        st.text(alphabet=PATTERN_ALPHABET, min_size=1, max_size=4),
    )


@st.composite
def selections(draw: st.DrawFn, events: list[brute.Event]) -> brute.Selection:
    """Up to three conditions, usually all met by one of `events` (those in the range), so
    that the filtered counts are seldom all zero; sometimes any values at all."""
    target = draw(st.sampled_from(events)) if events and draw(st.booleans()) else None

    def value(key: str) -> st.SearchStrategy[str]:
        own = None if target is None else brute.property_text(target.properties, key)
        return st.just(own) if own is not None else st.sampled_from(TEXTS)

    values = {
        "name": cut_names([target.name]) if target else patterns(),
        "source": st.just(target.source) if target else st.sampled_from(["api", "webhook"]),
        "template": value("template"),
        "phone_number_id": value("phoneNumberId"),
        "flow": value("flow"),
    }
    chosen = draw(st.sets(st.sampled_from(sorted(values)), max_size=3))
    return brute.Selection(**{key: draw(values[key]) for key in sorted(chosen)})


@dataclass(frozen=True)
class SeriesCase:
    zone: str
    unit: BucketUnit
    since: datetime
    until: datetime
    events: list[brute.Event]
    where: brute.Selection
    group_by: SeriesGroup | None
    rolled_until: datetime | None
    """When set, the hourly rollup is counted up to this "now" before the query."""


@st.composite
def series_cases(draw: st.DrawFn) -> SeriesCase:
    zone = draw(st.sampled_from(ZONES))
    anchor = draw(st.sampled_from(anchors(zone)))
    unit = draw(st.sampled_from(list(BucketUnit)))
    since, until = draw(ranges(anchor, REACH[unit]))
    event = st.builds(
        brute.Event,
        name=st.sampled_from(NAMES),
        source=st.sampled_from(["api", "webhook"]),
        at=instants(since, until, boundaries(since, until, zone, unit)),
        properties=properties(["template", "phoneNumberId", "flow"]),
    )
    events = draw(st.lists(event, min_size=10, max_size=40))
    return SeriesCase(
        zone=zone,
        unit=unit,
        since=since,
        until=until,
        events=events,
        where=draw(selections([e for e in events if since <= e.at < until])),
        group_by=draw(st.sampled_from([None, *SeriesGroup])),
        rolled_until=draw(st.one_of(st.none(), rollup_nows(since, until))),
    )


@dataclass(frozen=True)
class FunnelCase:
    steps: list[brute.Step]
    since: datetime
    until: datetime
    window: timedelta
    per: FunnelSubject
    events: list[brute.Event]


T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)
FUNNEL_NAMES = ["a", "b", "a.b", "[a]", "a?", "a_b"]
# (contact, session) of an event: sessions 2c and 2c+1 are contact c's; some events lack one.
SUBJECTS = [(c, 2 * c + j) for c in range(2) for j in range(2)] + [(0, None), (None, None)]
MILLI = timedelta(milliseconds=1)


@st.composite
def funnel_instants(draw: st.DrawFn, since: datetime, until: datetime) -> datetime:
    """Whole minutes after T0 (so events tie), a few ms off, or at since or until (- 1 ms)."""
    kind = draw(st.sampled_from(["minute", "minute", "jitter", "edge"]))
    if kind == "edge":
        return draw(st.sampled_from([since, until])) - draw(st.sampled_from([MILLI, 0 * MILLI]))
    jitter = draw(st.integers(0, 59_999)) if kind == "jitter" else 0
    return T0 + timedelta(minutes=draw(st.integers(0, 40)), milliseconds=jitter)


@st.composite
def funnel_events(draw: st.DrawFn, since: datetime, until: datetime) -> brute.Event:
    contact, session = draw(st.sampled_from(SUBJECTS))
    return brute.Event(
        name=draw(st.sampled_from(FUNNEL_NAMES)),
        source="test",
        at=draw(funnel_instants(since, until)),
        properties=draw(properties(["k", "t"])),
        contact=contact,
        session=session,
    )


@st.composite
def journeys(
    draw: st.DrawFn, steps: list[brute.Step], since: datetime, until: datetime
) -> list[brute.Event]:
    """Events of one subject meant to go through the steps in order (0 ms, 1 ms or minutes
    apart), so that later steps are reached often; the rules still decide if they are."""
    contact, session = draw(st.sampled_from(SUBJECTS))
    edges = st.sampled_from([since, until, until - MILLI])
    at = draw(st.one_of(edges, funnel_instants(since, until)))
    out = []
    for step in steps:
        names = [n for n in NAMES if brute.name_matches(step.name, n)]
        if not names:
            break
        properties = {key: value for key, value in step.properties}
        gap = draw(st.sampled_from([0, 1, 60_000, 300_000, 1_200_000]))
        at += timedelta(milliseconds=gap)
        name = draw(st.sampled_from(names))
        out.append(brute.Event(name, "test", at, properties, contact, session))
    return out


@st.composite
def windows(draw: st.DrawFn, events: list[brute.Event]) -> timedelta:
    """Whole minutes, or exactly the time between two events of a subject (the bound, to the
    ms)."""
    gaps = sorted(
        {
            b.at - a.at
            for a in events
            for b in events
            if b.at > a.at and (a.contact, a.session) == (b.contact, b.session)
        }
    )
    choices = [
        st.integers(1, 60).map(lambda m: timedelta(minutes=m)),
        st.sampled_from([timedelta(minutes=m) for m in (5, 10, 30, 60)]),
    ]
    if gaps:
        choices.append(st.sampled_from(gaps))
    return draw(st.one_of(choices))


@st.composite
def funnel_cases(draw: st.DrawFn) -> FunnelCase:
    condition = st.tuples(st.sampled_from(["k", "t"]), st.sampled_from(TEXTS))
    likely = st.sampled_from(FUNNEL_NAMES + WILD[:4] + ["[*", "*?", "a_*"])

    def steps(name: st.SearchStrategy[str]) -> st.SearchStrategy[brute.Step]:
        some = st.lists(condition, min_size=1, max_size=2).map(tuple)
        conditions = st.one_of(st.just(()), st.just(()), some)
        return st.builds(brute.Step, name=name, properties=conditions)

    # the first step's name matches some events: else nothing past it would be tested
    first = draw(steps(likely))
    others = draw(st.lists(steps(st.one_of(likely, likely, patterns())), min_size=1, max_size=3))
    since = T0 + timedelta(minutes=draw(st.integers(0, 10)))
    until = since + timedelta(
        minutes=draw(st.integers(5, 40)), milliseconds=draw(st.integers(0, 1))
    )
    events = draw(st.lists(funnel_events(since, until), min_size=5, max_size=30))
    paths = draw(st.lists(journeys([first, *others], since, until), max_size=4))
    # a journey's whole length as the window puts its last step exactly on the bound
    lengths = [path[-1].at - path[0].at for path in paths if path]
    window = draw(
        st.one_of(windows(events), st.sampled_from(lengths).filter(bool))
        if any(lengths)
        else windows(events)
    )
    return FunnelCase(
        steps=[first, *others],
        since=since,
        until=until,
        window=window,
        per=draw(st.sampled_from(list(FunnelSubject))),
        events=events + [e for path in paths for e in path],
    )


@dataclass(frozen=True)
class MessageCase:
    zone: str
    since: datetime
    until: datetime
    group_by: str | None
    rates: dict[str, float] | None
    messages: list[brute.Message]


PRICING = [
    {"category": "marketing", "type": "regular"},
    {"category": "MARKETING", "type": "regular"},
    {"category": "utility", "type": "regular"},
    {"category": "service", "type": "free_customer_service"},
    {"category": "marketing", "type": "free_entry_point"},
    {"category": "utility"},
    {"type": "regular"},
]
STATUSES = [
    "SCHEDULED",
    "QUEUED",
    "SENDING",
    "SENT",
    "DELIVERED",
    "READ",
    "FAILED",
    "CANCELLED",
]


@st.composite
def messages(
    draw: st.DrawFn, since: datetime, until: datetime, days: list[datetime]
) -> brute.Message:
    created = draw(instants(since, until, days))
    later = st.one_of(
        st.none(),
        st.integers(-5_000, 600_000).map(lambda ms: created + timedelta(milliseconds=ms)),
    )
    # a few common codes (ties, titles that differ) and up to 12 (past the top ten)
    code = draw(st.one_of(st.none(), st.sampled_from([1, 2]), st.integers(1, 12)))
    return brute.Message(
        outbound=draw(st.sampled_from([True, True, True, False])),
        status=draw(st.one_of(st.just("FAILED"), st.sampled_from(STATUSES))),
        type=draw(st.sampled_from(["TEXT", "TEMPLATE", "IMAGE"])),
        phone_number_id=draw(st.sampled_from(["P1", "P2"])),
        template=draw(st.sampled_from([None, "welcome", "promo"])),
        created_at=created,
        sent_at=draw(later),
        delivered_at=draw(later),
        read_at=draw(later),
        error_code=code,
        error_title=draw(st.sampled_from([None, "x", "y"])),
        pricing=draw(st.one_of(st.none(), st.sampled_from(PRICING))),
    )


@st.composite
def message_cases(draw: st.DrawFn) -> MessageCase:
    zone = draw(st.sampled_from(ZONES))
    anchor = draw(st.sampled_from(anchors(zone)))
    since, until = draw(ranges(anchor, REACH[BucketUnit.DAY]))
    days = boundaries(since, until, zone, BucketUnit.DAY)
    rates = st.one_of(st.none(), st.just({"marketing": 0.05, "utility": 0.5}))
    return MessageCase(
        zone=zone,
        since=since,
        until=until,
        group_by=draw(st.sampled_from([None, "TEMPLATE", "TYPE", "PHONE_NUMBER", "DAY"])),
        rates=draw(rates),
        messages=draw(st.lists(messages(since, until, days), min_size=5, max_size=40)),
    )


# -- the properties ----------------------------------------------------------------------------


@SETTINGS
@given(case=series_cases())
async def test_event_series_matches_brute_force(case: SeriesCase) -> None:
    # given
    await reset()
    await store_events(case.events)
    if case.rolled_until is not None:
        await rollup.roll_up(now=case.rolled_until, max_batches=100)
    where = EventSelection(
        name=case.where.name,
        source=case.where.source,
        template=case.where.template,
        phone_number_id=case.where.phone_number_id,
        flow=case.where.flow,
    )

    # when
    result = await event_series(
        since=case.since,
        until=case.until,
        unit=case.unit,
        time_zone=case.zone,
        where=where,
        group_by=case.group_by,
    )

    # then
    tz = ZoneInfo(case.zone)
    spans = brute.buckets(case.since, case.until, tz, case.unit.value)
    assert [(b.label, b.start, b.end) for b in result.buckets] == spans
    group = None if case.group_by is None else case.group_by.value
    lines = brute.series(
        case.events, case.since, case.until, tz, case.unit.value, case.where, group
    )
    assert {s.key: s.counts for s in result.series} == lines
    assert [s.key for s in result.series] == brute.series_order(lines)
    assert result.group_count == len(lines)
    event(f"series: {min(sum(map(sum, lines.values())), 5)}+ events counted")


@SETTINGS
@given(case=funnel_cases())
async def test_funnel_matches_brute_force(case: FunnelCase) -> None:
    # given
    await reset()
    await store_events(case.events)
    steps = [FunnelStep(s.name, s.properties) for s in case.steps]

    # when
    result = await funnel(
        steps, since=case.since, until=case.until, window=case.window, per=case.per
    )

    # then
    counts, medians = brute.funnel(
        case.events, case.steps, case.since, case.until, case.window, case.per.value
    )
    assert [r.count for r in result] == counts
    event(f"funnel: {len([c for c in counts if c])} of {len(counts)} steps reached")
    for got, expected in zip(result, medians, strict=True):
        assert got.median_seconds_from_previous == pytest.approx(expected, abs=1e-3)
    previous = [None, *counts[:-1]]
    assert [r.conversion_from_previous for r in result] == [
        None if p is None else c / p if p else None for c, p in zip(counts, previous, strict=True)
    ]
    assert [r.conversion_from_first for r in result] == [
        c / counts[0] if counts[0] else None for c in counts
    ]


async def store_messages(rows: list[brute.Message]) -> None:
    await WhatsAppMessage.bulk_create(
        [
            WhatsAppMessage(
                direction=MessageDirection.OUTBOUND if m.outbound else MessageDirection.INBOUND,
                type=m.type,
                status=m.status,
                phone_number_id=m.phone_number_id,
                template_name=m.template,
                created_at=m.created_at,
                sent_at=m.sent_at,
                delivered_at=m.delivered_at,
                read_at=m.read_at,
                error_code=m.error_code,
                error_title=m.error_title,
                pricing=m.pricing,
            )
            for m in rows
        ]
    )


@SETTINGS
@given(case=message_cases())
async def test_message_stats_match_brute_force(case: MessageCase) -> None:
    # given
    await reset()
    await store_messages(case.messages)
    rates = None if case.rates is None else PricingRates("EUR", case.rates)

    # when
    stats = await message_stats(
        since=case.since,
        until=case.until,
        group_by=None if case.group_by is None else MessageGroupBy(case.group_by),
        time_zone=case.zone,
        rates=rates,
    )

    # then
    rows = brute.chosen(case.messages, case.since, case.until)
    t = stats.totals
    assert (t.total, t.sent, t.delivered, t.read, t.failed) == brute.counts(rows)
    event(f"messages: {min(len(rows), 5)}+ in range")
    if case.group_by is not None:
        expected = brute.message_groups(rows, case.group_by, ZoneInfo(case.zone))
        assert {
            g.key: (g.total, g.sent, g.delivered, g.read, g.failed) for g in stats.groups
        } == expected
    assert [(f.code, f.title, f.count) for f in stats.failures] == brute.failures(
        rows, TOP_FAILURES
    )
    assert stats.median_seconds_to_delivered == pytest.approx(
        brute.median_seconds(rows, "delivered_at"), abs=1e-3
    )
    assert stats.median_seconds_to_read == pytest.approx(
        brute.median_seconds(rows, "read_at"), abs=1e-3
    )
    priced = {(p.category, p.type): (p.count, p.charged, p.amount) for p in stats.pricing}
    assert priced == brute.pricing(rows, case.rates)


async def test_message_stats_by_day_within_one_local_day() -> None:
    # given
    at = datetime(2026, 5, 1, 10, 15, tzinfo=UTC)
    await store_messages(
        [brute.Message(True, "SENT", "TEXT", "P1", None, at, at, None, None, None, None, None)]
    )

    # when
    stats = await message_stats(
        since=at - timedelta(minutes=15),
        until=at + timedelta(minutes=45),
        group_by=MessageGroupBy.DAY,
    )

    # then
    assert [(g.key, g.total, g.sent) for g in stats.groups] == [("2026-05-01", 1, 1)]
