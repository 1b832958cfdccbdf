"""GraphQL object types. Relations resolve through the request's DataLoaders."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.scalars import JSON

from models import (
    MessageDirection as StoredDirection,
)
from models import (
    WhatsAppAnalyticsEvent,
    WhatsAppContact,
    WhatsAppMedia,
    WhatsAppMessage,
    WhatsAppSession,
    WhatsAppTemplate,
)
from schema.context import Info
from schema.enums import MessageDirection, MessageStatus, MessageType, SessionStatus
from whatsapp.conversations import session_queries, timeline
from whatsapp.conversations.timeline import TimelinePage
from whatsapp.conversations.windows import SERVICE_WINDOW, window_open
from whatsapp.kit.paging import Page
from whatsapp.messages import queries as message_queries

WINDOW_OPEN = "The customer wrote within the last 24 hours: free-form messages can be sent."
WINDOW_EXPIRES_AT = (
    "When the 24-hour window closes (or closed) without a new customer message; "
    "null if the customer never wrote."
)


def _expires(last_inbound_at: datetime | None) -> datetime | None:
    return last_inbound_at + SERVICE_WINDOW if last_inbound_at else None


@strawberry.type(description="A customer, identified by their WhatsApp id.")
class Contact:
    id: strawberry.ID
    wa_id: str
    profile_name: str | None
    tags: list[str]
    last_inbound_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description=WINDOW_OPEN)
    def window_open(self) -> bool:
        return window_open(self.last_inbound_at)

    @strawberry.field(description=WINDOW_EXPIRES_AT)
    def window_expires_at(self) -> datetime | None:
        return _expires(self.last_inbound_at)

    @strawberry.field(description="Their sessions, most recently updated first.")
    async def sessions(self, first: int | None = 20, after: str | None = None) -> SessionConnection:
        query = session_queries.SessionQuery(contact_id=uuid.UUID(self.id))
        page = await session_queries.list_sessions(query, first=first, after=after)
        return SessionConnection.from_page(page)

    @strawberry.field(description="Messages to and from them, most recent first.")
    async def messages(self, first: int | None = 20, after: str | None = None) -> MessageConnection:
        query = message_queries.MessageQuery(customer=self.wa_id)
        page = await message_queries.list_messages(query, first=first, after=after)
        return MessageConnection.from_page(page)

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
    id: strawberry.ID
    status: SessionStatus
    phone_number_id: str | None
    flow: str | None
    flow_token: str | None
    context: JSON
    tags: list[str]
    last_inbound_at: datetime | None
    started_at: datetime
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    _contact_id: strawberry.Private[Any]

    @strawberry.field
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
    async def messages(self, first: int | None = 20, after: str | None = None) -> MessageConnection:
        query = message_queries.MessageQuery(session_id=uuid.UUID(self.id))
        page = await message_queries.list_messages(query, first=first, after=after)
        return MessageConnection.from_page(page)

    @strawberry.field(
        description="Messages and events merged by time, oldest first (read top to bottom)."
    )
    async def timeline(
        self, first: int | None = 20, after: str | None = None
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
            context=row.context or {},
            tags=list(row.tags or []),
            last_inbound_at=row.last_inbound_at,
            started_at=row.started_at,
            completed_at=row.completed_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            _contact_id=row.contact_id,
        )


@strawberry.type(description="A message template as Meta knows it.")
class Template:
    id: strawberry.ID
    name: str
    language: str
    status: str
    category: str | None
    parameter_format: str
    components: JSON
    quality_score: str | None
    rejected_reason: str | None
    meta_id: str | None
    synced_at: datetime | None
    removed_at: datetime | None

    @classmethod
    def from_model(cls, row: WhatsAppTemplate) -> Template:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            language=row.language,
            status=row.status,
            category=row.category,
            parameter_format=row.parameter_format,
            components=row.components,
            quality_score=row.quality_score,
            rejected_reason=row.rejected_reason,
            meta_id=row.meta_id,
            synced_at=row.synced_at,
            removed_at=row.removed_at,
        )


@strawberry.type(description="Media uploaded to Meta; send it by `id` (ours) or `metaId`.")
class Media:
    id: strawberry.ID
    meta_id: str
    kind: str
    mime_type: str
    file_name: str | None
    file_size: int
    sha256: str
    created_at: datetime
    expires_at: datetime

    @classmethod
    def from_model(cls, row: WhatsAppMedia) -> Media:
        return cls(
            id=strawberry.ID(str(row.id)),
            meta_id=row.meta_id,
            kind=row.kind,
            mime_type=row.mime_type,
            file_name=row.file_name,
            file_size=row.file_size,
            sha256=row.sha256,
            created_at=row.created_at,
            expires_at=row.expires_at,
        )


@strawberry.type(description="A message sent, scheduled or received.")
class Message:
    id: strawberry.ID
    wamid: str | None
    direction: MessageDirection
    type: MessageType
    status: MessageStatus
    phone_number_id: str
    to: str = strawberry.field(description="Recipient: the customer, or our phone-number id.")
    from_: str = strawberry.field(name="from", description="Sender, the other way round.")
    text: str | None = strawberry.field(description="A short human-readable preview.")
    content: JSON | None = strawberry.field(description="The content as it was given to us.")
    metadata: JSON | None
    payload: JSON | None = strawberry.field(description="The exact Graph API request body.")
    error_code: int | None = strawberry.field(description="Meta's error code on failure.")
    error_title: str | None
    error_details: str | None
    template_name: str | None
    template_language: str | None
    attempts: int
    scheduled_for: datetime | None
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    failed_at: datetime | None
    received_at: datetime | None
    created_at: datetime
    updated_at: datetime
    _row: strawberry.Private[WhatsAppMessage]

    @strawberry.field
    async def contact(self, info: Info) -> Contact | None:
        key = self._row.contact_id
        row = await info.context.loaders.contact.load(key) if key else None
        return Contact.from_model(row) if row else None

    @strawberry.field
    async def session(self, info: Info) -> Session | None:
        key = self._row.session_id
        row = await info.context.loaders.session.load(key) if key else None
        return Session.from_model(row) if row else None

    @strawberry.field
    async def template(self, info: Info) -> Template | None:
        key = self._row.template_id
        row = await info.context.loaders.template.load(key) if key else None
        return Template.from_model(row) if row else None

    @strawberry.field(description="The message this one replies or reacts to.")
    async def reply_to(
        self, info: Info
    ) -> Annotated[Message, strawberry.lazy("schema.types")] | None:
        key = self._row.reply_to_id
        row = await info.context.loaders.message.load(key) if key else None
        return Message.from_model(row) if row else None

    @strawberry.field
    def reply_to_wamid(self) -> str | None:
        return self._row.reply_to_wamid

    @classmethod
    def from_model(cls, row: WhatsAppMessage) -> Message:
        outbound = row.direction == StoredDirection.OUTBOUND
        return cls(
            id=strawberry.ID(str(row.id)),
            wamid=row.wamid,
            direction=row.direction,
            type=row.type,
            status=row.status,
            phone_number_id=row.phone_number_id,
            to=row.customer_wa_id if outbound else row.phone_number_id,
            from_=row.phone_number_id if outbound else row.customer_wa_id,
            text=row.text,
            content=row.content,
            metadata=row.metadata,
            payload=row.payload,
            error_code=row.error_code,
            error_title=row.error_title,
            error_details=row.error_details,
            template_name=row.template_name,
            template_language=row.template_language,
            attempts=row.attempts,
            scheduled_for=row.scheduled_for,
            sent_at=row.sent_at,
            delivered_at=row.delivered_at,
            read_at=row.read_at,
            failed_at=row.failed_at,
            received_at=row.received_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            _row=row,
        )


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


E = TypeVar("E")


@strawberry.type
class CountedPage:
    """What every connection shares: the page it was built from, and its total on demand."""

    _page: strawberry.Private[Any]

    @strawberry.field(description="Items matching the filter (one COUNT query, on demand).")
    async def total_count(self) -> int:
        return await self._page.total_count()  # type: ignore[no-any-return]


def page_info_of(page: Page[Any] | TimelinePage) -> PageInfo:
    return PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor)


def page_edges(page: Any, edge: Callable[..., E], to_node: Callable[[Any], Any]) -> list[E]:
    return [
        edge(cursor=cursor, node=to_node(row))
        for row, cursor in zip(page.items, page.cursors, strict=True)
    ]


@strawberry.type
class MessageEdge:
    cursor: str
    node: Message


@strawberry.type(description="A page of messages, newest first.")
class MessageConnection(CountedPage):
    edges: list[MessageEdge]
    page_info: PageInfo

    @classmethod
    def from_page(cls, page: Page[WhatsAppMessage]) -> MessageConnection:
        return cls(
            edges=page_edges(page, MessageEdge, Message.from_model),
            page_info=page_info_of(page),
            _page=page,
        )


@strawberry.type(description="Something that happened, from the analytics event log.")
class Event:
    id: strawberry.ID
    name: str = strawberry.field(description="Dotted, e.g. message.sent or flow.completed.")
    source: str
    properties: JSON
    created_at: datetime
    caused_by_automation_run_id: strawberry.ID | None = strawberry.field(
        description="Set when an automation run caused this event (it triggers no automations)."
    )
    _row: strawberry.Private[WhatsAppAnalyticsEvent]

    @strawberry.field
    async def message(self, info: Info) -> Message | None:
        key = self._row.message_id
        row = await info.context.loaders.message.load(key) if key else None
        return Message.from_model(row) if row else None

    @strawberry.field
    async def session(self, info: Info) -> Session | None:
        key = self._row.session_id
        row = await info.context.loaders.session.load(key) if key else None
        return Session.from_model(row) if row else None

    @strawberry.field
    async def contact(self, info: Info) -> Contact | None:
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
            properties=row.properties or {},
            created_at=row.created_at,
            caused_by_automation_run_id=strawberry.ID(str(run_id)) if run_id else None,
            _row=row,
        )


TimelineItem = Annotated[
    Message | Event,
    strawberry.union("TimelineItem", description="One entry of a session's timeline."),
]


@strawberry.type
class SessionEdge:
    cursor: str
    node: Session


@strawberry.type(description="A page of sessions, most recently updated first.")
class SessionConnection(CountedPage):
    edges: list[SessionEdge]
    page_info: PageInfo

    @classmethod
    def from_page(cls, page: Page[WhatsAppSession]) -> SessionConnection:
        return cls(
            edges=page_edges(page, SessionEdge, Session.from_model),
            page_info=page_info_of(page),
            _page=page,
        )


@strawberry.type
class ContactEdge:
    cursor: str
    node: Contact


@strawberry.type(description="A page of contacts, newest first.")
class ContactConnection(CountedPage):
    edges: list[ContactEdge]
    page_info: PageInfo

    @classmethod
    def from_page(cls, page: Page[WhatsAppContact]) -> ContactConnection:
        return cls(
            edges=page_edges(page, ContactEdge, Contact.from_model),
            page_info=page_info_of(page),
            _page=page,
        )


@strawberry.type
class EventEdge:
    cursor: str
    node: Event


@strawberry.type(description="A page of events, newest first.")
class EventConnection(CountedPage):
    edges: list[EventEdge]
    page_info: PageInfo

    @classmethod
    def from_page(cls, page: Page[WhatsAppAnalyticsEvent]) -> EventConnection:
        return cls(
            edges=page_edges(page, EventEdge, Event.from_model),
            page_info=page_info_of(page),
            _page=page,
        )


@strawberry.type
class TimelineEdge:
    cursor: str
    node: TimelineItem


@strawberry.type(description="A page of a session's timeline, oldest first.")
class TimelineConnection:
    edges: list[TimelineEdge]
    page_info: PageInfo
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
            page_info=page_info_of(page),
            _page=page,
        )


def _timeline_node(item: WhatsAppMessage | WhatsAppAnalyticsEvent) -> Message | Event:
    if isinstance(item, WhatsAppMessage):
        return Message.from_model(item)
    return Event.from_model(item)
