"""GraphQL face of calls: Call (a voice call or a call-permission reply) and its page.

Contact imports this module (`Contact.calls`), so it is named lazily here.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from models import WhatsAppCall
from models.enums import CallKind, MessageDirection
from schema.connection import Connection
from schema.context import Info

if TYPE_CHECKING:
    from schema.conversations import Contact

LazyContact = Annotated["Contact", strawberry.lazy("schema.conversations")]

strawberry.enum(
    CallKind,
    description="CALL: a voice call; PERMISSION_REPLY: the customer's answer to a request to "
    "call them.",
)


@strawberry.type(
    description="A voice call (Cloud API Calling) or a customer's answer to a call-permission "
    "request, as Meta reported it."
)
class Call:
    id: strawberry.ID = strawberry.field(description="Ours.")
    call_id: str = strawberry.field(
        description="Meta's call id (wacid.…), or the wamid of a permission reply."
    )
    kind: CallKind = strawberry.field(description="A call or a permission reply.")
    direction: MessageDirection = strawberry.field(
        description="INBOUND: the customer called (or answered a request); OUTBOUND: we did."
    )
    status: str = strawberry.field(
        description="Meta's latest word: RINGING, ACCEPTED, CONNECTED, REJECTED, COMPLETED, "
        "FAILED; for a permission reply ACCEPTED or REJECTED."
    )
    phone_number_id: str | None = strawberry.field(description="Our business number's id.")
    customer_wa_id: str | None = strawberry.field(description="The customer's number, if given.")
    customer_bsuid: str | None = strawberry.field(
        description="The customer's business-scoped user id, if given."
    )
    started_at: datetime | None = strawberry.field(
        description="When the call began (first heard of); a reply: when it was given."
    )
    connected_at: datetime | None = strawberry.field(
        description="When it connected (Meta's connect, else the terminate's start time)."
    )
    ended_at: datetime | None = strawberry.field(description="When it ended or was rejected.")
    duration_seconds: int | None = strawberry.field(description="How long it lasted.")
    permission_expires_at: datetime | None = strawberry.field(
        description="A permission reply: until when we may call them."
    )
    permanent_permission: bool | None = strawberry.field(
        description="A permission reply: whether it never expires."
    )
    history: JSON = strawberry.field(
        description="Everything Meta said about it, in the order applied (SDP bodies left out)."
    )
    created_at: datetime = strawberry.field(description="When we first heard of it.")
    updated_at: datetime = strawberry.field(description="Its last change.")
    _row: strawberry.Private[WhatsAppCall]

    @strawberry.field(description="The customer.")
    async def contact(self, info: Info) -> LazyContact | None:
        from schema.conversations import Contact

        key = self._row.contact_id
        row = await info.context.loaders.contact.load(key) if key else None
        return Contact.from_model(row) if row else None

    @classmethod
    def from_model(cls, row: WhatsAppCall) -> Call:
        return cls(
            id=strawberry.ID(str(row.id)),
            call_id=row.meta_id,
            kind=row.kind,
            direction=row.direction,
            status=row.status,
            phone_number_id=row.phone_number_id,
            customer_wa_id=row.customer_wa_id,
            customer_bsuid=row.customer_bsuid,
            started_at=row.started_at,
            connected_at=row.connected_at,
            ended_at=row.ended_at,
            duration_seconds=row.duration_seconds,
            permission_expires_at=row.permission_expires_at,
            permanent_permission=row.permanent_permission,
            history=JSON(list(row.history or [])),
            created_at=row.created_at,
            updated_at=row.updated_at,
            _row=row,
        )


@strawberry.type(description="A page of calls, the most recently heard of first.")
class CallConnection(Connection[Call]):
    pass
