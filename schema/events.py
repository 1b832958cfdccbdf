"""GraphQL face of the event log: Event, its page and its filter.

Contact and Session import this module (a session's timeline holds events), so they are
named lazily here and imported where a relation is resolved.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from models import WhatsAppAnalyticsEvent
from schema.connection import Connection
from schema.context import Info
from schema.loaders import unread_is_none
from schema.messages import Message

if TYPE_CHECKING:
    from schema.conversations import Contact, Session

LazyContact = Annotated["Contact", strawberry.lazy("schema.conversations")]
LazySession = Annotated["Session", strawberry.lazy("schema.conversations")]


@strawberry.type(description="Something that happened, from the analytics event log.")
class Event:
    id: strawberry.ID = strawberry.field(description="Ours.")
    name: str = strawberry.field(description="Dotted, e.g. message.sent or flow.completed.")
    source: str = strawberry.field(
        description="What recorded it: api, webhook, scheduler, worker or automation."
    )
    properties: JSON = strawberry.field(description="What the event carries, by name.")
    created_at: datetime = strawberry.field(description="When it happened.")
    caused_by_automation_run_id: strawberry.ID | None = strawberry.field(
        description="Set when an automation run caused this event (it triggers no automations)."
    )
    _row: strawberry.Private[WhatsAppAnalyticsEvent]

    @strawberry.field(description="The message it is about.")
    async def message(self, info: Info) -> Message | None:
        key = self._row.message_id
        row = await info.context.loaders.message.load(key) if key else None
        return Message.from_model(row) if row else None

    @strawberry.field(description="The session it is about.")
    async def session(self, info: Info) -> LazySession | None:
        from schema.conversations import Session

        key = self._row.session_id
        row = await info.context.loaders.session.load(key) if key else None
        return Session.from_model(row) if row else None

    @strawberry.field(description="The customer it is about.")
    async def contact(self, info: Info) -> LazyContact | None:
        from schema.conversations import Contact

        key = self._row.contact_id
        row = await info.context.loaders.contact.load(key) if key else None
        return Contact.from_model(row) if row else None

    @classmethod
    def from_model(cls, row: WhatsAppAnalyticsEvent) -> Event:
        run_id = row.caused_by_automation_run_id
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            source=row.source,
            properties=JSON(unread_is_none(row, "properties") or {}),
            created_at=row.created_at,
            caused_by_automation_run_id=strawberry.ID(str(run_id)) if run_id else None,
            _row=row,
        )


@strawberry.type(description="A page of events, newest first.")
class EventConnection(Connection[Event]):
    pass


@strawberry.input(description="Every given condition must hold.")
class EventFilter:
    name: str | None = strawberry.field(
        default=None, description="An exact name, or a pattern where * matches anything."
    )
    source: str | None = strawberry.field(default=None, description="Recorded by this source.")
    session_id: strawberry.ID | None = strawberry.field(
        default=None, description="About this session."
    )
    contact_wa_id: str | None = strawberry.field(
        default=None, description="About this customer (their number, with or without +)."
    )
    message_id: strawberry.ID | None = strawberry.field(
        default=None, description="Our message id or a wamid."
    )
    since: datetime | None = strawberry.field(default=None, description="Inclusive.")
    until: datetime | None = strawberry.field(default=None, description="Exclusive.")
