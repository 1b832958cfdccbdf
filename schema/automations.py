"""GraphQL types, inputs and payloads for automations and their runs (and `tagContact`).

The Query/Mutation parts live with their resolvers (`resolvers.automations`), which import
this module; `schema.root` merges them into the roots.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from models import WhatsAppAutomation, WhatsAppAutomationRun
from models import enums as model_enums
from schema.context import Info
from schema.errors import UserError
from schema.types import Contact, CountedPage, PageInfo, page_edges, page_info_of
from whatsapp.automations.engine import public_actions
from whatsapp.kit.paging import Page

AutomationRunStatus = strawberry.enum(
    model_enums.AutomationRunStatus,
    description="PENDING -> RUNNING -> SUCCEEDED | FAILED; SKIPPED when a cooldown or a "
    "disabled automation stopped it.",
)

TRIGGER = "An event name (message.sent) or an fnmatch pattern (flow.*, message.*)."
ACTIONS = (
    "Run in order until one fails. Each is an object with a `type` and its settings: "
    "template {name, language, header, body, buttons} (strings may hold placeholders such as "
    "{{event.properties.orderId}} or {{contact.profileName}}); webhook {url, headers, "
    "timeoutSeconds, maxAttempts, secret}; tag {add, remove, target: contact|session|both}. "
    'Secrets read back as "********"; sending that back keeps the stored secret.'
)
COOLDOWN = "Seconds during which the automation fires at most once per contact (0: no cooldown)."


@strawberry.enum(description="How a condition compares the value at `path` with `value`.")
class ConditionOperator(StrEnum):
    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"
    EXISTS = "exists"
    CONTAINS = "contains"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"


@strawberry.type(description="A test on the event; every condition must hold.")
class AutomationCondition:
    path: str = strawberry.field(
        description="Dotted path: name, source, properties.x, or a property such as "
        "metadata.orderId directly."
    )
    op: ConditionOperator
    value: JSON | None


@strawberry.type(description="When an event matches the trigger and conditions, run actions.")
class Automation:
    id: strawberry.ID
    name: str
    description: str | None
    trigger: str = strawberry.field(description=TRIGGER)
    conditions: list[AutomationCondition]
    actions: list[JSON] = strawberry.field(description=ACTIONS)
    enabled: bool
    cooldown_seconds: int = strawberry.field(description=COOLDOWN)
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, row: WhatsAppAutomation) -> Automation:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            description=row.description,
            trigger=row.trigger,
            conditions=[
                AutomationCondition(
                    path=c["path"], op=ConditionOperator(c["op"]), value=c.get("value")
                )
                for c in row.conditions or []
            ],
            actions=public_actions(row),
            enabled=row.enabled,
            cooldown_seconds=row.cooldown_seconds,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="One execution of an automation for one event (the audit log).")
class AutomationRun:
    id: strawberry.ID
    automation_id: strawberry.ID
    status: AutomationRunStatus
    event_id: strawberry.ID | None
    event_name: str | None
    results: list[JSON] = strawberry.field(
        description="One entry per action: {type, ok, detail, durationMs}."
    )
    error: str | None = strawberry.field(description="Why the run failed, or why it was skipped.")
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None
    created_at: datetime
    _contact_id: strawberry.Private[Any]

    @strawberry.field(description="The contact the event was about.")
    async def contact_wa_id(self, info: Info) -> str | None:
        if self._contact_id is None:
            return None
        row = await info.context.loaders.contact.load(self._contact_id)
        return row.wa_id if row else None

    @classmethod
    def from_model(cls, row: WhatsAppAutomationRun) -> AutomationRun:
        return cls(
            id=strawberry.ID(str(row.id)),
            automation_id=strawberry.ID(str(row.automation_id)),
            status=row.status,
            event_id=strawberry.ID(str(row.event_id)) if row.event_id else None,
            event_name=row.event_name,
            results=list(row.results or []),
            error=row.error,
            started_at=row.started_at,
            finished_at=row.finished_at,
            duration_ms=row.duration_ms,
            created_at=row.created_at,
            _contact_id=row.contact_id,
        )


@strawberry.type
class AutomationRunEdge:
    cursor: str
    node: AutomationRun


@strawberry.type(description="A page of automation runs, newest first.")
class AutomationRunConnection(CountedPage):
    edges: list[AutomationRunEdge]
    page_info: PageInfo

    @classmethod
    def from_page(cls, page: Page[WhatsAppAutomationRun]) -> AutomationRunConnection:
        return cls(
            edges=page_edges(page, AutomationRunEdge, AutomationRun.from_model),
            page_info=page_info_of(page),
            _page=page,
        )


# -- inputs ------------------------------------------------------------------------------------


@strawberry.input
class AutomationConditionInput:
    path: str
    op: ConditionOperator
    value: JSON | None = strawberry.field(default=None, description="Not needed for EXISTS.")


@strawberry.input
class CreateAutomationInput:
    name: str
    trigger: str = strawberry.field(description=TRIGGER)
    actions: list[JSON] = strawberry.field(description=ACTIONS)
    description: str | None = None
    conditions: list[AutomationConditionInput] | None = None
    enabled: bool = True
    cooldown_seconds: int = strawberry.field(default=60, description=COOLDOWN)


@strawberry.input(description="Only the fields given change.")
class UpdateAutomationInput:
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    trigger: str | None = strawberry.field(default=strawberry.UNSET, description=TRIGGER)
    conditions: list[AutomationConditionInput] | None = strawberry.UNSET
    actions: list[JSON] | None = strawberry.field(default=strawberry.UNSET, description=ACTIONS)
    enabled: bool | None = strawberry.UNSET
    cooldown_seconds: int | None = strawberry.field(default=strawberry.UNSET, description=COOLDOWN)


# -- payloads ----------------------------------------------------------------------------------


@strawberry.type
class AutomationPayload:
    automation: Automation | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteAutomationPayload:
    deleted_id: strawberry.ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ContactPayload:
    contact: Contact | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
