"""A dry run: would this automation fire on that past event, and what would each action do?

For reviewing a definition before it is enabled (or after a surprise). It answers with the
matcher's own rules — the trigger (`matching.trigger_matches`), every condition on the event's
document with the value found at its path, the loop guard (an event caused by an automation
run triggers nothing), and the per-contact cooldown as it stood when the event was recorded
(runs of earlier events only) — and previews each action with its module's `preview`: the
rendered template send and its checks (an opted-out contact skips a MARKETING template, as
the runner does), the tag change, the webhook request, the notify text and channels.

Nothing is written and nothing is sent: no run row, no message, no event, no request to Meta
or to any receiver. Each action is previewed even after one that would fail (the runner would
stop there), so the whole definition can be reviewed at once; the contact's tags and consent
are read as they are now.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import orjson

from models import (
    AutomationRunStatus,
    WhatsAppAnalyticsEvent,
    WhatsAppAutomation,
    WhatsAppAutomationRun,
    WhatsAppContact,
    WhatsAppSession,
)
from whatsapp.automations import actions as _actions
from whatsapp.automations import conditions as _conditions
from whatsapp.automations.actions import ActionContext, ActionFailed
from whatsapp.automations.matching import trigger_matches
from whatsapp.automations.runner import SKIP_CODES
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.kit.ids import parse_id
from whatsapp.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ConditionCheck:
    """One condition and what the event gave it: `found` is False when the path is missing."""

    path: str
    op: str
    value: Any
    actual: Any
    found: bool
    holds: bool


@dataclass(frozen=True, slots=True)
class ActionPreview:
    """What one action would do (`detail`), or why it would fail (`error`) or be skipped."""

    index: int
    type: str
    ok: bool
    skipped: bool = False
    detail: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class DryRun:
    automation: WhatsAppAutomation
    event: WhatsAppAnalyticsEvent
    trigger_matches: bool
    conditions: list[ConditionCheck]
    cooldown: str | None
    actions: list[ActionPreview]

    @property
    def loop_guarded(self) -> bool:
        """The event was caused by an automation run, so it triggers nothing."""
        return self.event.caused_by_automation_run_id is not None

    @property
    def matches(self) -> bool:
        """The matcher would pick it: trigger, every condition, and not caused by a run."""
        holds = all(check.holds for check in self.conditions)
        return self.trigger_matches and holds and not self.loop_guarded

    @property
    def would_fire(self) -> bool:
        """It matches, is enabled, and no cooldown would skip it: a run would execute."""
        return self.matches and self.automation.enabled and self.cooldown is None

    @property
    def reasons(self) -> list[str]:
        """Every reason it would not fire, for people; empty when it would."""
        found = []
        if not self.trigger_matches:
            found.append(
                f"The trigger {self.automation.trigger!r} does not match {self.event.name!r}"
            )
        for check in self.conditions:
            if not check.holds:
                shown = repr(check.actual) if check.found else "missing"
                found.append(f"Condition {check.path} {check.op} {check.value!r} fails: {shown}")
        if self.loop_guarded:
            found.append(
                f"The event was caused by automation run {self.event.caused_by_automation_run_id}"
                ": events caused by automations trigger none"
            )
        if not self.automation.enabled:
            found.append("The automation is disabled")
        if self.cooldown is not None:
            found.append(self.cooldown)
        return found


async def dry_run(rt: Runtime, automation_id: uuid.UUID | str, event_id: uuid.UUID | str) -> DryRun:
    """Test the automation on a recorded event; NOT_FOUND for an unknown one of either."""
    automation = await WhatsAppAutomation.get_or_none(
        id=parse_id(automation_id, "id", what="automation id")
    )
    if automation is None:
        raise WagraphError.of(ErrorCode.NOT_FOUND, "No automation with that id", ("id",))
    event = await WhatsAppAnalyticsEvent.get_or_none(
        id=parse_id(event_id, "eventId", what="event id")
    )
    if event is None:
        raise WagraphError.of(ErrorCode.NOT_FOUND, "No event with that id", ("eventId",))
    document = _conditions.event_document(event.name, event.source, event.properties or {})
    return DryRun(
        automation=automation,
        event=event,
        trigger_matches=trigger_matches(automation.trigger, event.name),
        conditions=[_check(c, document) for c in automation.conditions or []],
        cooldown=await _cooldown(automation, event),
        actions=await _previews(rt, automation, event),
    )


def _check(condition: Mapping[str, Any], document: Mapping[str, Any]) -> ConditionCheck:
    path = str(condition.get("path", ""))
    actual = _conditions.resolve(document, path)
    try:
        holds = _conditions.holds(condition, document)
    except Exception:  # as the matcher: a condition it cannot evaluate does not hold
        holds = False
    found = actual is not _conditions.MISSING
    return ConditionCheck(
        path=path,
        op=str(condition.get("op")),
        value=condition.get("value"),
        actual=actual if found else None,
        found=found,
        holds=holds,
    )


async def _cooldown(automation: WhatsAppAutomation, event: WhatsAppAnalyticsEvent) -> str | None:
    """The skip reason the matcher gave or would have given when the event was recorded."""
    if automation.cooldown_seconds <= 0 or event.contact_id is None:
        return None
    since = event.created_at - timedelta(seconds=automation.cooldown_seconds)
    last = (
        await WhatsAppAutomationRun.filter(
            automation_id=automation.id,
            contact_id=event.contact_id,
            created_at__gte=since,
            created_at__lt=event.created_at,
        )
        .exclude(status=AutomationRunStatus.SKIPPED)
        .exclude(event_id=event.id)
        .order_by("-created_at")
        .first()
    )
    if last is None:
        return None
    return (
        f"Cooldown: run {last.id} fired for this contact at {last.created_at.isoformat()}, "
        f"less than {automation.cooldown_seconds}s before the event"
    )


async def _previews(
    rt: Runtime, automation: WhatsAppAutomation, event: WhatsAppAnalyticsEvent
) -> list[ActionPreview]:
    contact = await WhatsAppContact.get_or_none(id=event.contact_id) if event.contact_id else None
    session = await WhatsAppSession.get_or_none(id=event.session_id) if event.session_id else None
    previews = []
    for index, action in enumerate(automation.actions or []):
        ctx = ActionContext(rt, None, automation, event, contact, session, index)
        previews.append(await _preview(ctx, action))
    return previews


async def _preview(ctx: ActionContext, action: Mapping[str, Any]) -> ActionPreview:
    """One action's preview, its failures read as the runner reads a run's."""
    index, type_name = ctx.index, str(action.get("type"))
    module = _actions.get(type_name)
    if module is None:
        return ActionPreview(index, type_name, ok=False, error=f"Unknown action type {type_name!r}")
    try:
        missing = _actions.requirement_problems([action])
        if missing:
            raise WagraphError(missing)
        detail = await module.preview(ctx, _actions.config_of(action))
    except ActionFailed as exc:
        return ActionPreview(index, type_name, ok=False, detail=exc.detail, error=exc.message)
    except WagraphError as exc:
        if exc.code.value in SKIP_CODES:
            return ActionPreview(
                index, type_name, ok=True, skipped=True, detail={"reason": str(exc)}
            )
        return ActionPreview(
            index, type_name, ok=False, detail={"code": exc.code.value}, error=str(exc)
        )
    except Exception:
        error_id = uuid.uuid4().hex[:12]
        log.exception(
            "dry run of automation %s: action %d (%s) raised (error id %s)",
            ctx.automation.id,
            index + 1,
            type_name,
            error_id,
        )
        message = f"Unexpected error (id {error_id}); it has been logged"
        return ActionPreview(index, type_name, ok=False, error=message)
    return ActionPreview(
        index, type_name, ok=True, detail=orjson.loads(orjson.dumps(detail, default=str))
    )
