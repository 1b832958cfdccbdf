"""GraphQL face of conversations: contacts, sessions and their timelines, their filters,
and the payload of tagging.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from models import (
    WhatsAppAnalyticsEvent,
    WhatsAppConsentChange,
    WhatsAppContact,
    WhatsAppContactIdentity,
    WhatsAppMessage,
    WhatsAppSession,
)
from models.enums import ConsentState, IdentityKind, SessionStatus
from schema.calls import Call, CallConnection
from schema.connection import TOTAL_COUNT, TOTAL_COUNT_CAPPED, Connection, Edge, PageInfo
from schema.context import Info
from schema.errors import UserError
from schema.events import Event
from schema.loaders import lean_messages, lean_sessions, lean_timeline, unread_is_none
from schema.messages import Message, MessageConnection
from whatsapp.conversations import session_queries
from whatsapp.conversations.timeline import TimelinePage
from whatsapp.conversations.windows import SERVICE_WINDOW, window_open
from whatsapp.flows.journeys import HISTORY_MAX, HISTORY_PAGE
from whatsapp.kit.errors import invalid

strawberry.enum(SessionStatus, description="ACTIVE until it completes, expires or is cancelled.")
strawberry.enum(
    ConsentState,
    description="Marketing consent: OPTED_IN, OPTED_OUT, or UNKNOWN (they never said).",
)
strawberry.enum(IdentityKind, description="BSUID (business-scoped user id) or WA_ID (a number).")

WINDOW_OPEN = "The customer wrote within the last 24 hours: free-form messages can be sent."
WINDOW_EXPIRES_AT = (
    "When the 24-hour window closes (or closed) without a new customer message; "
    "null if the customer never wrote."
)
TAG = "Has this tag (1-64 letters, digits or _ . : -)."
CONSENT_SOURCE = (
    "user_preferences (they pressed Stop/Resume), keyword (they wrote STOP/START) or "
    "cloud_api (Meta refused a send with 131050)."
)
WINDOW = "Whether the customer wrote within the last 24 hours."
SEARCH = (
    "A prefix of the number, part of the profile name or username (any case), or a BSUID; "
    "for sessions, their contact's."
)
FIRST = 20


def _expires(last_inbound_at: datetime | None) -> datetime | None:
    return last_inbound_at + SERVICE_WINDOW if last_inbound_at else None


@strawberry.type(description="An id a contact has or had: a BSUID or a phone number.")
class ContactIdentity:
    kind: IdentityKind = strawberry.field(description="BSUID or WA_ID (a phone number).")
    value: str = strawberry.field(description="The id, as Meta writes it.")
    current: bool = strawberry.field(description="The contact's id now (false: an old one).")
    since: datetime = strawberry.field(description="When we first saw the contact with it.")
    retired_at: datetime | None = strawberry.field(
        description="When the contact moved on from it (a new number or BSUID)."
    )

    @classmethod
    def from_model(cls, row: WhatsAppContactIdentity) -> ContactIdentity:
        return cls(
            kind=row.kind,
            value=row.value,
            current=row.retired_at is None,
            since=row.created_at,
            retired_at=row.retired_at,
        )


@strawberry.type(description="One change of a contact's marketing consent.")
class ConsentChange:
    id: strawberry.ID = strawberry.field(description="Ours.")
    state: ConsentState = strawberry.field(description="What the customer said.")
    source: str = strawberry.field(description=CONSENT_SOURCE)
    detail: str | None = strawberry.field(
        description="In their or Meta's words (the keyword written, Meta's detail or error)."
    )
    occurred_at: datetime = strawberry.field(description="When it was said (Meta's time).")
    created_at: datetime = strawberry.field(description="When we recorded it.")
    message_id: strawberry.ID | None = strawberry.field(
        description="The message it came with: the keyword, or the send Meta refused."
    )

    @classmethod
    def from_model(cls, row: WhatsAppConsentChange) -> ConsentChange:
        return cls(
            id=strawberry.ID(str(row.id)),
            state=row.state,
            source=row.source,
            detail=row.detail,
            occurred_at=row.occurred_at,
            created_at=row.created_at,
            message_id=strawberry.ID(str(row.message_id)) if row.message_id else None,
        )


@strawberry.type(description="A page of consent changes, most recently recorded first.")
class ConsentChangeConnection(Connection[ConsentChange]):
    pass


@strawberry.type(description="What a customer said about marketing messages, last.")
class MarketingConsent:
    state: ConsentState = strawberry.field(
        description="OPTED_OUT: MARKETING templates are refused before Meta (OPTED_OUT)."
    )
    since: datetime | None = strawberry.field(description="When they said it (null: never).")
    source: str | None = strawberry.field(description=CONSENT_SOURCE)
    _contact_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Every change, most recently recorded first.")
    async def history(
        self, info: Info, first: int | None = FIRST, after: str | None = None
    ) -> ConsentChangeConnection:
        page = await info.context.loaders.contact_consent.load(self._contact_id, first, after)
        return ConsentChangeConnection.from_page(page, ConsentChange.from_model)


@strawberry.type(
    description="A customer, identified by their business-scoped user id (BSUID); their phone "
    "number may be hidden, appear or change."
)
class Contact:
    id: strawberry.ID = strawberry.field(description="Ours.")
    bsuid: str | None = strawberry.field(
        description="Their business-scoped user id (CC.…), once Meta has sent it."
    )
    parent_bsuid: str | None = strawberry.field(
        description="Their id across the business portfolio's linked businesses (CC.ENT.…)."
    )
    username: str | None = strawberry.field(description="Their WhatsApp username, if any.")
    wa_id: str | None = strawberry.field(
        description="Their number (digits only); null while they hide it behind a username."
    )
    phone_number: str | None = strawberry.field(
        description="Their number in international form (+15551234567); null when hidden."
    )
    profile_name: str | None = strawberry.field(description="The name on their profile.")
    tags: list[str] = strawberry.field(description="Yours: set with tagContact or by automations.")
    last_inbound_at: datetime | None = strawberry.field(description="When they last wrote.")
    marketing_consent: MarketingConsent = strawberry.field(
        description="Whether they accept marketing messages, and its history."
    )
    created_at: datetime = strawberry.field(description="When we first heard of them.")
    updated_at: datetime = strawberry.field(description="Their last change.")

    @strawberry.field(description=WINDOW_OPEN)
    def window_open(self) -> bool:
        return window_open(self.last_inbound_at)

    @strawberry.field(description=WINDOW_EXPIRES_AT)
    def window_expires_at(self) -> datetime | None:
        return _expires(self.last_inbound_at)

    @strawberry.field(description="Every id they have or had (old ones keep finding them).")
    async def identities(self, info: Info) -> list[ContactIdentity]:
        rows = await info.context.loaders.contact_identities.load(uuid.UUID(self.id))
        return [ContactIdentity.from_model(row) for row in rows]

    @strawberry.field(description="Their sessions, most recently updated first.")
    async def sessions(
        self, info: Info, first: int | None = FIRST, after: str | None = None
    ) -> SessionConnection:
        loaders = info.context.loaders
        relation = (
            loaders.contact_sessions_lean if lean_sessions(info) else loaders.contact_sessions
        )
        page = await relation.load(uuid.UUID(self.id), first, after)
        return SessionConnection.from_page(page, Session.from_model)

    @strawberry.field(description="Messages to and from them, most recent first.")
    async def messages(
        self, info: Info, first: int | None = FIRST, after: str | None = None
    ) -> MessageConnection:
        loaders = info.context.loaders
        relation = (
            loaders.contact_messages_lean if lean_messages(info) else loaders.contact_messages
        )
        page = await relation.load(uuid.UUID(self.id), first, after)
        return MessageConnection.from_page(page, Message.from_model)

    @strawberry.field(
        description="Their messages and events (calls, consent, id changes, ...) of every "
        "session or none, merged by time, oldest first (read top to bottom)."
    )
    async def timeline(
        self, info: Info, first: int | None = FIRST, after: str | None = None
    ) -> TimelineConnection:
        loaders = info.context.loaders
        relation = (
            loaders.contact_timeline_lean if lean_timeline(info) else loaders.contact_timeline
        )
        page = await relation.load(uuid.UUID(self.id), first, after)
        return TimelineConnection.from_page(page)

    @strawberry.field(
        description="Their calls and call-permission replies, the most recently heard of first."
    )
    async def calls(
        self, info: Info, first: int | None = FIRST, after: str | None = None
    ) -> CallConnection:
        page = await info.context.loaders.contact_calls.load(uuid.UUID(self.id), first, after)
        return CallConnection.from_page(page, Call.from_model)

    @classmethod
    def from_model(cls, row: WhatsAppContact) -> Contact:
        return cls(
            id=strawberry.ID(str(row.id)),
            bsuid=row.bsuid,
            parent_bsuid=row.parent_bsuid,
            username=row.username,
            wa_id=row.wa_id,
            phone_number=f"+{row.wa_id}" if row.wa_id else None,
            profile_name=row.profile_name,
            tags=list(row.tags or []),
            last_inbound_at=row.last_inbound_at,
            marketing_consent=MarketingConsent(
                state=row.marketing_consent,
                since=row.marketing_consent_at,
                source=row.marketing_consent_source,
                _contact_id=row.id,
            ),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="One request of a customer's journey through a Flow.")
class FlowStepRecord:
    action: str = strawberry.field(description="INIT, data_exchange or BACK (WhatsApp's word).")
    screen: str | None = strawberry.field(
        description="The screen the request came from (null when the Flow opened: INIT)."
    )
    next: str | None = strawberry.field(
        description="The screen shown next (the same one when its data was refused)."
    )
    error: str | None = strawberry.field(
        description="The validation message shown on the screen, when its data was refused."
    )
    at: datetime | None = strawberry.field(description="When the endpoint answered it.")

    @classmethod
    def from_core(cls, step: session_queries.FlowStepRecord) -> FlowStepRecord:
        return cls(
            action=step.action, screen=step.screen, next=step.next, error=step.error, at=step.at
        )


@strawberry.type(description="Where a customer is in a Flow, and what they answered so far.")
class FlowState:
    screen: str | None = strawberry.field(
        description="The screen they are on now (null: the Flow was sent but not opened)."
    )
    answers: JSON = strawberry.field(
        description="What each screen submitted, by screen name (an object)."
    )
    steps: strawberry.Private[list[FlowStepRecord]]
    result: JSON | None = strawberry.field(
        description="The completion's answers (the handler's final params, or the completion "
        "message's response without its flow_token); null until the Flow completes."
    )
    started_at: datetime | None = strawberry.field(
        description="When they opened the Flow (its first step through the endpoint)."
    )
    completed_at: datetime | None = strawberry.field(description="When the Flow completed.")

    @strawberry.field(
        description=f"The `latest` steps the endpoint answered, oldest first (1 to "
        f"{HISTORY_MAX}, default {HISTORY_PAGE}; {HISTORY_MAX} are kept, the events keep all)."
    )
    def history(self, latest: int = HISTORY_PAGE) -> list[FlowStepRecord]:
        if not 1 <= latest <= HISTORY_MAX:
            raise invalid(f"latest must be 1 to {HISTORY_MAX}", "latest")
        return self.steps[-latest:]

    @classmethod
    def from_core(cls, state: session_queries.FlowState) -> FlowState:
        return cls(
            screen=state.screen,
            answers=JSON(dict(state.answers)),
            steps=[FlowStepRecord.from_core(step) for step in state.history],
            result=None if state.result is None else JSON(state.result),
            started_at=state.started_at,
            completed_at=state.completed_at,
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
    flow_state: FlowState | None = strawberry.field(
        description="Its journey through the Flow (screen, answers, history); null for a "
        "session that runs no Flow."
    )
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
        self, info: Info, first: int | None = FIRST, after: str | None = None
    ) -> MessageConnection:
        loaders = info.context.loaders
        relation = (
            loaders.session_messages_lean if lean_messages(info) else loaders.session_messages
        )
        page = await relation.load(uuid.UUID(self.id), first, after)
        return MessageConnection.from_page(page, Message.from_model)

    @strawberry.field(
        description="Messages and events merged by time, oldest first (read top to bottom)."
    )
    async def timeline(
        self, info: Info, first: int | None = FIRST, after: str | None = None
    ) -> TimelineConnection:
        loaders = info.context.loaders
        relation = (
            loaders.session_timeline_lean if lean_timeline(info) else loaders.session_timeline
        )
        page = await relation.load(uuid.UUID(self.id), first, after)
        return TimelineConnection.from_page(page)

    @classmethod
    def from_model(cls, row: WhatsAppSession) -> Session:
        return cls(
            id=strawberry.ID(str(row.id)),
            status=row.status,
            phone_number_id=row.phone_number_id,
            flow=row.flow,
            flow_token=row.flow_token,
            context=JSON(unread_is_none(row, "context") or {}),
            tags=list(row.tags or []),
            last_inbound_at=row.last_inbound_at,
            started_at=row.started_at,
            completed_at=row.completed_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            flow_state=_flow_state(row) if hasattr(row, "context") else None,
            _contact_id=row.contact_id,
        )


def _flow_state(row: WhatsAppSession) -> FlowState | None:
    state = session_queries.flow_state(row)
    return FlowState.from_core(state) if state is not None else None


@strawberry.type(description="A page of sessions, most recently updated first.")
class SessionConnection(Connection[Session]):
    pass


@strawberry.type(description="A page of contacts, newest first.")
class ContactConnection(Connection[Contact]):
    pass


# -- a session's or a contact's timeline -------------------------------------------------------
# Not a Connection: its node is a union, its edge keeps the name TimelineEdge and its total
# (two COUNT queries) comes last, as the SDL has always had them.

TimelineItem = Annotated[
    Message | Event,
    strawberry.union("TimelineItem", description="One entry of a timeline."),
]


@strawberry.type(description="One entry of a timeline, with its cursor.")
class TimelineEdge(Edge[TimelineItem]):
    pass


def _timeline_node(item: WhatsAppMessage | WhatsAppAnalyticsEvent) -> Message | Event:
    if isinstance(item, WhatsAppMessage):
        return Message.from_model(item)
    return Event.from_model(item)


@strawberry.type(description="A page of a session's or a contact's timeline, oldest first.")
class TimelineConnection:
    edges: list[TimelineEdge] = strawberry.field(description="The entries of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Where this page ends.")
    _page: strawberry.Private[TimelinePage]

    @strawberry.field(description="Messages plus events of the timeline. " + TOTAL_COUNT)
    async def total_count(self) -> int:
        return await self._page.total_count()

    @strawberry.field(description=TOTAL_COUNT_CAPPED)
    async def total_count_capped(self) -> bool:
        return (await self._page.count()).capped

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
        default=None, description="The customer's number, with or without + (old ones too)."
    )
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="The customer, by our id."
    )
    tag: str | None = strawberry.field(default=None, description=TAG)
    window_open: bool | None = strawberry.field(default=None, description=WINDOW)
    updated_since: datetime | None = strawberry.field(default=None, description="Inclusive.")
    flow: str | None = strawberry.field(default=None, description="Running this Flow.")
    phone_number_id: str | None = strawberry.field(
        default=None, description="On this business number."
    )
    search: str | None = strawberry.field(default=None, description=SEARCH)


@strawberry.input(description="Every given condition must hold.")
class FlowSessionFilter:
    flow: str | None = strawberry.field(default=None, description="Running this Flow.")
    status: list[SessionStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    since: datetime | None = strawberry.field(
        default=None, description="Updated at or after this time (inclusive)."
    )


@strawberry.input(description="Every given condition must hold.")
class ContactFilter:
    tag: str | None = strawberry.field(default=None, description=TAG)
    search: str | None = strawberry.field(default=None, description=SEARCH)
    window_open: bool | None = strawberry.field(default=None, description=WINDOW)


@strawberry.type(description="The contact as tagged, or why not.")
class ContactPayload:
    contact: Contact | None = strawberry.field(default=None, description="With its new tags.")
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )
