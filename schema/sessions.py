"""The dashboard's read side: sessions, contacts and events, with their filters.

The resolvers name these filters through `strawberry.lazy`, because this module imports them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from resolvers import contacts, events, sessions
from schema.enums import SessionStatus
from schema.permissions import CanRead
from schema.types import Contact, ContactConnection, EventConnection, Session, SessionConnection

TAG = "Has this tag (1-64 letters, digits or _ . : -)."
WINDOW = "Whether the customer wrote within the last 24 hours."


@strawberry.input
class SessionFilter:
    status: list[SessionStatus] | None = None
    contact_wa_id: str | None = strawberry.field(
        default=None, description="The customer's number, with or without +."
    )
    tag: str | None = strawberry.field(default=None, description=TAG)
    window_open: bool | None = strawberry.field(default=None, description=WINDOW)
    updated_since: datetime | None = None
    flow: str | None = None
    phone_number_id: str | None = None


@strawberry.input
class ContactFilter:
    tag: str | None = strawberry.field(default=None, description=TAG)
    search: str | None = strawberry.field(
        default=None,
        description="A prefix of the number, or part of the profile name (any case).",
    )
    window_open: bool | None = strawberry.field(default=None, description=WINDOW)


@strawberry.input
class EventFilter:
    name: str | None = strawberry.field(
        default=None, description="An exact name, or a pattern where * matches anything."
    )
    source: str | None = None
    session_id: strawberry.ID | None = None
    contact_wa_id: str | None = None
    message_id: strawberry.ID | None = strawberry.field(
        default=None, description="Our message id or a wamid."
    )
    since: datetime | None = strawberry.field(default=None, description="Inclusive.")
    until: datetime | None = strawberry.field(default=None, description="Exclusive.")


def _read(resolver: Any) -> Any:
    return strawberry.field(resolver=resolver, permission_classes=[CanRead])


@strawberry.type
class SessionQuery:
    session: Session | None = _read(sessions.session)
    sessions: SessionConnection = _read(sessions.sessions)
    contact: Contact | None = _read(contacts.contact)
    contacts: ContactConnection = _read(contacts.contacts)
    events: EventConnection = _read(events.events)
