"""Funnels: how many subjects (contacts or sessions) went through ordered steps, in SQL.

The rules (also in the GraphQL field's description, and implemented independently by the
brute-force test):
- a subject's funnel starts at its first step-1 event in [since, until);
- step k (k > 1) is the subject's earliest step-k event strictly after its step k-1 and at
  most `window` after its step 1 (it may fall after `until`); later repeats are ignored;
- events without the subject (no contact, or no session) are ignored.

One statement, a CTE per step holding at most one row per subject.

On PostgreSQL the CTEs form one chain, each read once, so no CTE is materialized: s1 holds
every starting subject with t1 and the deadline t1 + window; sk LEFT JOINs step k's events to
s(k-1), carrying the earlier times, so the last CTE has one row per starting subject and one
SELECT gives COUNT(tk) and `percentile_cont(0.5)` of tk - t(k-1) for every step. Step k's events
are read once, by name and by the only range they can fall in, (since, until + window): a range
of the (name, created_at) index, index-only with idx_event_name_created_subjects (which includes
the subject columns). They sit in an OFFSET 0 subquery so that the join is a hash join over them:
without it, the planner's low estimates for grouped CTEs (200 rows; and far lower in the generic
plan that a prepared statement gets from its sixth run) made it probe the contact index once per
subject, which on 50k contacts doubled the time.

On SQLite each step's CTE holds only the subjects that reached it (step 1's time, the previous
step's time, this step's time); its median is the middle row(s) by ORDER BY/OFFSET (the same
value: the mean of the two middle ones for an even count), and the window is compared to the
millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from whatsapp.analytics import bounds, statements
from whatsapp.analytics.predicates import EVENTS, name_matches, prop
from whatsapp.kit.errors import invalid
from whatsapp.kit.sql import Params, dialect


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
    if p.postgres:
        counts, medians = await _postgres(p, subject, steps, since, until, window)
    else:
        counts, medians = await _sqlite(p, subject, steps, since, until, window)
    out: list[StepResult] = []
    for k, step in enumerate(steps):
        median = medians[k]
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


Figures = tuple[list[int], list[Any]]


async def _postgres(
    p: Params,
    subject: str,
    steps: list[FunnelStep],
    since: datetime,
    until: datetime,
    window: timedelta,
) -> Figures:
    """Counts and medians (raw, NULL for step 1) from the one-row PostgreSQL statement."""
    sql = _postgres_statement(p, subject, steps, since, until, window)
    row = (await statements.fetch(sql, p.values))[0]
    n = len(steps)
    return [int(row[f"n{k}"]) for k in range(1, n + 1)], [None] + [
        row[f"m{k}"] for k in range(2, n + 1)
    ]


def _postgres_statement(
    p: Params,
    subject: str,
    steps: list[FunnelStep],
    since: datetime,
    until: datetime,
    window: timedelta,
) -> str:
    """The chain s1 … sn (one row per starting subject, t1 … tn) and one row of figures."""
    later = _later_events(p, since, until, window)
    ctes = [_first_step(p, subject, steps[0], since, until, end=later.window)]
    for k, step in enumerate(steps[1:], 2):
        ctes.append(_postgres_next_step(p, subject, k, step, later))
    n = len(steps)
    counts = [f"COUNT(t{k}) AS n{k}" for k in range(1, n + 1)]
    medians = [
        "percentile_cont(0.5) WITHIN GROUP "
        f"(ORDER BY EXTRACT(EPOCH FROM (t{k} - t{k - 1}))::float8) AS m{k}"
        for k in range(2, n + 1)
    ]
    return f"WITH {', '.join(ctes)} SELECT {', '.join(counts + medians)} FROM s{n}"


@dataclass(frozen=True, slots=True)
class _Later:
    """Placeholders shared by every later step: the range its events can fall in, and the
    window as an interval of seconds (no days part, which PostgreSQL would add in the session's
    time zone, 23 or 25 hours across a DST change)."""

    since: str
    end: str
    window: str


def _later_events(p: Params, since: datetime, until: datetime, window: timedelta) -> _Later:
    """A later step's event is after step 1 (so after `since`) and at most `window` after it
    (so before `until + window`): bound once, a range for the (name, created_at) index."""
    seconds = f"make_interval(secs => {p(window.total_seconds())})"
    return _Later(p(since), p(until + window), seconds)


def _postgres_next_step(p: Params, subject: str, k: int, step: FunnelStep, later: _Later) -> str:
    """sk: every subject of s(k-1) with its earliest step-k event after t(k-1), by the deadline
    (NULL when none, or when it stopped earlier)."""
    carried = ", ".join(
        ["MIN(s.deadline) AS deadline"] + [f"MIN(s.t{j}) AS t{j}" for j in range(1, k)]
    )
    condition = _step_condition(p, k - 1, step)
    events = (
        f"SELECT {subject} AS subj, e.created_at AS t FROM {EVENTS} e "
        f"WHERE {condition} AND {subject} IS NOT NULL "
        f"AND e.created_at > {later.since} AND e.created_at < {later.end} OFFSET 0"
    )
    return (
        f"s{k} AS (SELECT s.subj, {carried}, MIN(e.t) AS t{k} FROM s{k - 1} s "
        f"LEFT JOIN ({events}) e ON e.subj = s.subj AND e.t > s.t{k - 1} "
        "AND e.t <= s.deadline GROUP BY s.subj)"
    )


async def _sqlite(
    p: Params,
    subject: str,
    steps: list[FunnelStep],
    since: datetime,
    until: datetime,
    window: timedelta,
) -> Figures:
    parts = [_first_step(p, subject, steps[0], since, until)]
    parts += [_next_step(p, subject, k, step, window) for k, step in enumerate(steps[1:], 2)]
    figures = " UNION ALL ".join(_figures(p, k) for k in range(1, len(steps) + 1))
    sql = f"WITH {', '.join(parts)} {figures}"
    rows = await statements.fetch(sql, p.values)
    by_step = {int(r["step"]): r for r in rows}
    n = len(steps)
    return [int(by_step[k]["n"]) for k in range(1, n + 1)], [
        by_step[k]["median"] for k in range(1, n + 1)
    ]


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


def _first_step(
    p: Params, subject: str, step: FunnelStep, since: datetime, until: datetime, *, end: str = ""
) -> str:
    """s1: each subject's first step-1 event in [since, until); on SQLite also as `prev` and
    `t` (the shape of its later steps), on PostgreSQL with `end`, the latest a later step may
    be (computed once a subject rather than once a joined event)."""
    condition = _step_condition(p, 0, step)
    if end:
        times = f", MIN(e.created_at) + {end} AS deadline"
    else:
        times = ", MIN(e.created_at) AS prev, MIN(e.created_at) AS t"
    return (
        f"s1 AS (SELECT {subject} AS subj, MIN(e.created_at) AS t1{times} FROM {EVENTS} e "
        f"WHERE {condition} AND {subject} IS NOT NULL "
        f"AND e.created_at >= {p(since)} AND e.created_at < {p(until)} GROUP BY {subject})"
    )


def _next_step(p: Params, subject: str, k: int, step: FunnelStep, window: timedelta) -> str:
    """SQLite's step k: the subjects of step k-1 that reached it, and when."""
    milliseconds = round(window.total_seconds() * 1000)
    within = f"round((julianday(e.created_at) - julianday(s.t1)) * 86400000.0) <= {p(milliseconds)}"
    on = f"{subject} = s.subj AND e.created_at > s.t"
    condition = _step_condition(p, k - 1, step)
    return (
        f"s{k} AS (SELECT s.subj, s.t1, s.t AS prev, MIN(e.created_at) AS t "
        f"FROM s{k - 1} s JOIN {EVENTS} e ON {on} "
        f"WHERE {within} AND {condition} GROUP BY s.subj, s.t1, s.t)"
    )


def _figures(p: Params, k: int) -> str:
    """SQLite: step k's count and the median seconds from step k-1 (NULL for step 1, or no
    one)."""
    if k == 1:
        median = "NULL"
    else:
        seconds = "round((julianday(t) - julianday(prev)) * 86400.0, 3)"
        count = f"(SELECT COUNT(*) FROM s{k})"
        median = (
            f"(SELECT AVG(d) FROM (SELECT {seconds} AS d FROM s{k} ORDER BY d "
            f"LIMIT 2 - {count} % 2 OFFSET ({count} - 1) / 2))"
        )
    return f"SELECT {k} AS step, (SELECT COUNT(*) FROM s{k}) AS n, {median} AS median"
