"""Mutation payloads: the result and `errors: [UserError!]!`."""

from __future__ import annotations

import strawberry

from schema.errors import UserError
from schema.types import Media, Message


@strawberry.type
class SendMessagePayload:
    message: Message | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
    replayed: bool = strawberry.field(
        default=False, description="True when an idempotencyKey matched an earlier send."
    )


@strawberry.type
class MarkAsReadPayload:
    message: Message | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UploadMediaPayload:
    media: Media | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ApiKeyInfo:
    id: strawberry.ID
    name: str
    prefix: str
    scope: str


@strawberry.type
class CreateApiKeyPayload:
    api_key: ApiKeyInfo | None = None
    key: str | None = strawberry.field(default=None, description="Shown once; store it now.")
    errors: list[UserError] = strawberry.field(default_factory=list)
