"""GraphQL face of the event series and funnels (`whatsapp.analytics.series`, `.funnel`).

The exact counting rules are in the descriptions: dashboards compare these figures with their
own, so what a bucket or a funnel step means is part of the contract.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from whatsapp.analytics.funnel import FunnelStep, FunnelSubject, StepResult
from whatsapp.analytics.predicates import EventSelection
from whatsapp.analytics.series import EventSeries as CoreSeries
from whatsapp.analytics.series import SeriesGroup
from whatsapp.analytics.timezones import BucketUnit

strawberry.enum(
    BucketUnit,
    name="SeriesBucket",
    description="A bucket of local wall-clock time in the series' time zone: the hour, the "
    "day, the week (from Monday) or the month.",
)
strawberry.enum(
    SeriesGroup,
    name="SeriesGroupBy",
    description="One dimension to split a series by: the event's name, its template property, "
    "its phoneNumberId property, or its source.",
)
strawberry.enum(
    FunnelSubject,
    name="FunnelSubject",
    description="Whose steps a funnel follows: a contact's or a session's events.",
)


@strawberry.input(description="Which events count; every given condition must hold.")
class EventSeriesFilter:
    name: str | None = strawberry.field(
        default=None, description="An exact name, or a pattern where * matches anything."
    )
    source: str | None = strawberry.field(default=None, description="Recorded by this source.")
    template: str | None = strawberry.field(
        default=None, description="The event's `template` property (template sends and statuses)."
    )
    automation_id: strawberry.ID | None = strawberry.field(
        default=None, description="Caused by a run of this automation."
    )
    phone_number_id: str | None = strawberry.field(
        default=None, description="The event's `phoneNumberId` property."
    )
    flow: str | None = strawberry.field(default=None, description="The event's `flow` property.")
    tag: str | None = strawberry.field(
        default=None, description="The event's contact carries this tag (now)."
    )

    def to_core(self) -> EventSelection:
        return EventSelection(
            name=self.name,
            source=self.source,
            template=self.template,
            automation_id=None if self.automation_id is None else str(self.automation_id),
            phone_number_id=self.phone_number_id,
            flow=self.flow,
            tag=self.tag,
        )


@strawberry.type(description="One bucket of a series.")
class SeriesPoint:
    start: datetime = strawberry.field(
        description="The bucket's first instant (its local start; it may precede `since`)."
    )
    end: datetime = strawberry.field(
        description="Its end, exclusive: a local day lasts 23 to 25 hours across a DST change."
    )
    count: int = strawberry.field(description="Matching events in the bucket and in the range.")


@strawberry.type(description="One line of a series: one group's counts, every bucket present.")
class SeriesLine:
    key: str | None = strawberry.field(
        description="The group's value; null without groupBy, or for events without one."
    )
    total: int = strawberry.field(description="The sum of the points.")
    points: list[SeriesPoint] = strawberry.field(
        description="One per bucket, in order; 0 when empty."
    )


@strawberry.type(description="Event counts over time.")
class EventSeries:
    bucket: BucketUnit = strawberry.field(description="The bucket size.")
    time_zone: str = strawberry.field(description="The IANA zone the buckets follow.")
    series: list[SeriesLine] = strawberry.field(
        description="Without groupBy, exactly one line (key null). With groupBy, the busiest "
        "50 groups by total, then by key (no-value last); empty when nothing matched."
    )
    group_count: int = strawberry.field(
        description="How many groups matched, including those past the first 50."
    )

    @classmethod
    def from_core(cls, result: CoreSeries) -> EventSeries:
        lines = [
            SeriesLine(
                key=line.key,
                total=line.total,
                points=[
                    SeriesPoint(start=b.start, end=b.end, count=n)
                    for b, n in zip(result.buckets, line.counts, strict=True)
                ],
            )
            for line in result.series
        ]
        return cls(
            bucket=result.unit,
            time_zone=result.time_zone,
            series=lines,
            group_count=result.group_count,
        )


@strawberry.input(description="A property that must equal a value.")
class PropertyCondition:
    key: str = strawberry.field(description="A top-level property (letters, digits and _).")
    value: str = strawberry.field(
        description="Compared as text: a string as is, a number or boolean by its JSON text "
        "(3, true)."
    )


@strawberry.input(description="One funnel step: an event name or pattern, and conditions.")
class FunnelStepInput:
    name: str = strawberry.field(
        description="An exact name, or a pattern where * matches anything."
    )
    where: list[PropertyCondition] = strawberry.field(
        default_factory=list, description="Properties the event must have (all of them)."
    )

    def to_core(self) -> FunnelStep:
        return FunnelStep(self.name, tuple((c.key, c.value) for c in self.where))


@strawberry.type(description="One step's figures.")
class FunnelStepResult:
    name: str = strawberry.field(description="The step's name or pattern, as asked.")
    where: JSON = strawberry.field(description="The step's property conditions, as asked.")
    count: int = strawberry.field(description="Subjects that reached this step.")
    conversion_from_first: float | None = strawberry.field(
        description="count / step 1's count; null when no one started."
    )
    conversion_from_previous: float | None = strawberry.field(
        description="count / the previous step's count; null for step 1 or over zero."
    )
    median_seconds_from_previous: float | None = strawberry.field(
        description="Median seconds from the previous step to this one, over the subjects "
        "that reached this one (the mean of the two middle values for an even count); null "
        "for step 1 or when no one reached it."
    )

    @classmethod
    def from_core(cls, row: StepResult) -> FunnelStepResult:
        return cls(
            name=row.step.name,
            where=JSON(dict(row.step.properties)),
            count=row.count,
            conversion_from_first=row.conversion_from_first,
            conversion_from_previous=row.conversion_from_previous,
            median_seconds_from_previous=row.median_seconds_from_previous,
        )


FUNNEL_RULES = (
    "An ordered funnel over the event log, per contact or per session. A subject's funnel "
    "starts at its first step-1 event in [since, until). Step k (k > 1) counts at the subject's "
    "earliest step-k event strictly later than its step k-1 and at most windowSeconds after its "
    "step 1 (it may fall after `until`); repeats of a step are ignored, a step-1 repeat does "
    "not restart the funnel, and events without the subject (no contact, no session) are "
    "ignored. A step matches an event by name (exact, or * as any run of characters, "
    "case-sensitive) and every property condition. Limits: 2 to 10 steps, a range of at most "
    "366 days, a window above 0 and at most 90 days (7,776,000 s); past them, INVALID_INPUT "
    "naming the argument. On SQLite the window is compared to the millisecond."
)
SERIES_RULES = (
    "Matching events in [since, until), counted per bucket of local wall-clock time in "
    "timeZone (an IANA name): an event belongs to the hour, day, week (from Monday) or month "
    "its local time falls in, so a day across a DST change lasts 23 or 25 hours, the hour "
    "repeated when clocks go back is one two-hour bucket, and the hour skipped when they go "
    "forward has none. Every bucket overlapping the range is listed, 0 when empty. Limits: "
    "HOUR over at most 31 days, DAY 366, WEEK 1,820, MONTH 3,661, and at most 1,000 buckets; "
    "past them, INVALID_INPUT naming the argument."
)
