"""GraphQL face of the webhook inbox: deliveries counted, items set aside and replayed."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from models import DeadLetterStatus, WebhookDeadLetter
from schema.connection import Connection
from schema.errors import UserError

strawberry.enum(
    DeadLetterStatus,
    description="PENDING: waiting for a fix and a replay; REPLAYED: applied; DISCARDED: dropped "
    "by an operator.",
)


@strawberry.type(
    name="WebhookDeadLetter",
    description="One item of a Meta delivery that could not be applied (its shape), kept raw "
    "with the reason while the rest of the delivery was applied.",
)
class DeadLetter:
    id: strawberry.ID = strawberry.field(description="Ours.")
    delivery_id: strawberry.ID | None = strawberry.field(description="The delivery it came in.")
    field: str = strawberry.field(description="Meta's webhook field, e.g. messages.")
    kind: str = strawberry.field(
        description="What the item is: message, status, call, echo, preference, error, value "
        "(a field's whole value) or malformed (a piece of the envelope)."
    )
    position: str = strawberry.field(description="Where it sat in its delivery.")
    reason: str = strawberry.field(description="Why it could not be applied (the last time).")
    status: DeadLetterStatus = strawberry.field(description="Waiting, replayed or discarded.")
    attempts: int = strawberry.field(description="Times it was tried (the first one included).")
    item: JSON = strawberry.field(description="The item exactly as Meta sent it.")
    created_at: datetime = strawberry.field(description="When it was set aside.")
    replayed_at: datetime | None = strawberry.field(description="When a replay applied it.")

    @classmethod
    def from_model(cls, row: WebhookDeadLetter) -> DeadLetter:
        return cls(
            id=strawberry.ID(str(row.id)),
            delivery_id=strawberry.ID(str(row.delivery_id)) if row.delivery_id else None,
            field=row.field,
            kind=row.kind,
            position=row.position,
            reason=row.reason,
            status=row.status,
            attempts=row.attempts,
            item=JSON(row.item),
            created_at=row.created_at,
            replayed_at=row.replayed_at,
        )


@strawberry.type(description="A page of dead letters, newest first.")
class WebhookDeadLetterConnection(Connection[DeadLetter]):
    pass


@strawberry.type(description="Deliveries and dead letters by state.")
class WebhookInboxStatus:
    pending: int = strawberry.field(description="Deliveries waiting for a (next) attempt.")
    processed: int = strawberry.field(description="Deliveries applied.")
    failed: int = strawberry.field(
        description="Deliveries that failed every attempt (waiting for `wagraph webhooks replay`)."
    )
    dead_letters_pending: int = strawberry.field(description="Items set aside, not yet replayed.")
    dead_letters_replayed: int = strawberry.field(description="Items applied by a replay.")
    dead_letters_discarded: int = strawberry.field(description="Items an operator dropped.")


@strawberry.type(description="The dead letters as they are after the replay, or why not.")
class ReplayWebhookDeadLettersPayload:
    dead_letters: list[DeadLetter] = strawberry.field(
        default_factory=list,
        description="REPLAYED when applied; still PENDING, with the new reason, when not.",
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


@strawberry.type(description="The discarded dead letter, or why not.")
class DiscardWebhookDeadLetterPayload:
    dead_letter: DeadLetter | None = strawberry.field(default=None, description="Now DISCARDED.")
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )
