"""GraphQL face of automations: Automation, its runs (the audit log), inputs and payloads."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from models import WhatsAppAutomation, WhatsAppAutomationRun
from models.enums import AutomationRunStatus
from schema.connection import Connection
from schema.context import Info
from schema.errors import UserError
from schema.events import Event
from whatsapp.automations.definitions import public_actions, shown_results
from whatsapp.automations.dry_run import ActionPreview, ConditionCheck, DryRun

strawberry.enum(
    AutomationRunStatus,
    description="PENDING -> RUNNING -> SUCCEEDED | FAILED; SKIPPED when a cooldown or a "
    "disabled automation stopped it.",
)

TRIGGER = "An event name (message.sent) or an fnmatch pattern (flow.*, message.*)."
ACTIONS = (
    "Run in order until one fails. Each is an object with a `type` and its settings: "
    "template {name, language, header, body | namedHeader, namedBody, buttons} (strings may "
    "hold placeholders such as {{event.properties.orderId}} or {{contact.profileName}}; it is "
    "skipped, with the reason, for a MARKETING template to a contact who opted out); "
    "webhook {url, headers, "
    "timeoutSeconds, maxAttempts, secret}; tag {add, remove, target: contact|session|both}; "
    "notify {channel: webhook|email|both, text, subject, details} (an operator message with the "
    "event's details, to the channels configured in settings). "
    "A webhook's URL must reach a public address unless WAGRAPH_OUTBOUND_ALLOW names it. "
    "Its secret and every header value are write-only, for every key: they read back as "
    '"********", and sending that back keeps the stored value.'
)
UNSET = strawberry.UNSET
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
    op: ConditionOperator = strawberry.field(description="How to compare.")
    value: JSON | None = strawberry.field(description="What to compare with (none for EXISTS).")


@strawberry.type(description="When an event matches the trigger and conditions, run actions.")
class Automation:
    id: strawberry.ID = strawberry.field(description="Ours.")
    name: str = strawberry.field(description="Yours, for people.")
    description: str | None = strawberry.field(description="Yours, for people.")
    trigger: str = strawberry.field(description=TRIGGER)
    conditions: list[AutomationCondition] = strawberry.field(
        description="Every one must hold for the automation to run."
    )
    actions: list[JSON] = strawberry.field(description=ACTIONS)
    enabled: bool = strawberry.field(description="A disabled automation matches nothing.")
    cooldown_seconds: int = strawberry.field(description=COOLDOWN)
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="Its last change.")

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
            actions=[JSON(action) for action in public_actions(row)],
            enabled=row.enabled,
            cooldown_seconds=row.cooldown_seconds,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="One execution of an automation for one event (the audit log).")
class AutomationRun:
    id: strawberry.ID = strawberry.field(description="Ours.")
    automation_id: strawberry.ID = strawberry.field(description="The automation that ran.")
    status: AutomationRunStatus = strawberry.field(description="Where the run is.")
    event_id: strawberry.ID | None = strawberry.field(description="The event that matched.")
    event_name: str | None = strawberry.field(
        description="That event's name (kept if the event is deleted)."
    )
    results: list[JSON] = strawberry.field(
        description="One entry per action: {type, ok, detail, durationMs}. A failed webhook's "
        'detail says only "Webhook delivery failed"; admin keys also see detail.operator '
        "{reason, status, attempts, host, response}: what happened (a refused address, a closed "
        "port, a timeout, the HTTP status and the answer's start)."
    )
    error: str | None = strawberry.field(description="Why the run failed, or why it was skipped.")
    started_at: datetime | None = strawberry.field(description="When it started running.")
    finished_at: datetime | None = strawberry.field(description="When it finished.")
    duration_ms: int | None = strawberry.field(description="How long it ran.")
    created_at: datetime = strawberry.field(description="When the event matched.")
    _contact_id: strawberry.Private[Any]

    @strawberry.field(
        description="The automation that ran (null once deleted; a page loads them at once)."
    )
    async def automation(self, info: Info) -> Automation | None:
        row = await info.context.loaders.automation.load(uuid.UUID(str(self.automation_id)))
        return Automation.from_model(row) if row else None

    @strawberry.field(description="The contact the event was about.")
    async def contact_wa_id(self, info: Info) -> str | None:
        if self._contact_id is None:
            return None
        row = await info.context.loaders.contact.load(self._contact_id)
        return row.wa_id if row else None

    @classmethod
    def from_model(cls, row: WhatsAppAutomationRun, *, operator: bool = False) -> AutomationRun:
        """`operator` (an admin key) also shows the operator's detail in the results."""
        return cls(
            id=strawberry.ID(str(row.id)),
            automation_id=strawberry.ID(str(row.automation_id)),
            status=row.status,
            event_id=strawberry.ID(str(row.event_id)) if row.event_id else None,
            event_name=row.event_name,
            results=[JSON(result) for result in shown_results(row, operator=operator)],
            error=row.error,
            started_at=row.started_at,
            finished_at=row.finished_at,
            duration_ms=row.duration_ms,
            created_at=row.created_at,
            _contact_id=row.contact_id,
        )


@strawberry.type(description="A page of automation runs, newest first.")
class AutomationRunConnection(Connection[AutomationRun]):
    pass


# -- dry run -----------------------------------------------------------------------------------


@strawberry.type(description="One condition tested on the event: the value found, and the result.")
class AutomationConditionCheck:
    path: str = strawberry.field(description="The condition's path.")
    op: ConditionOperator = strawberry.field(description="How it compares.")
    value: JSON | None = strawberry.field(description="What it compares with.")
    actual: JSON | None = strawberry.field(description="The event's value at the path (or null).")
    found: bool = strawberry.field(description="False when the path is missing from the event.")
    holds: bool = strawberry.field(description="Whether the condition holds.")

    @classmethod
    def from_check(cls, check: ConditionCheck) -> AutomationConditionCheck:
        return cls(
            path=check.path,
            op=ConditionOperator(check.op),
            value=check.value,
            actual=check.actual,
            found=check.found,
            holds=check.holds,
        )


@strawberry.type(description="What one action would do; nothing was written or sent.")
class AutomationActionPreview:
    index: int = strawberry.field(description="Its position in the actions (from 0).")
    type: str = strawberry.field(description="The action's type.")
    ok: bool = strawberry.field(description="It would succeed (or be skipped).")
    skipped: bool = strawberry.field(
        description="The runner would skip it, e.g. a MARKETING template to a contact who opted "
        "out; detail.reason says why."
    )
    detail: JSON = strawberry.field(
        description="What it would do: template {to, edge, payload, template}; tag "
        "{contactTags, sessionTags: {before, after}}; webhook {method, url, headers (values "
        "masked), body}; "
        "notify {channels, webhook {host, body}, email {from, to, subject, text}}."
    )
    error: str | None = strawberry.field(description="Why it would fail.")

    @classmethod
    def from_preview(cls, preview: ActionPreview) -> AutomationActionPreview:
        return cls(
            index=preview.index,
            type=preview.type,
            ok=preview.ok,
            skipped=preview.skipped,
            detail=JSON(preview.detail),
            error=preview.error,
        )


@strawberry.type(
    description="A dry run of an automation on a recorded event, by the matcher's rules; "
    "nothing is written or sent."
)
class AutomationTest:
    automation: Automation = strawberry.field(description="The automation tested.")
    event: Event = strawberry.field(description="The event it was tested on.")
    trigger_matches: bool = strawberry.field(description="The trigger matches the event's name.")
    conditions: list[AutomationConditionCheck] = strawberry.field(
        description="Each condition with its result."
    )
    loop_guarded: bool = strawberry.field(
        description="The event was caused by an automation run, so it triggers nothing."
    )
    cooldown: str | None = strawberry.field(
        description="Set when the per-contact cooldown skipped (or would have skipped) it: a run "
        "for the contact fired shortly before the event."
    )
    matches: bool = strawberry.field(
        description="Trigger and conditions match and the event is not caused by a run."
    )
    would_fire: bool = strawberry.field(
        description="It matches, the automation is enabled and no cooldown applies."
    )
    reasons: list[str] = strawberry.field(
        description="Every reason it would not fire, for people (empty when it would)."
    )
    actions: list[AutomationActionPreview] = strawberry.field(
        description="Each action previewed, even after one that would fail (the runner stops "
        "there)."
    )

    @classmethod
    def from_result(cls, result: DryRun) -> AutomationTest:
        return cls(
            automation=Automation.from_model(result.automation),
            event=Event.from_model(result.event),
            trigger_matches=result.trigger_matches,
            conditions=[AutomationConditionCheck.from_check(c) for c in result.conditions],
            loop_guarded=result.loop_guarded,
            cooldown=result.cooldown,
            matches=result.matches,
            would_fire=result.would_fire,
            reasons=result.reasons,
            actions=[AutomationActionPreview.from_preview(a) for a in result.actions],
        )


# -- inputs ------------------------------------------------------------------------------------


@strawberry.input(description="A test on the event; every condition must hold.")
class AutomationConditionInput:
    path: str = strawberry.field(
        description="Dotted path: name, source, properties.x, or a property such as "
        "metadata.orderId directly."
    )
    op: ConditionOperator = strawberry.field(description="How to compare.")
    value: JSON | None = strawberry.field(default=None, description="Not needed for EXISTS.")


@strawberry.input(description="A new automation.")
class CreateAutomationInput:
    name: str = strawberry.field(description="Yours, for people (1-128 characters).")
    trigger: str = strawberry.field(description=TRIGGER)
    actions: list[JSON] = strawberry.field(description=ACTIONS)
    description: str | None = strawberry.field(default=None, description="Yours, for people.")
    conditions: list[AutomationConditionInput] | None = strawberry.field(
        default=None, description="Every one must hold for the automation to run."
    )
    enabled: bool = strawberry.field(default=True, description="Start matching events now.")
    cooldown_seconds: int = strawberry.field(default=60, description=COOLDOWN)


@strawberry.input(description="Only the fields given change.")
class UpdateAutomationInput:
    name: str | None = strawberry.field(default=UNSET, description="Yours, for people.")
    description: str | None = strawberry.field(default=UNSET, description="Yours, for people.")
    trigger: str | None = strawberry.field(default=UNSET, description=TRIGGER)
    conditions: list[AutomationConditionInput] | None = strawberry.field(
        default=UNSET, description="Replaces every condition."
    )
    actions: list[JSON] | None = strawberry.field(default=UNSET, description=ACTIONS)
    enabled: bool | None = strawberry.field(default=UNSET, description="Matching events or not.")
    cooldown_seconds: int | None = strawberry.field(default=UNSET, description=COOLDOWN)


# -- payloads ----------------------------------------------------------------------------------


@strawberry.type(description="The automation as saved, or why not.")
class AutomationPayload:
    automation: Automation | None = strawberry.field(default=None, description="As saved.")
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


@strawberry.type(description="The deleted automation's id, or why not.")
class DeleteAutomationPayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="The automation that is gone."
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )
