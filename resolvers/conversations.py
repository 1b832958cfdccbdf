"""Conversations: read sessions and contacts, tag a contact."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.conversations import (
    Contact,
    ContactConnection,
    ContactFilter,
    ContactPayload,
    FlowSessionFilter,
    Session,
    SessionConnection,
    SessionFilter,
)
from schema.fields import mutation, query
from schema.loaders import lean_sessions
from whatsapp.conversations import contact_queries, session_queries, tags
from whatsapp.kit.ids import parse_id


async def session(info: Info, id: strawberry.ID) -> Session | None:
    row = await session_queries.get_session(session_id=str(id))
    if row is None:
        return None
    info.context.loaders.session.prime(row.id, row)  # its timeline's messages point back here
    return Session.from_model(row)


async def sessions(
    info: Info,
    filter: SessionFilter | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> SessionConnection:
    f = filter or SessionFilter()
    where = session_queries.SessionQuery(
        statuses=tuple(f.status or ()),
        contact_wa_id=f.contact_wa_id,
        contact_id=None if f.contact_id is None else parse_id(f.contact_id, "filter", "contactId"),
        tag=f.tag,
        window_open=f.window_open,
        updated_since=f.updated_since,
        flow=f.flow,
        phone_number_id=f.phone_number_id,
        search=f.search,
    )
    page = await session_queries.list_sessions(
        query=where, first=first, after=after, lean=lean_sessions(info)
    )
    return SessionConnection.from_page(page, Session.from_model)


async def flow_sessions(
    filter: FlowSessionFilter | None = None, first: int | None = 20, after: str | None = None
) -> SessionConnection:
    f = filter or FlowSessionFilter()
    where = session_queries.FlowSessionQuery(
        flow=f.flow, statuses=tuple(f.status or ()), since=f.since
    )
    page = await session_queries.list_flow_sessions(where, first=first, after=after)
    return SessionConnection.from_page(page, Session.from_model)


async def contact(
    id: strawberry.ID | None = None, wa_id: str | None = None, bsuid: str | None = None
) -> Contact | None:
    row = await contact_queries.get_contact(id=id, wa_id=wa_id, bsuid=bsuid)
    return Contact.from_model(row) if row else None


async def contacts(
    filter: ContactFilter | None = None, first: int | None = 20, after: str | None = None
) -> ContactConnection:
    f = filter or ContactFilter()
    where = contact_queries.ContactQuery(tag=f.tag, search=f.search, window_open=f.window_open)
    page = await contact_queries.list_contacts(query=where, first=first, after=after)
    return ContactConnection.from_page(page, Contact.from_model)


async def tag_contact(
    contact_id: strawberry.ID | None = None,
    wa_id: str | None = None,
    add: list[str] | None = None,
    remove: list[str] | None = None,
    bsuid: str | None = None,
) -> ContactPayload:
    row = await tags.tag_contact_by(
        contact_id=contact_id, wa_id=wa_id, bsuid=bsuid, add=add or (), remove=remove or ()
    )
    return ContactPayload(contact=Contact.from_model(row))


@strawberry.type
class ConversationQuery:
    session: Session | None = query(session, description="A session by id.")
    sessions: SessionConnection = query(
        sessions, description="Sessions matching the filter, most recently updated first."
    )
    flow_sessions: SessionConnection = query(
        flow_sessions,
        description="Sessions that run a Flow, most recently updated first, each with its "
        "flowState: who is where in a Flow.",
    )
    contact: Contact | None = query(
        contact,
        description="A contact by exactly one of: our id, their number (with or without +) "
        "or their business-scoped user id (old numbers and BSUIDs find them too).",
    )
    contacts: ContactConnection = query(
        contacts, description="Contacts matching the filter, newest first."
    )


@strawberry.type
class ConversationMutation:
    tag_contact: ContactPayload = mutation(
        tag_contact,
        description="Add and remove tags (1-64 letters, digits or _ . : -) on a contact, given "
        "by exactly one of contactId, waId or bsuid.",
    )
