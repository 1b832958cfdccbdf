"""Resolvers for automations, their runs and `tagContact`, and this domain's part of the roots
(`schema.root` merges `AutomationQuery` and `AutomationMutation` into Query and Mutation)."""

from __future__ import annotations

from typing import Any

import strawberry

from schema.automations import (
    Automation,
    AutomationPayload,
    AutomationRunConnection,
    AutomationRunStatus,
    ContactPayload,
    CreateAutomationInput,
    DeleteAutomationPayload,
    UpdateAutomationInput,
)
from schema.context import Info
from schema.errors import UserError
from schema.inputs import to_plain
from schema.permissions import CanRead, CanWrite
from schema.types import Contact
from whatsapp.automations import engine as automations
from whatsapp.conversations import tags
from whatsapp.kit.errors import FieldPath, WagraphError


def _errors(exc: WagraphError) -> list[UserError]:
    """Problems with the automation's id point at `id`; the others into `input`."""
    return [
        UserError(
            code=p.code,
            message=p.message,
            field=_path(p.field),
            cloud_api_code=p.cloud_api_code,
        )
        for p in exc.problems
    ]


def _path(field: FieldPath | None) -> list[str] | None:
    if field is None:
        return None
    return list(field) if field == ("id",) else ["input", *field]


def _given(value: Any, convert: Any = None) -> Any:
    """An update field: KEEP when the client left it out."""
    if value is strawberry.UNSET:
        return automations.KEEP
    return convert(value) if convert else value


async def automations_(info: Info) -> list[Automation]:
    return [Automation.from_model(row) for row in await automations.list_automations()]


async def automation(info: Info, id: strawberry.ID) -> Automation | None:
    row = await automations.get_automation(str(id))
    return Automation.from_model(row) if row else None


async def automation_runs(
    info: Info,
    automation_id: strawberry.ID | None = None,
    status: list[AutomationRunStatus] | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> AutomationRunConnection:
    page = await automations.list_runs(
        automation_id=str(automation_id) if automation_id is not None else None,
        statuses=tuple(status or ()),
        first=first,
        after=after,
    )
    return AutomationRunConnection.from_page(page)


async def create_automation(info: Info, input: CreateAutomationInput) -> AutomationPayload:
    try:
        row = await automations.create_automation(
            name=input.name,
            description=input.description,
            trigger=input.trigger,
            conditions=to_plain(input.conditions or []),
            actions=input.actions,
            enabled=input.enabled,
            cooldown_seconds=input.cooldown_seconds,
        )
    except WagraphError as exc:
        return AutomationPayload(errors=_errors(exc))
    return AutomationPayload(automation=Automation.from_model(row))


async def update_automation(
    info: Info, id: strawberry.ID, input: UpdateAutomationInput
) -> AutomationPayload:
    try:
        row = await automations.update_automation(
            str(id),
            name=_given(input.name),
            description=_given(input.description),
            trigger=_given(input.trigger),
            conditions=_given(input.conditions, lambda c: to_plain(c or [])),
            actions=_given(input.actions),
            enabled=_given(input.enabled),
            cooldown_seconds=_given(input.cooldown_seconds),
        )
    except WagraphError as exc:
        return AutomationPayload(errors=_errors(exc))
    return AutomationPayload(automation=Automation.from_model(row))


async def set_automation_enabled(info: Info, id: strawberry.ID, enabled: bool) -> AutomationPayload:
    try:
        row = await automations.set_automation_enabled(str(id), enabled=enabled)
    except WagraphError as exc:
        return AutomationPayload(errors=_errors(exc))
    return AutomationPayload(automation=Automation.from_model(row))


async def delete_automation(info: Info, id: strawberry.ID) -> DeleteAutomationPayload:
    try:
        deleted = await automations.delete_automation(str(id))
    except WagraphError as exc:
        return DeleteAutomationPayload(errors=_errors(exc))
    return DeleteAutomationPayload(deleted_id=strawberry.ID(str(deleted)))


async def tag_contact(
    info: Info,
    wa_id: str,
    add: list[str] | None = None,
    remove: list[str] | None = None,
) -> ContactPayload:
    try:
        row = await tags.tag_contact(wa_id, add=add or [], remove=remove or [])
    except WagraphError as exc:
        return ContactPayload(errors=[UserError.from_problem(p) for p in exc.problems])
    return ContactPayload(contact=Contact.from_model(row))


def _read(resolver: Any, description: str | None = None) -> Any:
    return strawberry.field(
        resolver=resolver, permission_classes=[CanRead], description=description
    )


def _write(resolver: Any, description: str | None = None) -> Any:
    return strawberry.mutation(
        resolver=resolver, permission_classes=[CanWrite], description=description
    )


@strawberry.type
class AutomationQuery:
    automations: list[Automation] = _read(automations_, "Every automation, oldest first.")
    automation: Automation | None = _read(automation)
    automation_runs: AutomationRunConnection = _read(
        automation_runs, "The run log, newest first; filter by automation and status."
    )


@strawberry.type
class AutomationMutation:
    create_automation: AutomationPayload = _write(create_automation)
    update_automation: AutomationPayload = _write(update_automation)
    set_automation_enabled: AutomationPayload = _write(set_automation_enabled)
    delete_automation: DeleteAutomationPayload = _write(
        delete_automation, "Delete an automation and its run log."
    )
    tag_contact: ContactPayload = _write(
        tag_contact, "Add and remove tags (1-64 letters, digits or _ . : -) on a contact."
    )
