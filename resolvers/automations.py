"""Automations: define them, switch them on and off, test them on a past event, and read their
run log."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from models.enums import ApiKeyScope, AutomationRunStatus
from schema.automations import (
    Automation,
    AutomationPayload,
    AutomationRun,
    AutomationRunConnection,
    AutomationTest,
    CreateAutomationInput,
    DeleteAutomationPayload,
    UpdateAutomationInput,
)
from schema.context import Info
from schema.fields import mutation, query
from schema.plain import to_plain
from whatsapp.automations import definitions, dry_run


def _given(value: Any, convert: Callable[[Any], Any] | None = None) -> Any:
    """An update field: KEEP when the client left it out."""
    if value is strawberry.UNSET:
        return definitions.KEEP
    return convert(value) if convert else value


def _actions(actions: list[JSON] | None) -> Sequence[Mapping[str, Any]]:
    # Not checked here: the core checks each action is an object, reporting at its index.
    return cast(Sequence[Mapping[str, Any]], actions or [])


async def automations() -> list[Automation]:
    return [Automation.from_model(row) for row in await definitions.list_automations()]


async def automation(id: strawberry.ID) -> Automation | None:
    row = await definitions.get_automation(automation_id=str(id))
    return Automation.from_model(row) if row else None


async def automation_runs(
    info: Info,
    automation_id: strawberry.ID | None = None,
    status: list[AutomationRunStatus] | None = None,
    first: int | None = 20,
    after: str | None = None,
    contact_id: strawberry.ID | None = None,
    session_id: strawberry.ID | None = None,
) -> AutomationRunConnection:
    page = await definitions.list_runs(
        automation_id=None if automation_id is None else str(automation_id),
        statuses=tuple(status or ()),
        contact_id=None if contact_id is None else str(contact_id),
        session_id=None if session_id is None else str(session_id),
        first=first,
        after=after,
    )
    key = info.context.api_key
    operator = key is not None and ApiKeyScope(key.scope).allows(ApiKeyScope.ADMIN)
    return AutomationRunConnection.from_page(
        page, lambda row: AutomationRun.from_model(row, operator=operator)
    )


async def test_automation(
    info: Info, id: strawberry.ID, event_id: strawberry.ID
) -> AutomationTest | None:
    result = await dry_run.dry_run(info.context.runtime, str(id), str(event_id))
    return AutomationTest.from_result(result)


async def create_automation(input: CreateAutomationInput) -> AutomationPayload:
    row = await definitions.create_automation(
        name=input.name,
        description=input.description,
        trigger=input.trigger,
        conditions=to_plain(input.conditions or []),
        actions=_actions(input.actions),
        enabled=input.enabled,
        cooldown_seconds=input.cooldown_seconds,
    )
    return AutomationPayload(automation=Automation.from_model(row))


async def update_automation(id: strawberry.ID, input: UpdateAutomationInput) -> AutomationPayload:
    row = await definitions.update_automation(
        automation_id=str(id),
        name=_given(input.name),
        description=_given(input.description),
        trigger=_given(input.trigger),
        conditions=_given(input.conditions, lambda c: to_plain(c or [])),
        actions=_given(input.actions),
        enabled=_given(input.enabled),
        cooldown_seconds=_given(input.cooldown_seconds),
    )
    return AutomationPayload(automation=Automation.from_model(row))


async def set_automation_enabled(id: strawberry.ID, enabled: bool) -> AutomationPayload:
    row = await definitions.set_automation_enabled(automation_id=str(id), enabled=enabled)
    return AutomationPayload(automation=Automation.from_model(row))


async def delete_automation(id: strawberry.ID) -> DeleteAutomationPayload:
    deleted = await definitions.delete_automation(automation_id=str(id))
    return DeleteAutomationPayload(deleted_id=strawberry.ID(str(deleted)))


@strawberry.type
class AutomationQuery:
    automations: list[Automation] = query(
        automations, description="Every automation, oldest first."
    )
    automation: Automation | None = query(automation, description="An automation by id.")
    automation_runs: AutomationRunConnection = query(
        automation_runs,
        description="The run log, newest first; filter by automation, status, contact, or "
        "session (the runs its events triggered).",
    )
    # A query with read scope: it writes and sends nothing, and shows only what a read key can
    # already read (the definition, the event) put together.
    test_automation: AutomationTest | None = query(
        test_automation,
        description="A dry run: would the automation fire on that recorded event (trigger, each "
        "condition, loop guard, cooldown, enabled) and what would each action do (the template "
        "send, tag change, webhook request, notify text). Nothing is written or sent. An "
        "unknown automation or event is a NOT_FOUND error (field id or eventId).",
    )


@strawberry.type
class AutomationMutation:
    create_automation: AutomationPayload = mutation(
        create_automation, description="Create an automation; it is checked whole."
    )
    update_automation: AutomationPayload = mutation(
        update_automation, description="Change the given fields; the result is checked whole."
    )
    set_automation_enabled: AutomationPayload = mutation(
        set_automation_enabled, description="Switch an automation on or off."
    )
    delete_automation: DeleteAutomationPayload = mutation(
        delete_automation, description="Delete an automation and its run log."
    )
