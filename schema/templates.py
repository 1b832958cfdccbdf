"""GraphQL face of templates: Template, its filter, and what a sync did."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from models import WhatsAppTemplate
from schema.errors import UserError
from whatsapp.templates.sync import SyncResult


@strawberry.type(description="A message template as Meta knows it.")
class Template:
    id: strawberry.ID = strawberry.field(description="Ours.")
    name: str = strawberry.field(description="Unique per language in the business account.")
    language: str = strawberry.field(description="e.g. en_US.")
    status: str = strawberry.field(
        description="APPROVED, PENDING, REJECTED, PAUSED, ...; DELETED once Meta no longer "
        "lists it."
    )
    category: str | None = strawberry.field(description="MARKETING, UTILITY or AUTHENTICATION.")
    parameter_format: str = strawberry.field(description="POSITIONAL ({{1}}) or NAMED.")
    components: JSON = strawberry.field(description="Header, body, footer and buttons, as Meta's.")
    quality_score: str | None = strawberry.field(description="Meta's rating: GREEN, YELLOW, RED.")
    rejected_reason: str | None = strawberry.field(description="Why Meta rejected it.")
    meta_id: str | None = strawberry.field(description="Meta's template id.")
    synced_at: datetime | None = strawberry.field(description="Last seen in Meta's listing.")
    removed_at: datetime | None = strawberry.field(
        description="When Meta stopped listing it; null while it is listed."
    )

    @classmethod
    def from_model(cls, row: WhatsAppTemplate) -> Template:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            language=row.language,
            status=row.status,
            category=row.category,
            parameter_format=row.parameter_format,
            components=JSON(row.components),
            quality_score=row.quality_score,
            rejected_reason=row.rejected_reason,
            meta_id=row.meta_id,
            synced_at=row.synced_at,
            removed_at=row.removed_at,
        )


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
    unchanged: int | None = strawberry.field(default=None, description="Already up to date.")
    removed: int | None = strawberry.field(
        default=None, description="No longer listed by Meta: now DELETED, with removedAt."
    )
    pages: int | None = strawberry.field(default=None, description="Pages fetched from Meta.")
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )

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
