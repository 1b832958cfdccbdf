"""Templates: read them as last synced, and sync them from Meta (admin)."""

from __future__ import annotations

import strawberry

from models import ApiKeyScope
from schema.context import Info
from schema.fields import mutation, query
from schema.templates import SyncTemplatesPayload, Template, TemplateFilter
from whatsapp.templates import store, sync


async def templates(info: Info, filter: TemplateFilter | None = None) -> list[Template]:
    f = filter or TemplateFilter()
    rows = await store.list_templates(
        business_id=info.context.runtime.business_id,
        name=f.name,
        language=f.language,
        statuses=f.status or (),
        category=f.category,
        include_removed=f.include_removed,
    )
    return [Template.from_model(row) for row in rows]


async def template(id: strawberry.ID) -> Template | None:
    row = await store.get_template(template_id=str(id))
    return Template.from_model(row) if row else None


async def sync_templates(info: Info) -> SyncTemplatesPayload:
    result = await sync.sync_templates(info.context.runtime)
    return SyncTemplatesPayload.from_result(result)


@strawberry.type
class TemplateQuery:
    templates: list[Template] = query(
        templates,
        description="The business account's templates as last synced, by name and language.",
    )
    template: Template | None = query(template, description="A template by our id.")


@strawberry.type
class TemplateMutation:
    sync_templates: SyncTemplatesPayload = mutation(
        sync_templates,
        scope=ApiKeyScope.ADMIN,
        description="Pull every template from Meta: create, update, and mark removed the ones "
        "Meta no longer lists. Admin scope.",
    )
