"""GraphQL inputs and payloads for templates and their sync.

The Query/Mutation parts live with their resolvers (`resolvers.templates`), which import this
module; `schema.root` merges them into the roots.
"""

from __future__ import annotations

import strawberry

from schema.errors import UserError
from whatsapp.templates.sync import SyncResult


@strawberry.input(description="Every given condition must hold.")
class TemplateFilter:
    name: str | None = strawberry.field(default=None, description="Part of the name, any case.")
    language: str | None = strawberry.field(default=None, description="Exactly, e.g. en_US.")
    status: list[str] | None = strawberry.field(
        default=None, description="Any of these (APPROVED, PENDING, REJECTED, PAUSED, ...)."
    )
    category: str | None = strawberry.field(
        default=None, description="MARKETING, UTILITY or AUTHENTICATION."
    )
    include_removed: bool = strawberry.field(
        default=False,
        description="Also templates Meta no longer lists (status DELETED, removedAt set).",
    )


@strawberry.type(description="What a template sync did; the counts are null when it failed.")
class SyncTemplatesPayload:
    fetched: int | None = strawberry.field(
        default=None, description="Distinct templates in Meta's listing."
    )
    created: int | None = strawberry.field(default=None, description="New here.")
    updated: int | None = strawberry.field(
        default=None, description="Changed at Meta, or listed again after being removed."
    )
    unchanged: int | None = None
    removed: int | None = strawberry.field(
        default=None, description="No longer listed by Meta: now DELETED, with removedAt."
    )
    pages: int | None = strawberry.field(default=None, description="Pages fetched from Meta.")
    errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def from_result(cls, result: SyncResult) -> SyncTemplatesPayload:
        return cls(
            fetched=result.fetched,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            removed=result.removed,
            pages=result.pages,
        )
