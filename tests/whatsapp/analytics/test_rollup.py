"""The hourly event rollup: it counts what the event log holds, catches late commits, backfills
in steps, and eventSeries reads it only where hourly counts can answer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from models import WhatsAppAnalyticsEvent, WhatsAppEventRollup
from tests.app.test_migrations import run_cli
from whatsapp.analytics import rollup
from whatsapp.analytics.predicates import EventSelection
from whatsapp.analytics.series import event_series
from whatsapp.analytics.timezones import BucketUnit

H = datetime(2026, 6, 1, 10, tzinfo=UTC)


async def record(at: datetime, name: str = "message.sent", **properties: str) -> None:
    await WhatsAppAnalyticsEvent.create(
        id=uuid.uuid4(), name=name, source="api", properties=properties, created_at=at
    )


async def rolled_total() -> int:
    return sum(await WhatsAppEventRollup.all().values_list("count", flat=True))  # type: ignore[arg-type]


async def test_closed_hours_are_counted_and_the_open_one_is_left_to_the_event_log() -> None:
    # given: events in three hours; "now" is 6 minutes into the third
    for minutes in (0, 59, 60, 61, 125):
        await record(H + timedelta(minutes=minutes))

    # when
    done = await rollup.roll_up(now=H + timedelta(hours=2, minutes=6))

    # then: the two closed hours (10:00, 11:00) are covered; 12:00 is not
    assert done.covered == rollup.Coverage(H, H + timedelta(hours=2))
    assert done.behind == timedelta(0)
    rows = await WhatsAppEventRollup.all().order_by("hour").values_list("hour", "count")
    assert [(hour.astimezone(UTC), n) for hour, n in rows] == [
        (H, 2),
        (H + timedelta(hours=1), 2),
    ]


async def test_a_run_recounts_the_last_hour_so_a_late_commit_is_counted_once() -> None:
    # given: a covered span up to 12:00
    await record(H + timedelta(minutes=10))
    now = H + timedelta(hours=2, minutes=6)
    await rollup.roll_up(now=now)

    # when: an event stamped 11:40 commits after that run, then the next run, then another
    await record(H + timedelta(hours=1, minutes=40))
    await rollup.roll_up(now=now)
    await rollup.roll_up(now=now)

    # then: counted, and only once
    assert await rolled_total() == 2


async def test_history_is_backfilled_a_batch_per_transaction_until_caught_up() -> None:
    # given: one event a day over 30 days
    for day in range(30):
        await record(H + timedelta(days=day, minutes=7))
    now = H + timedelta(days=30)

    # when: one batch at a time
    first = await rollup.roll_up(now=now, max_batches=1)
    steps = 1
    while (await rollup.roll_up(now=now, max_batches=1)).behind > timedelta(0):
        steps += 1

    # then: the first step left history behind, and at the end every event is counted
    assert first.behind > timedelta(days=20)
    assert steps >= 4
    assert await rolled_total() == 30
    assert (await rollup.coverage()) == rollup.Coverage(H, now - timedelta(hours=1))


async def test_series_read_covered_hours_from_the_rollup_and_the_rest_from_the_log() -> None:
    # given: events in covered hours and in the open hour; then the covered hours' raw rows
    # are removed, which only a read of the rollup can still count
    for minutes in (5, 65, 70, 130):
        await record(H + timedelta(minutes=minutes), template="welcome")
    await rollup.roll_up(now=H + timedelta(hours=2, minutes=6))
    await WhatsAppAnalyticsEvent.filter(created_at__lt=H + timedelta(hours=2)).delete()

    # when
    hourly = await event_series(
        since=H, until=H + timedelta(hours=3), unit=BucketUnit.HOUR, time_zone="Europe/Lisbon"
    )
    by_template = await event_series(
        since=H,
        until=H + timedelta(hours=3),
        unit=BucketUnit.HOUR,
        where=EventSelection(name="message.*", template="welcome"),
    )
    half_hour_zone = await event_series(
        since=H, until=H + timedelta(hours=3), unit=BucketUnit.HOUR, time_zone="Asia/Kolkata"
    )

    # then: rollup + log for whole-hour zones; a zone 30 minutes off UTC reads the log only
    assert [s.counts for s in hourly.series] == [[1, 2, 1]]
    assert [s.counts for s in by_template.series] == [[1, 2, 1]]
    assert sum(half_hour_zone.series[0].counts) == 1


async def test_rebuild_forgets_the_counts_and_series_stay_right() -> None:
    # given
    await record(H + timedelta(minutes=5))
    await rollup.roll_up(now=H + timedelta(hours=3))
    # an import of an old event into an hour already covered: the rollup cannot know
    await record(H + timedelta(minutes=6))

    # when
    await rollup.rebuild()
    cleared = await rollup.coverage()
    series = await event_series(since=H, until=H + timedelta(hours=1), unit=BucketUnit.HOUR)
    await rollup.roll_up(now=H + timedelta(hours=3))

    # then
    assert cleared is None
    assert series.series[0].counts == [2]
    assert await rolled_total() == 2


async def test_nothing_to_count_leaves_the_rollup_empty() -> None:
    done = await rollup.roll_up(now=H)

    assert done.covered is None and done.hours_counted == 0
    assert await rollup.coverage() is None


async def test_the_cli_counts_and_reports_coverage(db: str) -> None:
    await record(datetime.now(UTC) - timedelta(hours=5))

    counted = run_cli("analytics", "rollup", database_url=db)
    status = run_cli("analytics", "status", database_url=db)

    assert counted.returncode == 0, counted.stderr
    assert "the rollup covers" in counted.stderr
    assert status.returncode == 0 and "0 closed hours behind" in status.stderr
    assert await rolled_total() == 1
