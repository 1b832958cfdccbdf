"""GraphQL face of groups (Groups API): a group, its participants and its messages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from models import WhatsAppGroup
from schema.connection import Connection
from schema.context import Info
from schema.messages import Message, MessageConnection

FIRST = 20


@strawberry.type(description="A participant of a group, as Meta last reported them.")
class GroupParticipant:
    wa_id: str | None = strawberry.field(description="Their phone number, when Meta gives it.")
    bsuid: str | None = strawberry.field(description="Their business-scoped user id (CC.…).")

    @classmethod
    def of(cls, raw: dict[str, Any]) -> GroupParticipant:
        return cls(wa_id=raw.get("waId"), bsuid=raw.get("bsuid"))


@strawberry.type(
    description="A WhatsApp group on one of our numbers (Groups API): known from Meta's group "
    "webhooks and the messages written in it; send to it with `groupId`."
)
class Group:
    id: strawberry.ID = strawberry.field(description="Ours.")
    meta_id: str = strawberry.field(description="Meta's group id (a long opaque string).")
    phone_number_id: str | None = strawberry.field(description="Our number in the group.")
    subject: str | None = strawberry.field(description="The group's name.")
    description: str | None = strawberry.field(description="The group's description.")
    state: str | None = strawberry.field(
        description="As Meta last reported it: ACTIVE, SUSPENDED or DELETED (null: not yet)."
    )
    settings: JSON | None = strawberry.field(
        description="The last settings webhook's content, merged (subject, description…)."
    )
    participants: list[GroupParticipant] = strawberry.field(
        description="Who is in it, as Meta's participant webhooks reported them."
    )
    last_message_at: datetime | None = strawberry.field(
        description="When a participant last wrote: the group's 24-hour window runs from it."
    )
    created_at: datetime = strawberry.field(description="When we first heard of it.")
    updated_at: datetime = strawberry.field(description="Its last change.")
    _id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Its messages, both ways, newest first.")
    async def messages(
        self, info: Info, first: int | None = FIRST, after: str | None = None
    ) -> MessageConnection:
        page = await info.context.loaders.group_messages.load(self._id, first, after)
        return MessageConnection.from_page(page, Message.from_model)

    @classmethod
    def from_model(cls, row: WhatsAppGroup) -> Group:
        return cls(
            id=strawberry.ID(str(row.id)),
            meta_id=row.meta_id,
            phone_number_id=row.phone_number_id,
            subject=row.subject,
            description=row.description,
            state=row.state,
            settings=JSON(row.settings),
            participants=[GroupParticipant.of(p) for p in row.participants or []],
            last_message_at=row.last_message_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            _id=row.id,
        )


@strawberry.type(description="A page of groups, newest first.")
class GroupConnection(Connection[Group]):
    pass
