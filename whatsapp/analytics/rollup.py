"""The hourly rollup of the event log: counts per UTC hour and per dimension eventSeries uses.

A chart of `message.*` by template over 30 days counted 600k event rows on every request (about
1.2 s on PostgreSQL); the same chart from the rollup reads a few thousand rows. Events are
appended with `created_at` = the time they were recorded, so a closed hour stops changing once
the transactions that were open in it have committed. The roller therefore:

- covers whole UTC hours up to `LAG` before now (the last hour is left to the event log);
- recounts the last `REROLL` of what it covered on every run (delete and insert in one
  transaction), so an event whose transaction committed late is still counted;
- records the covered span in `whatsapp_rollup_state`, in the same transaction as the counts.

Readers (`whatsapp.analytics.series`) take the covered hours from here and everything else from
the event log, so the answer is the same as counting events one by one. An event written with
a `created_at` inside an hour that was already covered and is past the recount (an import of
old events) is not in the rollup: `wagraph analytics rebuild-rollup` recounts from scratch.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models import WhatsAppAnalyticsEvent, WhatsAppRollupState
from whatsapp.analytics.predicates import EVENTS, ROLLUP_COLUMNS, prop
from whatsapp.kit.clock import as_utc, utcnow
from whatsapp.kit.sql import Params, dialect

log = logging.getLogger("wagraph.analytics")

EVENTS_ROLLUP = "events"
ROLLUP_TABLE = "whatsapp_event_rollup"
LAG = timedelta(minutes=5)
REROLL = timedelta(hours=1)
BATCH = timedelta(days=7)
"""At most this much history is counted per transaction (a backfill runs in several)."""


@dataclass(frozen=True, slots=True)
class Coverage:
    """The hours the rollup holds: [start, end); None when it holds nothing yet."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class RollupProgress:
    covered: Coverage | None
    hours_counted: int
    behind: timedelta
    """How far the covered span's end is behind what could be covered now (0 when caught up)."""


def floor_hour(at: datetime) -> datetime:
    return as_utc(at).replace(minute=0, second=0, microsecond=0)


def ceil_hour(at: datetime) -> datetime:
    floor = floor_hour(at)
    return floor if floor == at else floor + timedelta(hours=1)


async def coverage(using_db: BaseDBAsyncClient | None = None) -> Coverage | None:
    """What the rollup covers now (one primary-key read)."""
    state = await WhatsAppRollupState.filter(name=EVENTS_ROLLUP).using_db(using_db).first()
    if state is None or state.covered_from is None or state.covered_until is None:
        return None
    return Coverage(as_utc(state.covered_from), as_utc(state.covered_until))


async def roll_up(*, now: datetime | None = None, max_batches: int = 8) -> RollupProgress:
    """Count the closed hours not yet covered (and recount the last `REROLL`), a `BATCH` of
    history per transaction, at most `max_batches` of them per call (the job calls again)."""
    target = floor_hour((now or utcnow()) - LAG)
    counted = 0
    for _ in range(max_batches):
        hours, covered = await _roll_once(target)
        counted += hours
        if covered is None or covered.end >= target:
            break
    return RollupProgress(covered, counted, lag_behind(covered, now=now))


def lag_behind(covered: Coverage | None, *, now: datetime | None = None) -> timedelta:
    """How much closed history is not covered yet (0 when caught up, or nothing to cover)."""
    if covered is None:
        return timedelta(0)
    return max(timedelta(0), floor_hour((now or utcnow()) - LAG) - covered.end)


async def rebuild() -> None:
    """Forget every count; the next runs recount the whole event log (after an import of old
    events, or a change to what the rollup counts)."""
    async with in_transaction() as conn:
        await conn.execute_query(f"DELETE FROM {ROLLUP_TABLE}")
        await WhatsAppRollupState.filter(name=EVENTS_ROLLUP).using_db(conn).delete()
    log.info("event rollup cleared; it is recounted on the next runs")


async def _roll_once(target: datetime) -> tuple[int, Coverage | None]:
    """One transaction: count [start, end) and move the covered span's end to `end`."""
    async with in_transaction() as conn:
        await WhatsAppRollupState.get_or_create(name=EVENTS_ROLLUP, using_db=conn)
        state = (
            await WhatsAppRollupState.filter(name=EVENTS_ROLLUP)
            .select_for_update()
            .using_db(conn)
            .get()
        )
        if state.covered_from is None or state.covered_until is None:
            first = await _first_event_at(conn)
            if first is None or floor_hour(first) >= target:
                return 0, None
            covered = Coverage(floor_hour(first), floor_hour(first))
        else:
            covered = Coverage(as_utc(state.covered_from), as_utc(state.covered_until))
        start = max(covered.start, covered.end - REROLL)
        end = min(target, max(covered.end, start) + BATCH)
        if end <= start:
            return 0, covered
        await _count(conn, start, end)
        state.covered_from, state.covered_until = covered.start, max(covered.end, end)
        state.rolled_at = utcnow()
        await state.save(using_db=conn)
        hours = int((end - start) / timedelta(hours=1))
        return hours, Coverage(covered.start, max(covered.end, end))


async def _first_event_at(conn: BaseDBAsyncClient) -> datetime | None:
    first = (
        await WhatsAppAnalyticsEvent.all()
        .using_db(conn)
        .order_by("created_at")
        .first()
        .values_list("created_at", flat=True)
    )
    return as_utc(first) if isinstance(first, datetime) else None


async def _count(conn: BaseDBAsyncClient, start: datetime, end: datetime) -> None:
    """Replace the counts of the hours in [start, end) with counts from the event log."""
    p = Params(dialect(conn))
    delete = f"DELETE FROM {ROLLUP_TABLE} WHERE hour >= {p(start)} AND hour < {p(end)}"
    await conn.execute_query(delete, p.values)
    p = Params(dialect(conn))
    if p.postgres:
        hour = "date_trunc('hour', e.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
    else:
        # Tortoise stores SQLite datetimes as 'YYYY-MM-DD HH:MM:SS[.ffffff]+00:00' (UTC).
        hour = "substr(e.created_at, 1, 13) || ':00:00+00:00'"
    columns = ", ".join(ROLLUP_COLUMNS.values())
    values = ", ".join(prop(p, key) for key in ROLLUP_COLUMNS)
    sql = (
        f"INSERT INTO {ROLLUP_TABLE} (hour, name, source, {columns}, automation_id, count) "
        f"SELECT {hour}, e.name, e.source, {values}, r.automation_id, COUNT(*) FROM {EVENTS} e "
        "LEFT JOIN whatsapp_automation_run r ON r.id = e.caused_by_automation_run_id "
        f"WHERE e.created_at >= {p(start)} AND e.created_at < {p(end)} "
        f"GROUP BY {', '.join(str(i) for i in range(1, len(ROLLUP_COLUMNS) + 5))}"
    )
    await conn.execute_query(sql, p.values)


def aligned_to_hours(instants: list[datetime]) -> bool:
    """Whether every instant is a whole UTC hour (then hourly counts add up to its buckets)."""
    return all(at.astimezone(UTC) == floor_hour(at) for at in instants)
