"""What is waiting, read at once for an operator: due scheduled messages and pending webhook
deliveries, each as a count and the age of the oldest (`/metrics` reads it at scrape time).

One aggregate statement each, on the (status, …) indexes: cheap even with a large backlog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from whatsapp.kit.clock import utcnow
from whatsapp.kit.sql import Params, as_datetime, connection, dialect


@dataclass(frozen=True, slots=True)
class Waiting:
    count: int
    oldest_age_s: float  # 0 when nothing waits


@dataclass(frozen=True, slots=True)
class Backlog:
    scheduled_due: Waiting  # SCHEDULED and due: late by `oldest_age_s` at worst
    inbox_pending: Waiting  # acknowledged to Meta, not yet processed (or waiting for a retry)


async def read_backlog(now: datetime | None = None) -> Backlog:
    now = now or utcnow()
    conn = connection()
    p = Params(dialect(conn))
    due = await conn.execute_query_dict(
        "SELECT COUNT(*) AS n, MIN(next_attempt_at) AS oldest FROM whatsapp_message "
        f"WHERE status = 'SCHEDULED' AND next_attempt_at <= {p(now)}",
        p.values,
    )
    pending = await conn.execute_query_dict(
        "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM webhook_delivery "
        "WHERE status = 'PENDING'"
    )
    return Backlog(_waiting(due, now), _waiting(pending, now))


def _waiting(rows: list[dict[str, object]], now: datetime) -> Waiting:
    row = rows[0] if rows else {}
    oldest = as_datetime(row.get("oldest"))
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return Waiting(int(str(row.get("n") or 0)), age)
