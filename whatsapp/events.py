"""The event log: `emit_event` is the one way every path records what happened."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models import WhatsAppAnalyticsEvent

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
    """Persist one analytics event (the seed's `emitWhatsAppEvent`).

    Pass `using_db` to write it in the caller's transaction, so the event and the state change
    it describes land together or not at all.
    """
    event = await WhatsAppAnalyticsEvent.create(
        name=name,
        source=source,
        properties=dict(properties or {}),
        message_id=message_id,
        session_id=session_id,
        contact_id=contact_id,
        caused_by_automation_run_id=caused_by_automation_run_id,
        using_db=using_db,
    )
    log.debug("event %s %s", name, event.id)
    return event
