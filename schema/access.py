"""GraphQL face of access: API keys, created by admins and shown once."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models import ApiKey
from models.enums import ApiKeyScope
from schema.errors import UserError

strawberry.enum(ApiKeyScope, description="What a key may do: read < write < admin.")


@strawberry.type(description="An API key as stored: never the key itself, only its hash.")
class ApiKeyInfo:
    id: strawberry.ID = strawberry.field(description="Ours.")
    name: str = strawberry.field(description="Yours, to tell keys apart.")
    prefix: str = strawberry.field(description="The key's first characters, to recognise it.")
    scope: str = strawberry.field(description="read, write or admin.")
    created_at: datetime = strawberry.field(description="When it was created.")
    last_used_at: datetime | None = strawberry.field(
        description="Its last use, to the minute; null if never used."
    )
    expires_at: datetime | None = strawberry.field(
        description="Refused from this moment on; null = never expires."
    )
    revoked_at: datetime | None = strawberry.field(
        description="When it was revoked (refused everywhere within seconds); null = active."
    )

    @classmethod
    def from_model(cls, row: ApiKey) -> ApiKeyInfo:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            prefix=row.prefix,
            scope=row.scope.value,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
        )


@strawberry.type(description="The new key, shown once, or why not.")
class CreateApiKeyPayload:
    api_key: ApiKeyInfo | None = strawberry.field(default=None, description="As stored.")
    key: str | None = strawberry.field(default=None, description="Shown once; store it now.")
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


@strawberry.type(description="The key as changed (revoked, new scope), or why not.")
class ApiKeyPayload:
    api_key: ApiKeyInfo | None = strawberry.field(default=None, description="As stored now.")
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )
