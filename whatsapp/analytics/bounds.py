"""Limits on analytics reads, so that one request cannot ask for an unbounded aggregate.

Each check raises INVALID_INPUT naming the argument at fault.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from whatsapp.analytics.timezones import BucketUnit
from whatsapp.kit.clock import as_utc
from whatsapp.kit.errors import invalid

MAX_BUCKETS = 1000
MAX_RANGE = {
    BucketUnit.HOUR: timedelta(days=31),
    BucketUnit.DAY: timedelta(days=366),
    BucketUnit.WEEK: timedelta(days=7 * 260),
    BucketUnit.MONTH: timedelta(days=3661),
}
MAX_GROUPS = 50
MIN_STEPS, MAX_STEPS = 2, 10
MAX_CONDITIONS = 10
MAX_WINDOW = timedelta(days=90)
MAX_FUNNEL_RANGE = timedelta(days=366)


def time_range(since: datetime, until: datetime, longest: timedelta) -> tuple[datetime, datetime]:
    """[since, until) in UTC, non-empty and at most `longest` long."""
    since, until = as_utc(since), as_utc(until)
    if until <= since:
        raise invalid("until must be later than since", "until")
    if until - since > longest:
        raise invalid(
            f"the range from since to until may span at most {longest.days} days", "until"
        )
    return since, until


def series_range(since: datetime, until: datetime, unit: BucketUnit) -> tuple[datetime, datetime]:
    return time_range(since, until, MAX_RANGE[unit])


def funnel_steps(count: int) -> None:
    if not MIN_STEPS <= count <= MAX_STEPS:
        raise invalid(f"a funnel has {MIN_STEPS} to {MAX_STEPS} steps", "steps")


def funnel_window(window: timedelta) -> None:
    if not timedelta(0) < window <= MAX_WINDOW:
        raise invalid(
            f"the window must be positive and at most {MAX_WINDOW.days} days", "windowSeconds"
        )
