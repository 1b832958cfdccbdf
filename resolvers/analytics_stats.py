"""Analytics statistics: delivery, Flow and automation figures, each one SQL-aggregated read."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.analytics_stats import AutomationStats, FlowStats, MessageStats
from schema.fields import query
from whatsapp.analytics import automations_stats, flows_stats, messages_stats
from whatsapp.analytics.messages_stats import MessageGroupBy


async def message_stats(
    since: datetime,
    until: datetime,
    group_by: MessageGroupBy | None = None,
    time_zone: str = "UTC",
) -> MessageStats:
    stats = await messages_stats.message_stats(
        since=since, until=until, group_by=group_by, time_zone=time_zone
    )
    return MessageStats.of(stats)


async def flow_stats(
    since: datetime, until: datetime, flow: str | None = None, top: int = flows_stats.DEFAULT_TOP
) -> list[FlowStats]:
    stats = await flows_stats.flow_stats(since=since, until=until, flow=flow, top=top)
    return [FlowStats.of(f) for f in stats]


async def automation_stats(since: datetime, until: datetime) -> list[AutomationStats]:
    stats = await automations_stats.automation_stats(since=since, until=until)
    return [AutomationStats.of(a) for a in stats]


_RANGE = " [since, until) may span at most 366 days (INVALID_INPUT past that)."


@strawberry.type
class AnalyticsStatsQuery:
    message_stats: MessageStats = query(
        message_stats,
        description="Delivery figures for outbound messages created in [since, until), split "
        "by `groupBy` (DAY in the IANA `timeZone`); failure codes, medians, cost view." + _RANGE,
    )
    flow_stats: list[FlowStats] = query(
        flow_stats,
        description="Per Flow (or only `flow`), journeys started in [since, until): started, "
        "completed, abandoned, and the `top` (1-50) answers per screen field." + _RANGE,
    )
    automation_stats: list[AutomationStats] = query(
        automation_stats,
        description="Per automation, runs created in [since, until): by status, error rate, "
        "median duration." + _RANGE,
    )
