"""Analytics: event series and funnels, aggregated in SQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import strawberry

from schema.analytics import (
    FUNNEL_RULES,
    SERIES_RULES,
    EventSeries,
    EventSeriesFilter,
    FunnelStepInput,
    FunnelStepResult,
)
from schema.fields import query
from whatsapp.analytics import funnel as core_funnel
from whatsapp.analytics import series as core_series
from whatsapp.analytics.funnel import FunnelSubject
from whatsapp.analytics.series import SeriesGroup
from whatsapp.analytics.timezones import BucketUnit


async def event_series(
    since: datetime,
    until: datetime,
    bucket: BucketUnit,
    time_zone: str = "UTC",
    filter: EventSeriesFilter | None = None,
    group_by: SeriesGroup | None = None,
) -> EventSeries:
    result = await core_series.event_series(
        since=since,
        until=until,
        unit=bucket,
        time_zone=time_zone,
        where=(filter or EventSeriesFilter()).to_core(),
        group_by=group_by,
    )
    return EventSeries.from_core(result)


async def funnel(
    steps: list[FunnelStepInput],
    since: datetime,
    until: datetime,
    window_seconds: int = 7 * 86400,
    per: FunnelSubject = FunnelSubject.CONTACT,
) -> list[FunnelStepResult]:
    rows = await core_funnel.funnel(
        [step.to_core() for step in steps],
        since=since,
        until=until,
        window=timedelta(seconds=window_seconds),
        per=per,
    )
    return [FunnelStepResult.from_core(row) for row in rows]


@strawberry.type
class AnalyticsQuery:
    event_series: EventSeries = query(event_series, description=SERIES_RULES)
    funnel: list[FunnelStepResult] = query(funnel, description=FUNNEL_RULES)
