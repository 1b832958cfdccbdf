"""Resolvers for reading sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.types import Session, SessionConnection
from whatsapp.conversations import session_queries

if TYPE_CHECKING:
    from schema.sessions import SessionFilter


def _query(f: SessionFilter | None) -> session_queries.SessionQuery:
    if f is None:
        return session_queries.SessionQuery()
    return session_queries.SessionQuery(
        statuses=tuple(f.status or ()),
        contact_wa_id=f.contact_wa_id,
        tag=f.tag,
        window_open=f.window_open,
        updated_since=f.updated_since,
        flow=f.flow,
        phone_number_id=f.phone_number_id,
    )


async def session(info: Info, id: strawberry.ID) -> Session | None:
    row = await session_queries.get_session(str(id))
    if row is None:
        return None
    info.context.loaders.session.prime(row.id, row)  # its timeline's messages point back here
    return Session.from_model(row)


async def sessions(
    info: Info,
    filter: Annotated[SessionFilter, strawberry.lazy("schema.sessions")] | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> SessionConnection:
    page = await session_queries.list_sessions(_query(filter), first=first, after=after)
    return SessionConnection.from_page(page)
