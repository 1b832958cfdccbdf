"""Resolvers for templates and their sync, and this domain's part of the roots
(`schema.root` merges `TemplateQuery` and `TemplateMutation` into Query and Mutation)."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.errors import UserError
from schema.permissions import CanRead, IsAdmin
from schema.templates import SyncTemplatesPayload, TemplateFilter
from schema.types import Template
from whatsapp.kit.errors import WagraphError
from whatsapp.templates import store as templates
from whatsapp.templates import sync as template_sync


async def templates_(info: Info, filter: TemplateFilter | None = None) -> list[Template]:
    f = filter or TemplateFilter()
    rows = await templates.list_templates(
        business_id=info.context.runtime.business_id,
        name=f.name,
        language=f.language,
        statuses=f.status or (),
        category=f.category,
        include_removed=f.include_removed,
    )
    return [Template.from_model(row) for row in rows]


async def template(info: Info, id: strawberry.ID) -> Template | None:
    row = await templates.get_template(str(id))
    return Template.from_model(row) if row else None


async def sync_templates(info: Info) -> SyncTemplatesPayload:
    try:
        result = await template_sync.sync_templates(info.context.runtime)
    except WagraphError as exc:
        return SyncTemplatesPayload(errors=[UserError.from_problem(p) for p in exc.problems])
    return SyncTemplatesPayload.from_result(result)


@strawberry.type
class TemplateQuery:
    templates: list[Template] = strawberry.field(
        resolver=templates_,
        permission_classes=[CanRead],
        description="The business account's templates as last synced, by name and language.",
    )
    template: Template | None = strawberry.field(resolver=template, permission_classes=[CanRead])


@strawberry.type
class TemplateMutation:
    sync_templates: SyncTemplatesPayload = strawberry.mutation(
        resolver=sync_templates,
        permission_classes=[IsAdmin],
        description="Pull every template from Meta: create, update, and mark removed the ones "
        "Meta no longer lists. Admin scope.",
    )
