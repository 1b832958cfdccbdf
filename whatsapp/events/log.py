"""The event log: `emit_event` is the one way every path records what happened.

Recording knows nothing of what reacts to an event. Reactions (automations) subscribe with
`on_recorded` when a process is composed (`app.runtime`), so no core module reaches back up
into the modules that send messages, and the import graph shows every dependency.

Every subscriber hears every event, those an automation run caused included: the live
publisher must push a status of a message an automation sent like any other. The loop guard
(an automation never triggers on an automation-caused event) is therefore the automations'
own filter (`whatsapp.automations.matching`); this module cannot know which subscriber reacts.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models import WhatsAppAnalyticsEvent

log = logging.getLogger(__name__)

OnRecorded = Callable[[Sequence[WhatsAppAnalyticsEvent], BaseDBAsyncClient], Awaitable[None]]
"""Called with events just written, on the connection (the transaction) that wrote them."""

_subscribers: list[OnRecorded] = []


def on_recorded(hook: OnRecorded) -> None:
    """Subscribe `hook` to every event recorded from now on; subscribing twice is a no-op.

    The hook runs in the event's own transaction, so what it writes commits (or rolls back)
    with the event. It is called for every event, automation-caused ones included
    (`caused_by_automation_run_id` set): a hook that reacts by writing or sending must skip
    those itself, or an automation could trigger itself forever.
    """
    if hook not in _subscribers:
        _subscribers.append(hook)


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
    """Persist one analytics event (the seed's `emitWhatsAppEvent`) and tell the subscribers.

    Pass `using_db` to write it in the caller's transaction, so the event and the state change
    it describes land together or not at all; without one, the event and whatever the
    subscribers write get a transaction of their own.

    Faces: every core step calls it; GraphQL reads the log with `events` and `session.timeline`.
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
    if not _subscribers:
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
    await _notify([event], conn)
    return event


async def emit_events(events: list[WhatsAppAnalyticsEvent], *, using_db: BaseDBAsyncClient) -> None:
    """Persist many unsaved events in one INSERT (the scheduler's batches) and tell the
    subscribers once, with the whole batch, so they can keep the cost of a batch flat."""
    if not events:
        return
    await WhatsAppAnalyticsEvent.bulk_create(events, using_db=using_db)
    await _notify(events, using_db)


async def _notify(events: Sequence[WhatsAppAnalyticsEvent], conn: BaseDBAsyncClient) -> None:
    if not events:
        return
    for hook in tuple(_subscribers):
        await hook(events, conn)
