"""Resolvers for reading the event log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.types import EventConnection
from whatsapp.events import queries as event_queries

if TYPE_CHECKING:
    from schema.sessions import EventFilter


def _query(f: EventFilter | None) -> event_queries.EventQuery:
    if f is None:
        return event_queries.EventQuery()
    return event_queries.EventQuery(
        name=f.name,
        source=f.source,
        session_id=None if f.session_id is None else str(f.session_id),
        contact_wa_id=f.contact_wa_id,
        message_id=None if f.message_id is None else str(f.message_id),
        since=f.since,
        until=f.until,
    )


async def events(
    info: Info,
    filter: Annotated[EventFilter, strawberry.lazy("schema.sessions")] | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> EventConnection:
    page = await event_queries.list_events(_query(filter), first=first, after=after)
    return EventConnection.from_page(page)
