"""How automations behave: per automation, its runs by status, error rate and median duration,
aggregated in SQL on SQLite and PostgreSQL alike.

Which runs: `whatsapp_automation_run` rows whose `created_at` lies in [since, until).
- error rate = FAILED / (SUCCEEDED + FAILED): the share of finished attempts that failed
  (SKIPPED runs did not attempt anything; PENDING and RUNNING have no outcome yet); null
  when no run finished;
- median duration: the median `duration_ms` over runs that recorded one (finished runs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.enums import AutomationRunStatus
from whatsapp.analytics import statements
from whatsapp.analytics.messages_stats import check_range, median_sql
from whatsapp.kit.sql import Params, connection, dialect

_STATUS_COLUMNS = ", ".join(f"n_{s.value.lower()}" for s in AutomationRunStatus)


@dataclass(frozen=True, slots=True)
class AutomationStats:
    automation_id: str
    name: str
    runs: int
    by_status: dict[AutomationRunStatus, int]
    median_duration_ms: float | None

    @property
    def error_rate(self) -> float | None:
        failed = self.by_status[AutomationRunStatus.FAILED]
        finished = failed + self.by_status[AutomationRunStatus.SUCCEEDED]
        return failed / finished if finished else None


async def automation_stats(*, since: datetime, until: datetime) -> list[AutomationStats]:
    """One entry per automation with runs created in [since, until), by name then id."""
    start, end = check_range(since, until)
    conn = connection()
    d = dialect(conn)
    p = Params(d)
    sql = _postgres_sql(p, start, end) if d == "postgres" else _portable_sql(p, start, end)
    rows = await statements.fetch(sql, p.values)
    return [
        AutomationStats(
            automation_id=str(r["id"]),
            name=r["name"],
            runs=int(r["runs"]),
            by_status={s: int(r[f"n_{s.value.lower()}"]) for s in AutomationRunStatus},
            median_duration_ms=None if r["median"] is None else float(r["median"]),
        )
        for r in rows
    ]


def _counts() -> str:
    return ", ".join(
        f"COUNT(*) FILTER (WHERE r.status = '{s.value}') AS n_{s.value.lower()}"
        for s in AutomationRunStatus
    )


def _postgres_sql(p: Params, start: datetime, end: datetime) -> str:
    """Counts and median in one pass: `percentile_cont(0.5)` per automation (it skips the runs
    without a duration; the same value as the middle-rows median), read in the order of the
    (automation_id, created_at) index, so nothing is sorted but each automation's durations."""
    return (
        f"SELECT r.automation_id AS id, a.name, runs, {_STATUS_COLUMNS}, median FROM "
        f"(SELECT r.automation_id, COUNT(*) AS runs, {_counts()}, "
        f"percentile_cont(0.5) WITHIN GROUP (ORDER BY r.duration_ms) AS median "
        f"FROM whatsapp_automation_run r WHERE r.created_at >= {p(start)} "
        f"AND r.created_at < {p(end)} GROUP BY r.automation_id) AS r "
        f"JOIN whatsapp_automation a ON a.id = r.automation_id ORDER BY a.name, r.automation_id"
    )


def _portable_sql(p: Params, start: datetime, end: datetime) -> str:
    """SQLite: the counts, and the median from the window-function middle rows joined in."""

    def within(alias: str) -> str:
        return f"{alias}created_at >= {p(start)} AND {alias}created_at < {p(end)}"

    # Placeholders are bound in the order they appear: the median subquery's range first.
    medians = median_sql(
        f"SELECT automation_id, duration_ms AS v FROM whatsapp_automation_run "
        f"WHERE {within('')} AND duration_ms IS NOT NULL",
        ("automation_id",),
    )
    return (
        f"SELECT r.automation_id AS id, a.name, COUNT(*) AS runs, {_counts()}, "
        f"MAX(med.median) AS median FROM whatsapp_automation_run r "
        f"JOIN whatsapp_automation a ON a.id = r.automation_id "
        f"LEFT JOIN ({medians}) AS med ON med.automation_id = r.automation_id "
        f"WHERE {within('r.')} GROUP BY r.automation_id, a.name ORDER BY a.name, r.automation_id"
    )
