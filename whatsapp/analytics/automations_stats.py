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
from whatsapp.analytics.messages_stats import check_range, median_sql
from whatsapp.kit.sql import Params, connection, dialect


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
    p = Params(dialect(conn))

    def within(alias: str) -> str:
        return f"{alias}created_at >= {p(start)} AND {alias}created_at < {p(end)}"

    counts = ", ".join(
        f"COUNT(*) FILTER (WHERE r.status = '{s.value}') AS n_{s.value.lower()}"
        for s in AutomationRunStatus
    )
    # Placeholders are bound in the order they appear: the median subquery's range first.
    medians = median_sql(
        f"SELECT automation_id, duration_ms AS v FROM whatsapp_automation_run "
        f"WHERE {within('')} AND duration_ms IS NOT NULL",
        ("automation_id",),
    )
    sql = (
        f"SELECT r.automation_id AS id, a.name, COUNT(*) AS runs, {counts}, "
        f"MAX(med.median) AS median FROM whatsapp_automation_run r "
        f"JOIN whatsapp_automation a ON a.id = r.automation_id "
        f"LEFT JOIN ({medians}) AS med ON med.automation_id = r.automation_id "
        f"WHERE {within('r.')} GROUP BY r.automation_id, a.name ORDER BY a.name, r.automation_id"
    )
    rows = await conn.execute_query_dict(sql, p.values)
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
