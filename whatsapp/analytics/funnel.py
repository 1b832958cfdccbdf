"""Funnels: how many subjects (contacts or sessions) went through ordered steps, in SQL.

The rules (also in the GraphQL field's description, and implemented independently by the
brute-force test):
- a subject's funnel starts at its first step-1 event in [since, until);
- step k (k > 1) is the subject's earliest step-k event strictly after its step k-1 and at
  most `window` after its step 1 (it may fall after `until`); later repeats are ignored;
- events without the subject (no contact, or no session) are ignored.

One statement: a CTE per step holds at most one row per subject (step 1's time, the previous
step's time, this step's time). Medians of the time between consecutive steps are taken from
those rows in SQL: `percentile_cont(0.5)` on PostgreSQL, the middle row(s) by ORDER BY/OFFSET
on SQLite (the same value: the mean of the two middle ones for an even count). On SQLite the
window is compared to the millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from whatsapp.analytics import bounds
from whatsapp.analytics.predicates import EVENTS, name_matches, prop
from whatsapp.kit.errors import invalid
from whatsapp.kit.sql import Params, connection, dialect


class FunnelSubject(StrEnum):
    CONTACT = "CONTACT"
    SESSION = "SESSION"


@dataclass(frozen=True, slots=True)
class FunnelStep:
    """An event name (or `*` pattern), and properties that must equal the given text."""

    name: str
    properties: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class StepResult:
    step: FunnelStep
    count: int
    conversion_from_first: float | None
    conversion_from_previous: float | None
    median_seconds_from_previous: float | None


async def funnel(
    steps: list[FunnelStep],
    *,
    since: datetime,
    until: datetime,
    window: timedelta,
    per: FunnelSubject = FunnelSubject.CONTACT,
) -> list[StepResult]:
    """Counts, conversions and median step times of an ordered funnel (rules in the module)."""
    bounds.funnel_steps(len(steps))
    since, until = bounds.time_range(since, until, bounds.MAX_FUNNEL_RANGE)
    bounds.funnel_window(window)
    p = Params(dialect())
    subject = "e.contact_id" if per == FunnelSubject.CONTACT else "e.session_id"
    parts = [_first_step(p, subject, steps[0], since, until)]
    parts += [_next_step(p, subject, k, step, window) for k, step in enumerate(steps[1:], 2)]
    figures = " UNION ALL ".join(_figures(p, k) for k in range(1, len(steps) + 1))
    sql = f"WITH {', '.join(parts)} {figures}"
    rows = await connection().execute_query_dict(sql, p.values)
    by_step = {int(r["step"]): r for r in rows}
    counts = [int(by_step[k]["n"]) for k in range(1, len(steps) + 1)]
    out: list[StepResult] = []
    for k, step in enumerate(steps):
        median = by_step[k + 1]["median"]
        out.append(
            StepResult(
                step,
                counts[k],
                _ratio(counts[k], counts[0]),
                _ratio(counts[k], counts[k - 1]) if k else None,
                None if median is None else round(float(median), 3),
            )
        )
    return out


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _step_condition(p: Params, index: int, step: FunnelStep) -> str:
    if len(step.properties) > bounds.MAX_CONDITIONS:
        raise invalid(
            f"at most {bounds.MAX_CONDITIONS} property conditions", "steps", str(index), "where"
        )
    conditions = [name_matches(p, step.name, "steps", str(index), "name")]
    for key, value in step.properties:
        where = prop(p, key, "steps", str(index), "where", "key")
        conditions.append(f"{where} = {p(value)}")
    return " AND ".join(conditions)


def _first_step(p: Params, subject: str, step: FunnelStep, since: datetime, until: datetime) -> str:
    condition = _step_condition(p, 0, step)
    return (
        f"s1 AS (SELECT {subject} AS subj, MIN(e.created_at) AS t1, "
        f"MIN(e.created_at) AS prev, MIN(e.created_at) AS t FROM {EVENTS} e "
        f"WHERE {condition} AND {subject} IS NOT NULL "
        f"AND e.created_at >= {p(since)} AND e.created_at < {p(until)} GROUP BY {subject})"
    )


def _next_step(p: Params, subject: str, k: int, step: FunnelStep, window: timedelta) -> str:
    if p.postgres:
        within = f"e.created_at <= s.t1 + {p(window)}::interval"
    else:
        milliseconds = round(window.total_seconds() * 1000)
        within = (
            f"round((julianday(e.created_at) - julianday(s.t1)) * 86400000.0) <= {p(milliseconds)}"
        )
    on = f"{subject} = s.subj AND e.created_at > s.t"
    condition = _step_condition(p, k - 1, step)
    return (
        f"s{k} AS (SELECT s.subj, s.t1, s.t AS prev, MIN(e.created_at) AS t "
        f"FROM s{k - 1} s JOIN {EVENTS} e ON {on} "
        f"WHERE {within} AND {condition} GROUP BY s.subj, s.t1, s.t)"
    )


def _figures(p: Params, k: int) -> str:
    """Step k's count and the median seconds from step k-1 (NULL for step 1, or no one)."""
    if k == 1:
        median = "NULL"
    elif p.postgres:
        median = (
            "(SELECT percentile_cont(0.5) WITHIN GROUP "
            f"(ORDER BY EXTRACT(EPOCH FROM (t - prev))::float8) FROM s{k})"
        )
    else:
        seconds = "round((julianday(t) - julianday(prev)) * 86400.0, 3)"
        count = f"(SELECT COUNT(*) FROM s{k})"
        median = (
            f"(SELECT AVG(d) FROM (SELECT {seconds} AS d FROM s{k} ORDER BY d "
            f"LIMIT 2 - {count} % 2 OFFSET ({count} - 1) / 2))"
        )
    return f"SELECT {k} AS step, (SELECT COUNT(*) FROM s{k}) AS n, {median} AS median"
