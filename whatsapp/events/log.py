"""The event log: `emit_event` is the one way every path records what happened."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models import WhatsAppAnalyticsEvent
from whatsapp.automations import engine as automations

log = logging.getLogger(__name__)


async def emit_event(
    name: str,
    *,
    source: str,
    properties: Mapping[str, Any] | None = None,
    message_id: uuid.UUID | None = None,
    session_id: uuid.UUID | None = None,
    contact_id: uuid.UUID | None = None,
    caused_by_automation_run_id: uuid.UUID | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> WhatsAppAnalyticsEvent:
    """Persist one analytics event (the seed's `emitWhatsAppEvent`) and queue its automations.

    Pass `using_db` to write it in the caller's transaction, so the event and the state change
    it describes land together or not at all; without one, the event and the automation runs
    it triggers get a transaction of their own. An event caused by an automation run
    (`caused_by_automation_run_id`) triggers no automation: that is the loop guard.
    """
    fields: dict[str, Any] = {
        "name": name,
        "source": source,
        "properties": dict(properties or {}),
        "message_id": message_id,
        "session_id": session_id,
        "contact_id": contact_id,
        "caused_by_automation_run_id": caused_by_automation_run_id,
    }
    if caused_by_automation_run_id is not None:
        event = await WhatsAppAnalyticsEvent.create(**fields, using_db=using_db)
    elif using_db is not None:
        event = await _record(fields, using_db)
    else:
        async with in_transaction() as conn:
            event = await _record(fields, conn)
    log.debug("event %s %s", name, event.id)
    return event


async def _record(fields: dict[str, Any], conn: BaseDBAsyncClient) -> WhatsAppAnalyticsEvent:
    event = await WhatsAppAnalyticsEvent.create(**fields, using_db=conn)
    await automations.enqueue_matching(event, using_db=conn)
    return event


async def emit_events(events: list[WhatsAppAnalyticsEvent], *, using_db: BaseDBAsyncClient) -> None:
    """Persist many unsaved events in one INSERT (the scheduler's batches) and queue their
    automations; with no automation enabled, that costs one more query, not one per event."""
    if not events:
        return
    await WhatsAppAnalyticsEvent.bulk_create(events, using_db=using_db)
    if not await automations.any_enabled(using_db):
        return
    for event in events:
        await automations.enqueue_matching(event, using_db=using_db)
