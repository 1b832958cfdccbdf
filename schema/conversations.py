"""GraphQL face of conversations: contacts, sessions and a session's timeline, their filters,
and the payload of tagging.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from models import WhatsAppAnalyticsEvent, WhatsAppContact, WhatsAppMessage, WhatsAppSession
from models.enums import SessionStatus
from schema.connection import Connection, Edge, PageInfo
from schema.context import Info
from schema.errors import UserError
from schema.events import Event
from schema.messages import Message, MessageConnection
from whatsapp.conversations import session_queries, timeline
from whatsapp.conversations.timeline import TimelinePage
from whatsapp.conversations.windows import SERVICE_WINDOW, window_open
from whatsapp.messages import queries as message_queries

strawberry.enum(SessionStatus, description="ACTIVE until it completes, expires or is cancelled.")

WINDOW_OPEN = "The customer wrote within the last 24 hours: free-form messages can be sent."
WINDOW_EXPIRES_AT = (
    "When the 24-hour window closes (or closed) without a new customer message; "
    "null if the customer never wrote."
)
TAG = "Has this tag (1-64 letters, digits or _ . : -)."
WINDOW = "Whether the customer wrote within the last 24 hours."
FIRST = 20


def _expires(last_inbound_at: datetime | None) -> datetime | None:
    return last_inbound_at + SERVICE_WINDOW if last_inbound_at else None


@strawberry.type(description="A customer, identified by their WhatsApp id.")
class Contact:
    id: strawberry.ID = strawberry.field(description="Ours.")
    wa_id: str = strawberry.field(description="Their WhatsApp id (their number, digits only).")
    profile_name: str | None = strawberry.field(description="The name on their profile.")
    tags: list[str] = strawberry.field(description="Yours: set with tagContact or by automations.")
    last_inbound_at: datetime | None = strawberry.field(description="When they last wrote.")
    created_at: datetime = strawberry.field(description="When we first heard of them.")
    updated_at: datetime = strawberry.field(description="Their last change.")

    @strawberry.field(description=WINDOW_OPEN)
    def window_open(self) -> bool:
        return window_open(self.last_inbound_at)

    @strawberry.field(description=WINDOW_EXPIRES_AT)
    def window_expires_at(self) -> datetime | None:
        return _expires(self.last_inbound_at)

    @strawberry.field(description="Their sessions, most recently updated first.")
    async def sessions(
        self, first: int | None = FIRST, after: str | None = None
    ) -> SessionConnection:
        query = session_queries.SessionQuery(contact_id=uuid.UUID(self.id))
        page = await session_queries.list_sessions(query, first=first, after=after)
        return SessionConnection.from_page(page, Session.from_model)

    @strawberry.field(description="Messages to and from them, most recent first.")
    async def messages(
        self, first: int | None = FIRST, after: str | None = None
    ) -> MessageConnection:
        query = message_queries.MessageQuery(customer=self.wa_id)
        page = await message_queries.list_messages(query, first=first, after=after)
        return MessageConnection.from_page(page, Message.from_model)

    @classmethod
    def from_model(cls, row: WhatsAppContact) -> Contact:
        return cls(
            id=strawberry.ID(str(row.id)),
            wa_id=row.wa_id,
            profile_name=row.profile_name,
            tags=list(row.tags or []),
            last_inbound_at=row.last_inbound_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="A customer journey (a Flow run or a conversation).")
class Session:
    id: strawberry.ID = strawberry.field(description="Ours.")
    status: SessionStatus = strawberry.field(description="Where it is in its life.")
    phone_number_id: str | None = strawberry.field(description="Our business number's id.")
    flow: str | None = strawberry.field(description="The Flow it runs, if any.")
    flow_token: str | None = strawberry.field(description="Ties a Flow's replies to it.")
    context: JSON = strawberry.field(
        description="The journey's state, an object; a send's session hint merges into it."
    )
    tags: list[str] = strawberry.field(description="Yours, set when sending or by automations.")
    last_inbound_at: datetime | None = strawberry.field(description="When the customer last wrote.")
    started_at: datetime = strawberry.field(description="When it began.")
    completed_at: datetime | None = strawberry.field(description="When it completed.")
    created_at: datetime = strawberry.field(description="When we stored it.")
    updated_at: datetime = strawberry.field(description="Its last change.")
    _contact_id: strawberry.Private[Any]

    @strawberry.field(description="The customer.")
    async def contact(self, info: Info) -> Contact | None:
        if self._contact_id is None:
            return None
        row = await info.context.loaders.contact.load(self._contact_id)
        return Contact.from_model(row) if row else None

    @strawberry.field(description=WINDOW_OPEN)
    def window_open(self) -> bool:
        return window_open(self.last_inbound_at)

    @strawberry.field(description=WINDOW_EXPIRES_AT)
    def window_expires_at(self) -> datetime | None:
        return _expires(self.last_inbound_at)

    @strawberry.field(description="The session's messages, most recent first.")
    async def messages(
        self, first: int | None = FIRST, after: str | None = None
    ) -> MessageConnection:
        query = message_queries.MessageQuery(session_id=uuid.UUID(self.id))
        page = await message_queries.list_messages(query, first=first, after=after)
        return MessageConnection.from_page(page, Message.from_model)

    @strawberry.field(
        description="Messages and events merged by time, oldest first (read top to bottom)."
    )
    async def timeline(
        self, first: int | None = FIRST, after: str | None = None
    ) -> TimelineConnection:
        page = await timeline.session_timeline(uuid.UUID(self.id), first=first, after=after)
        return TimelineConnection.from_page(page)

    @classmethod
    def from_model(cls, row: WhatsAppSession) -> Session:
        return cls(
            id=strawberry.ID(str(row.id)),
            status=row.status,
            phone_number_id=row.phone_number_id,
            flow=row.flow,
            flow_token=row.flow_token,
            context=JSON(row.context or {}),
            tags=list(row.tags or []),
            last_inbound_at=row.last_inbound_at,
            started_at=row.started_at,
            completed_at=row.completed_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            _contact_id=row.contact_id,
        )


@strawberry.type(description="A page of sessions, most recently updated first.")
class SessionConnection(Connection[Session]):
    pass


@strawberry.type(description="A page of contacts, newest first.")
class ContactConnection(Connection[Contact]):
    pass


# -- a session's timeline ----------------------------------------------------------------------
# Not a Connection: its node is a union, its edge keeps the name TimelineEdge and its total
# (two COUNT queries) comes last, as the SDL has always had them.

TimelineItem = Annotated[
    Message | Event,
    strawberry.union("TimelineItem", description="One entry of a session's timeline."),
]


@strawberry.type(description="One entry of a session's timeline, with its cursor.")
class TimelineEdge(Edge[TimelineItem]):
    pass


def _timeline_node(item: WhatsAppMessage | WhatsAppAnalyticsEvent) -> Message | Event:
    if isinstance(item, WhatsAppMessage):
        return Message.from_model(item)
    return Event.from_model(item)


@strawberry.type(description="A page of a session's timeline, oldest first.")
class TimelineConnection:
    edges: list[TimelineEdge] = strawberry.field(description="The entries of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Where this page ends.")
    _page: strawberry.Private[TimelinePage]

    @strawberry.field(description="Messages plus events of the session (two COUNT queries).")
    async def total_count(self) -> int:
        return await self._page.total_count()

    @classmethod
    def from_page(cls, page: TimelinePage) -> TimelineConnection:
        return cls(
            edges=[
                TimelineEdge(cursor=cursor, node=_timeline_node(item))
                for item, cursor in zip(page.items, page.cursors, strict=True)
            ],
            page_info=PageInfo.of(page),
            _page=page,
        )


# -- filters and payloads ----------------------------------------------------------------------


@strawberry.input(description="Every given condition must hold.")
class SessionFilter:
    status: list[SessionStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    contact_wa_id: str | None = strawberry.field(
        default=None, description="The customer's number, with or without +."
    )
    tag: str | None = strawberry.field(default=None, description=TAG)
    window_open: bool | None = strawberry.field(default=None, description=WINDOW)
    updated_since: datetime | None = strawberry.field(default=None, description="Inclusive.")
    flow: str | None = strawberry.field(default=None, description="Running this Flow.")
    phone_number_id: str | None = strawberry.field(
        default=None, description="On this business number."
    )


@strawberry.input(description="Every given condition must hold.")
class ContactFilter:
    tag: str | None = strawberry.field(default=None, description=TAG)
    search: str | None = strawberry.field(
        default=None,
        description="A prefix of the number, or part of the profile name (any case).",
    )
    window_open: bool | None = strawberry.field(default=None, description=WINDOW)


@strawberry.type(description="The contact as tagged, or why not.")
class ContactPayload:
    contact: Contact | None = strawberry.field(default=None, description="With its new tags.")
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )
