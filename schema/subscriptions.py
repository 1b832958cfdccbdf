"""GraphQL face of live updates: what each subscription yields and the filters it takes."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.events import Event
from schema.messages import Message
from whatsapp.live.filters import MESSAGE_CHANGES
from whatsapp.live.hub import Update

MISSED = (
    "Updates dropped just before this one because this subscription's queue was full (the "
    "client read too slowly); refetch if it is not 0."
)


@strawberry.enum(description="How a message changed.")
class MessageChange(Enum):
    SENT = "message.sent"
    DELIVERED = "message.delivered"
    READ = "message.read"
    FAILED = "message.failed"
    EDITED = "message.edited"
    DELETED = "message.deleted"
    RECEIVED = "message.received"


assert {c.value for c in MessageChange} == set(MESSAGE_CHANGES)


@strawberry.type(description="A message's status or content changed (committed).")
class MessageUpdate:
    change: MessageChange = strawberry.field(description="What happened to it.")
    message: Message = strawberry.field(description="The message as it is after the change.")
    event: Event = strawberry.field(description="The event that recorded the change.")
    missed: int = strawberry.field(description=MISSED)

    @classmethod
    def of(cls, update: Update) -> MessageUpdate:
        item = update.item
        assert item.message is not None
        return cls(
            change=MessageChange(item.event.name),
            message=Message.from_model(item.message),
            event=Event.from_model(item.event),
            missed=update.missed,
        )


@strawberry.type(description="A new event (committed), with its message if it is about one.")
class EventUpdate:
    event: Event = strawberry.field(description="What happened.")
    message: Message | None = strawberry.field(
        description="The message it is about, as it is after the event."
    )
    missed: int = strawberry.field(description=MISSED)

    @classmethod
    def of(cls, update: Update) -> EventUpdate:
        item = update.item
        return cls(
            event=Event.from_model(item.event),
            message=Message.from_model(item.message) if item.message else None,
            missed=update.missed,
        )


@strawberry.input(description="Every given condition must hold.")
class MessageUpdateFilter:
    message_id: strawberry.ID | None = strawberry.field(
        default=None, description="Our message id or a wamid."
    )
    contact_wa_id: str | None = strawberry.field(
        default=None, description="Messages with this customer (their number, with or without +)."
    )
    session_id: strawberry.ID | None = strawberry.field(
        default=None, description="Messages in this session."
    )
    changes: list[MessageChange] | None = strawberry.field(
        default=None, description="Only these changes (e.g. [DELIVERED, READ]); all if omitted."
    )


@strawberry.input(description="Every given condition must hold.")
class LiveEventFilter:
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
        default=None, description="About this message (our id or a wamid)."
    )
