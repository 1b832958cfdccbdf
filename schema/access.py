"""GraphQL face of access: API keys, created by admins and shown once."""

from __future__ import annotations

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

    @classmethod
    def from_model(cls, row: ApiKey) -> ApiKeyInfo:
        return cls(
            id=strawberry.ID(str(row.id)), name=row.name, prefix=row.prefix, scope=row.scope.value
        )


@strawberry.type(description="The new key, shown once, or why not.")
class CreateApiKeyPayload:
    api_key: ApiKeyInfo | None = strawberry.field(default=None, description="As stored.")
    key: str | None = strawberry.field(default=None, description="Shown once; store it now.")
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )
