"""Events: read the event log."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.events import Event, EventConnection, EventFilter
from schema.fields import query
from schema.loaders import lean_events
from whatsapp.events import queries as event_queries


async def events(
    info: Info,
    filter: EventFilter | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> EventConnection:
    f = filter or EventFilter()
    where = event_queries.EventQuery(
        name=f.name,
        source=f.source,
        session_id=None if f.session_id is None else str(f.session_id),
        contact_wa_id=f.contact_wa_id,
        message_id=None if f.message_id is None else str(f.message_id),
        since=f.since,
        until=f.until,
    )
    page = await event_queries.list_events(
        query=where, first=first, after=after, lean=lean_events(info)
    )
    return EventConnection.from_page(page, Event.from_model)


@strawberry.type
class EventQuery:
    events: EventConnection = query(events, description="Events matching the filter, newest first.")
