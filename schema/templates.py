"""GraphQL face of templates: Template, its filter, and what a sync did."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from models import WhatsAppTemplate
from schema.errors import UserError
from whatsapp.templates.sync import SyncResult


@strawberry.type(description="Meta's extra words on a status: a pause's or lock's explanation.")
class TemplateOtherInfo:
    title: str | None = strawberry.field(description="e.g. FIRST_PAUSE.")
    description: str | None = strawberry.field(description="In Meta's words.")


@strawberry.type(description="Why the template has its status: the last status webhook's details.")
class TemplateStatusDetails:
    event: str = strawberry.field(description="The status event: PAUSED, DISABLED, FLAGGED, ...")
    reason: str | None = strawberry.field(description="Meta's reason (null for NONE).")
    disable_date: str | None = strawberry.field(
        description="When the template is (or was) disabled, as Meta gave it."
    )
    other_info: TemplateOtherInfo | None = strawberry.field(
        description="Meta's explanation of a pause or lock."
    )
    at: datetime | None = strawberry.field(description="When we heard it.")

    @classmethod
    def of(cls, details: Mapping[str, Any]) -> TemplateStatusDetails:
        disable = details.get("disableInfo") or {}
        other = details.get("otherInfo")
        return cls(
            event=str(details.get("event") or ""),
            reason=details.get("reason"),
            disable_date=_text(disable.get("disable_date") or disable.get("disableDate")),
            other_info=(
                TemplateOtherInfo(
                    title=_text(other.get("title")), description=_text(other.get("description"))
                )
                if isinstance(other, Mapping)
                else None
            ),
            at=_time(details.get("at")),
        )


@strawberry.type(description="A button of a template as Meta now holds it.")
class TemplateButtonUpdate:
    type: str | None = strawberry.field(description="URL, PHONE_NUMBER, QUICK_REPLY, ...")
    text: str | None = strawberry.field(description="Its label.")
    url: str | None = strawberry.field(description="A URL button's address.")
    phone_number: str | None = strawberry.field(description="A call button's number.")


@strawberry.type(
    description="The template's components as Meta reported them after an edit "
    "(message_template_components_update)."
)
class TemplateComponentsUpdate:
    body: str | None = strawberry.field(description="The body text.")
    title: str | None = strawberry.field(description="The header text.")
    footer: str | None = strawberry.field(description="The footer text.")
    buttons: list[TemplateButtonUpdate] = strawberry.field(description="The buttons, in order.")
    at: datetime | None = strawberry.field(description="When we heard it.")

    @classmethod
    def of(cls, update: Mapping[str, Any]) -> TemplateComponentsUpdate:
        return cls(
            body=_text(update.get("body")),
            title=_text(update.get("title")),
            footer=_text(update.get("footer")),
            buttons=[
                TemplateButtonUpdate(
                    type=_text(button.get("type")),
                    text=_text(button.get("text")),
                    url=_text(button.get("url")),
                    phone_number=_text(button.get("phoneNumber")),
                )
                for button in update.get("buttons") or []
                if isinstance(button, Mapping)
            ],
            at=_time(update.get("at")),
        )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


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
    status_details: TemplateStatusDetails | None = strawberry.field(
        description="Why it has its status (the last status webhook: reason, disable date, "
        "Meta's explanation); null before any."
    )
    components_update: TemplateComponentsUpdate | None = strawberry.field(
        description="Its components as Meta reported them after its last edit; null before any."
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
            status_details=(
                TemplateStatusDetails.of(row.status_details) if row.status_details else None
            ),
            components_update=(
                TemplateComponentsUpdate.of(row.components_update)
                if row.components_update
                else None
            ),
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
