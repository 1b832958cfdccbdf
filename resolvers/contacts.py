"""Resolvers for reading contacts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.types import Contact, ContactConnection
from whatsapp.conversations import contact_queries

if TYPE_CHECKING:
    from schema.sessions import ContactFilter


async def contact(info: Info, wa_id: str) -> Contact | None:
    row = await contact_queries.get_contact(wa_id)
    return Contact.from_model(row) if row else None


async def contacts(
    info: Info,
    filter: Annotated[ContactFilter, strawberry.lazy("schema.sessions")] | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> ContactConnection:
    query = (
        contact_queries.ContactQuery(
            tag=filter.tag, search=filter.search, window_open=filter.window_open
        )
        if filter
        else contact_queries.ContactQuery()
    )
    page = await contact_queries.list_contacts(query, first=first, after=after)
    return ContactConnection.from_page(page)
