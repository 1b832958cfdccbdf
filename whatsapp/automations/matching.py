"""Which automations an event triggers: the hook that turns recorded events into runs.

`on_events_recorded` is subscribed to the event log when a process is composed
(`app.runtime`), and runs in the event's own transaction, so an event and its runs commit
together or not at all. It reads the enabled automations (a small table, cached per process
for about a second: `enabled.py`) and matches triggers in Python: an exact name, or an fnmatch
pattern (`flow.*`). An event caused by an automation run triggers nothing (loop safety): the
log hands every event to every subscriber (the live publisher needs them all), so the guard
is here, where the reaction is.

The per-contact cooldown is checked after locking the automation's row (`SELECT … FOR UPDATE`;
SQLite serialises writers anyway), so a burst of concurrent events for one contact yields one
run; the others are recorded as SKIPPED with the reason. Runs that fired (anything but SKIPPED)
count towards the cooldown, failed ones included, so a failing webhook is not hammered. Events
without a contact have no cooldown.
"""

from __future__ import annotations

import fnmatch
import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models import (
    AutomationRunStatus,
    WhatsAppAnalyticsEvent,
    WhatsAppAutomation,
    WhatsAppAutomationRun,
)
from whatsapp.automations import conditions as _conditions
from whatsapp.automations.enabled import ENABLED
from whatsapp.kit.clock import utcnow

log = logging.getLogger(__name__)

_PATTERN_CHARS = frozenset("*?[")


def trigger_matches(trigger: str, event_name: str) -> bool:
    """An exact event name, or an fnmatch pattern (case-sensitive): `flow.*`, `message.*ed`."""
    if trigger == event_name:
        return True
    return bool(_PATTERN_CHARS & set(trigger)) and fnmatch.fnmatchcase(event_name, trigger)


def caused_by_automation(event: WhatsAppAnalyticsEvent) -> bool:
    """The loop guard: an automation never triggers on what an automation run did."""
    return event.caused_by_automation_run_id is not None


async def on_events_recorded(
    events: Sequence[WhatsAppAnalyticsEvent], conn: BaseDBAsyncClient
) -> None:
    """The event log's subscriber: queue the runs the events trigger, on the events' connection.

    Events an automation run caused are dropped first (the loop guard). A batch then asks
    whether any automation is enabled at all, so with none (the common case) it costs one
    query, not one per event.
    """
    events = [e for e in events if not caused_by_automation(e)]
    if not events:
        return
    if len(events) > 1 and not await _any_enabled(conn):
        return
    for event in events:
        await enqueue_matching(event, using_db=conn)


async def _any_enabled(conn: BaseDBAsyncClient) -> bool:
    return bool(await ENABLED.rows(conn))


async def enqueue_matching(
    event: WhatsAppAnalyticsEvent, *, using_db: BaseDBAsyncClient
) -> list[WhatsAppAutomationRun]:
    """Insert a run (PENDING, or SKIPPED by cooldown) per automation the event triggers;
    none for an event an automation run caused (the loop guard, whoever calls this)."""
    if caused_by_automation(event):
        return []
    matched = await _matching(event, using_db)
    if not matched:
        return []
    guarded = {a.id for a in matched if a.cooldown_seconds > 0 and event.contact_id is not None}
    still_enabled = set(guarded)
    if guarded:
        # Locked in id order, so concurrent transactions queue up instead of deadlocking; a
        # second event for the same contact waits here until the first one's run is committed.
        # Whole rows: Tortoise drops FOR UPDATE from values()/values_list() queries.
        locked = (
            await WhatsAppAutomation.filter(id__in=sorted(guarded), enabled=True)
            .select_for_update()
            .order_by("id")
            .using_db(using_db)
        )
        still_enabled = {row.id for row in locked}
    now = utcnow()
    runs = []
    for automation in sorted(matched, key=lambda a: a.id):
        if automation.id in guarded and automation.id not in still_enabled:
            continue  # disabled or deleted while we waited for the lock
        reason = None
        if automation.id in guarded:
            reason = await _cooldown_reason(automation, event.contact_id, now, using_db)
        runs.append(await _insert_run(automation, event, reason, now, using_db))
    return runs


async def _matching(
    event: WhatsAppAnalyticsEvent, conn: BaseDBAsyncClient
) -> list[WhatsAppAutomation]:
    enabled = await ENABLED.rows(conn)
    candidates = [a for a in enabled if trigger_matches(a.trigger, event.name)]
    if not candidates:
        return []
    document = _conditions.event_document(event.name, event.source, event.properties or {})
    return [a for a in candidates if _holds(a, document)]


def _holds(automation: WhatsAppAutomation, document: Mapping[str, Any]) -> bool:
    # Definitions are validated when written; a row edited by hand must still never break the
    # send (or webhook) whose event is being recorded.
    try:
        return _conditions.matches(automation.conditions or [], document)
    except Exception:
        log.exception("automation %s: conditions could not be evaluated; skipped", automation.id)
        return False


async def _cooldown_reason(
    automation: WhatsAppAutomation,
    contact_id: uuid.UUID | None,
    now: datetime,
    conn: BaseDBAsyncClient,
) -> str | None:
    since = now - timedelta(seconds=automation.cooldown_seconds)
    last = (
        await WhatsAppAutomationRun.filter(
            automation_id=automation.id, contact_id=contact_id, created_at__gte=since
        )
        .exclude(status=AutomationRunStatus.SKIPPED)
        .order_by("-created_at")
        .using_db(conn)
        .first()
    )
    if last is None:
        return None
    return (
        f"Cooldown: run {last.id} fired for this contact at {last.created_at.isoformat()}, "
        f"less than {automation.cooldown_seconds}s ago"
    )


async def _insert_run(
    automation: WhatsAppAutomation,
    event: WhatsAppAnalyticsEvent,
    skip_reason: str | None,
    now: datetime,
    conn: BaseDBAsyncClient,
) -> WhatsAppAutomationRun:
    common: dict[str, Any] = {
        "automation_id": automation.id,
        "event_id": event.id,
        "event_name": event.name,
        "contact_id": event.contact_id,
    }
    if skip_reason is None:
        return await WhatsAppAutomationRun.create(
            **common, status=AutomationRunStatus.PENDING, using_db=conn
        )
    return await WhatsAppAutomationRun.create(
        **common,
        status=AutomationRunStatus.SKIPPED,
        error=skip_reason,
        started_at=now,
        finished_at=now,
        duration_ms=0,
        using_db=conn,
    )
