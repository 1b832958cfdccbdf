"""funnel against a brute force written from the rules alone, on generated events.

The rules: a subject's funnel starts at its first step-1 event in [since, until); step k is
its earliest step-k event strictly after its step k-1 and at most `window` after its step 1;
repeats are ignored; medians are of the seconds between consecutive steps, per subject.
"""

from __future__ import annotations

import random
import re
import statistics
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models import WhatsAppAnalyticsEvent, WhatsAppContact, WhatsAppSession
from whatsapp.analytics.funnel import FunnelStep, FunnelSubject, funnel
from whatsapp.kit.errors import WagraphError

T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)
NAMES = ["message.sent", "message.delivered", "message.read", "template.sent", "flow.completed"]


async def generate(rng: random.Random, count: int = 400) -> list[dict[str, Any]]:
    """Events of 12 contacts (each with 2 sessions), whole seconds within ±2 days of T0."""
    pairs = []
    for i in range(12):
        contact = await WhatsAppContact.create(wa_id=f"1555100{i:04d}")
        for _ in range(2):
            session = await WhatsAppSession.create(
                contact=contact, flow_token=f"tok-{uuid.uuid4().hex[:12]}", phone_number_id="P1"
            )
            pairs.append((contact.id, session.id))
    events, rows = [], []
    for _ in range(count):
        contact_id, session_id = rng.choice([*pairs, (None, None)])
        props = {"template": rng.choice(["welcome", "promo"]), "attempt": rng.choice([1, 2])}
        at = T0 + timedelta(seconds=rng.randint(-2 * 86400, 2 * 86400))
        name = rng.choice(NAMES)
        rows.append(
            WhatsAppAnalyticsEvent(
                name=name,
                source="test",
                properties=props,
                created_at=at,
                contact_id=contact_id,
                session_id=session_id,
            )
        )
        events.append(
            {"name": name, "props": props, "at": at, "CONTACT": contact_id, "SESSION": session_id}
        )
    await WhatsAppAnalyticsEvent.bulk_create(rows)
    return events


def is_step(event: dict[str, Any], step: FunnelStep) -> bool:
    pattern = ".*".join(re.escape(part) for part in step.name.split("*"))
    if not re.fullmatch(pattern, event["name"]):
        return False
    text = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in event["props"].items()}
    return all(text.get(key) == value for key, value in step.properties)


def brute_force(
    events: list[dict[str, Any]],
    steps: list[FunnelStep],
    since: datetime,
    until: datetime,
    window: timedelta,
    per: str,
) -> tuple[list[int], list[float | None]]:
    by_subject: dict[Any, list[dict[str, Any]]] = {}
    for event in events:
        if event[per] is not None:
            by_subject.setdefault(event[per], []).append(event)
    counts = [0] * len(steps)
    gaps: list[list[float]] = [[] for _ in steps]
    for own in by_subject.values():
        own.sort(key=lambda e: e["at"])
        starts = [e["at"] for e in own if since <= e["at"] < until and is_step(e, steps[0])]
        if not starts:
            continue
        first = previous = starts[0]
        counts[0] += 1
        for k, step in enumerate(steps[1:], 1):
            later = [
                e["at"]
                for e in own
                if e["at"] > previous and e["at"] - first <= window and is_step(e, step)
            ]
            if not later:
                break
            counts[k] += 1
            gaps[k].append((later[0] - previous).total_seconds())
            previous = later[0]
    medians = [statistics.median(g) if g else None for g in gaps]
    return counts, medians


def random_steps(rng: random.Random) -> list[FunnelStep]:
    steps = []
    for _ in range(rng.randint(2, 4)):
        name = rng.choice([*NAMES, "message.*", "*.sent", "*"])
        conditions: tuple[tuple[str, str], ...] = ()
        if rng.random() < 0.3:
            conditions = (rng.choice([("template", "welcome"), ("attempt", "2")]),)
        steps.append(FunnelStep(name, conditions))
    return steps


@pytest.mark.parametrize("seed", range(10))
async def test_funnel_matches_brute_force_on_generated_events(seed: int) -> None:
    # given
    rng = random.Random(seed)
    events = await generate(rng)
    steps = random_steps(rng)
    since = T0 - timedelta(days=1, seconds=rng.randint(0, 40000))
    until = T0 + timedelta(seconds=rng.randint(0, 40000))
    window = timedelta(seconds=rng.choice([600, 3600, 6 * 3600, 86400, 3 * 86400]))
    per = rng.choice(list(FunnelSubject))

    # when
    result = await funnel(steps, since=since, until=until, window=window, per=per)

    # then
    counts, medians = brute_force(events, steps, since, until, window, per.value)
    assert [r.count for r in result] == counts
    assert [r.median_seconds_from_previous for r in result] == medians
    assert [r.conversion_from_first for r in result] == [
        c / counts[0] if counts[0] else None for c in counts
    ]


async def test_a_step_exactly_at_the_window_counts_and_one_second_later_does_not() -> None:
    # given: two contacts, step 2 at exactly the window and one second past it
    window = timedelta(hours=1)
    for i, late in enumerate((timedelta(0), timedelta(seconds=1))):
        contact = await WhatsAppContact.create(wa_id=f"1555200000{i}")
        await WhatsAppAnalyticsEvent.bulk_create(
            [
                WhatsAppAnalyticsEvent(name="a", source="t", created_at=T0, contact_id=contact.id),
                WhatsAppAnalyticsEvent(
                    name="a",
                    source="t",
                    created_at=T0 + timedelta(minutes=5),
                    contact_id=contact.id,
                ),
                WhatsAppAnalyticsEvent(
                    name="b", source="t", created_at=T0 + window + late, contact_id=contact.id
                ),
                WhatsAppAnalyticsEvent(
                    name="b",
                    source="t",
                    created_at=T0 + window + late + timedelta(minutes=1),
                    contact_id=contact.id,
                ),
            ]
        )

    # when
    result = await funnel(
        [FunnelStep("a"), FunnelStep("b")], since=T0, until=T0 + timedelta(days=1), window=window
    )

    # then: the repeat of step 1 does not restart the funnel
    assert [r.count for r in result] == [2, 1]
    assert result[1].conversion_from_previous == 0.5
    assert result[1].median_seconds_from_previous == 3600.0


@pytest.mark.parametrize("seed", range(3))
async def test_a_ten_step_funnel_matches_brute_force(seed: int) -> None:
    # given: the most steps a funnel may have, some repeating a name or a pattern
    rng = random.Random(100 + seed)
    events = await generate(rng, count=600)
    steps = [FunnelStep(rng.choice([*NAMES, "message.*", "*"])) for _ in range(10)]
    since, until = T0 - timedelta(days=2), T0 + timedelta(days=1)
    window = timedelta(days=2)
    per = rng.choice(list(FunnelSubject))

    # when
    result = await funnel(steps, since=since, until=until, window=window, per=per)

    # then
    counts, medians = brute_force(events, steps, since, until, window, per.value)
    assert [r.count for r in result] == counts
    assert [r.median_seconds_from_previous for r in result] == medians


async def test_a_later_step_after_until_counts_up_to_the_window() -> None:
    # given: step 1 a second before `until`, step 2 exactly the window after it, step 3 a
    # second past the window
    window = timedelta(days=3)
    contact = await WhatsAppContact.create(wa_id="15552000009")
    until = T0 + timedelta(days=1)
    first = until - timedelta(seconds=1)
    await WhatsAppAnalyticsEvent.bulk_create(
        [
            WhatsAppAnalyticsEvent(name=name, source="t", created_at=at, contact_id=contact.id)
            for name, at in (
                ("a", first),
                ("b", first + window),
                ("c", first + window + timedelta(seconds=1)),
            )
        ]
    )

    # when
    result = await funnel(
        [FunnelStep("a"), FunnelStep("b"), FunnelStep("c")], since=T0, until=until, window=window
    )

    # then
    assert [r.count for r in result] == [1, 1, 0]
    assert result[1].median_seconds_from_previous == window.total_seconds()
    assert result[2].median_seconds_from_previous is None


@pytest.mark.parametrize(
    ("steps", "window", "field_"),
    [
        ([FunnelStep("a")], timedelta(hours=1), ("steps",)),
        ([FunnelStep("a")] * 11, timedelta(hours=1), ("steps",)),
        ([FunnelStep("a"), FunnelStep("b")], timedelta(0), ("windowSeconds",)),
        ([FunnelStep("a"), FunnelStep("b")], timedelta(days=91), ("windowSeconds",)),
        ([FunnelStep("a"), FunnelStep("")], timedelta(hours=1), ("steps", "1", "name")),
        (
            [FunnelStep("a"), FunnelStep("b", (("no-dash", "x"),))],
            timedelta(hours=1),
            ("steps", "1", "where", "key"),
        ),
    ],
)
async def test_bad_funnels_are_refused_naming_the_field(
    steps: list[FunnelStep], window: timedelta, field_: tuple[str, ...]
) -> None:
    with pytest.raises(WagraphError) as caught:
        await funnel(steps, since=T0, until=T0 + timedelta(days=1), window=window)
    assert caught.value.problems[0].field == field_


async def test_a_range_over_a_year_is_refused() -> None:
    with pytest.raises(WagraphError) as caught:
        await funnel(
            [FunnelStep("a"), FunnelStep("b")],
            since=T0,
            until=T0 + timedelta(days=367),
            window=timedelta(days=1),
        )
    assert caught.value.problems[0].field == ("until",)
