"""Automation definitions: create, update, enable, delete and read them, and their run log.

A definition is validated whole before anything is written (the trigger, the conditions, and
each action by its own module's `validate`), and every problem is reported at once, with its
path; an action that needs something the settings lack (a notify channel) is refused when it
is saved and again when it is enabled. Secrets in actions (a webhook's secret and header
values) are sealed when stored and masked whenever a definition is shown, to every client; an
update that sends a mask back keeps the stored secret, so a client can edit what it read
without knowing it. A run's results keep what only the operator may read (why a webhook
failed) under each entry's `operator` key: `shown_results` leaves it to admin keys.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from tortoise.expressions import Subquery

from models import (
    AutomationRunStatus,
    WhatsAppAnalyticsEvent,
    WhatsAppAutomation,
    WhatsAppAutomationRun,
)
from whatsapp.automations import actions as _actions
from whatsapp.automations import conditions as _conditions
from whatsapp.kit.errors import ErrorCode, Problem, WagraphError
from whatsapp.kit.ids import parse_id
from whatsapp.kit.paging import Page, keyset_page
from whatsapp.kit.secrets import UnreadableSecret

NAME_MAX = 128
DESCRIPTION_MAX = 2000
COOLDOWN_MAX_S = 30 * 24 * 3600
_WHAT = "automation id"
# Where a result's detail keeps what only the operator may read (see `shown_results`).
OPERATOR = "operator"
_TRIGGER = re.compile(r"[A-Za-z0-9_.:*?\[\]!-]{1,128}")
_FIELDS = (
    "name",
    "description",
    "trigger",
    "conditions",
    "actions",
    "enabled",
    "cooldown_seconds",
)


class _Keep(enum.Enum):
    KEEP = "KEEP"


KEEP = _Keep.KEEP
"""An update argument left as it is."""


def public_actions(automation: WhatsAppAutomation) -> list[dict[str, Any]]:
    """The actions as they may be shown to a client: secrets masked."""
    return _actions.mask_secrets(automation.actions or [])


def shown_results(run: WhatsAppAutomationRun, *, operator: bool) -> list[dict[str, Any]]:
    """A run's results for a client: with the operator's detail for an operator (an admin key),
    without it for anyone else — it can tell an open internal port from a closed one."""
    results = [dict(entry) for entry in run.results or [] if isinstance(entry, dict)]
    if operator:
        return results
    for entry in results:
        detail = entry.get("detail")
        if isinstance(detail, dict) and OPERATOR in detail:
            entry["detail"] = {key: value for key, value in detail.items() if key != OPERATOR}
    return results


async def create_automation(
    *,
    name: str,
    trigger: str,
    actions: Sequence[Mapping[str, Any]],
    description: str | None = None,
    conditions: Sequence[Mapping[str, Any]] = (),
    enabled: bool = True,
    cooldown_seconds: int = 60,
) -> WhatsAppAutomation:
    values = _definition(
        name=name,
        description=description,
        trigger=trigger,
        conditions=conditions,
        actions=actions,
        enabled=enabled,
        cooldown_seconds=cooldown_seconds,
    )
    values["actions"] = _actions.seal_secrets(values["actions"])
    return await WhatsAppAutomation.create(**values)


async def update_automation(
    automation_id: uuid.UUID | str,
    *,
    name: str | _Keep = KEEP,
    description: str | _Keep | None = KEEP,
    trigger: str | _Keep = KEEP,
    conditions: Sequence[Mapping[str, Any]] | _Keep = KEEP,
    actions: Sequence[Mapping[str, Any]] | _Keep = KEEP,
    enabled: bool | _Keep = KEEP,
    cooldown_seconds: int | _Keep = KEEP,
) -> WhatsAppAutomation:
    """Change the given fields; the result is validated whole and saved in one statement.

    A secret sent back masked (as the API shows it) keeps the stored secret.
    """
    row = await _get(automation_id)
    changes: dict[str, Any] = {
        key: value
        for key, value in {
            "name": name,
            "description": description,
            "trigger": trigger,
            "conditions": conditions,
            "actions": actions,
            "enabled": enabled,
            "cooldown_seconds": cooldown_seconds,
        }.items()
        if value is not KEEP
    }
    secret_problems: list[Problem] = []
    stored = _stored_actions(row, needed="actions" not in changes)
    if "actions" in changes:
        changes["actions"], secret_problems = _restore_secrets(changes["actions"], stored)
    merged = {key: changes.get(key, getattr(row, key)) for key in _FIELDS}
    merged["actions"] = changes.get("actions", stored)
    try:
        values = _definition(**merged)
    except WagraphError as exc:
        raise WagraphError([*secret_problems, *exc.problems]) from None
    if secret_problems:
        raise WagraphError(secret_problems)
    values["actions"] = _actions.seal_secrets(values["actions"])
    for key in changes:
        setattr(row, key, values[key])
    if changes:
        await row.save(update_fields=[*changes, "updated_at"])
    return row


async def set_automation_enabled(
    automation_id: uuid.UUID | str, *, enabled: bool
) -> WhatsAppAutomation:
    """Switch it on or off; switching on checks again what its actions need from the settings
    (a notify channel), which may have changed since it was saved."""
    row = await _get(automation_id)
    if enabled:
        problems = _actions.requirement_problems(list(row.actions or []))
        if problems:
            raise WagraphError(problems)
    if row.enabled != enabled:
        row.enabled = enabled
        await row.save(update_fields=["enabled", "updated_at"])
    return row


async def delete_automation(automation_id: uuid.UUID | str) -> uuid.UUID:
    """Delete an automation and its run log; returns its id."""
    row = await _get(automation_id)
    await row.delete()
    return row.id


async def get_automation(automation_id: uuid.UUID | str) -> WhatsAppAutomation | None:
    """The automation, or None for an unknown or malformed id (a lookup, not a command)."""
    try:
        key = parse_id(automation_id, "id", what=_WHAT)
    except WagraphError:
        return None
    return await WhatsAppAutomation.get_or_none(id=key)


async def list_automations() -> list[WhatsAppAutomation]:
    return await WhatsAppAutomation.all().order_by("created_at", "id")


async def list_runs(
    *,
    automation_id: uuid.UUID | str | None = None,
    statuses: Sequence[AutomationRunStatus] = (),
    contact_id: uuid.UUID | str | None = None,
    session_id: uuid.UUID | str | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Page[WhatsAppAutomationRun]:
    """Runs, newest first, keyset-paginated: all, or one automation's, one contact's, or those
    a session's events triggered (what a session's timeline shows beside its messages)."""
    query = WhatsAppAutomationRun.all()
    if automation_id is not None:
        query = query.filter(automation_id=parse_id(automation_id, "automationId", what=_WHAT))
    if statuses:
        query = query.filter(status__in=list(statuses))
    if contact_id is not None:
        query = query.filter(contact_id=parse_id(contact_id, "contactId", what="contact id"))
    if session_id is not None:
        session = parse_id(session_id, "sessionId", what="session id")
        triggers = WhatsAppAnalyticsEvent.filter(session_id=session).values("id")
        query = query.filter(event_id__in=Subquery(triggers))
    return await keyset_page(query, first=first, after=after)


def _definition(**values: Any) -> dict[str, Any]:
    """A definition checked whole; every problem is reported at once, with its path."""
    problems: list[Problem] = []
    name = values["name"]
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX:
        problems.append(_invalid(f"name must be 1-{NAME_MAX} characters", "name"))
    description = values["description"]
    if description is not None and (
        not isinstance(description, str) or len(description) > DESCRIPTION_MAX
    ):
        problems.append(
            _invalid(f"description must be at most {DESCRIPTION_MAX} characters", "description")
        )
    trigger = values["trigger"]
    if not isinstance(trigger, str) or not _TRIGGER.fullmatch(trigger):
        problems.append(
            _invalid(
                "trigger is an event name or an fnmatch pattern like flow.* "
                "(letters, digits and _ . : - * ? [ ] !)",
                "trigger",
            )
        )
    condition_list = _plain(values["conditions"])
    problems.extend(_conditions.validate(condition_list))
    action_list = _plain(values["actions"])
    problems.extend(_actions.validate_actions(action_list))
    cooldown = values["cooldown_seconds"]
    if (
        not isinstance(cooldown, int)
        or isinstance(cooldown, bool)
        or not 0 <= cooldown <= COOLDOWN_MAX_S
    ):
        problems.append(
            _invalid(f"cooldownSeconds must be between 0 and {COOLDOWN_MAX_S}", "cooldownSeconds")
        )
    if not isinstance(values["enabled"], bool):
        problems.append(_invalid("enabled must be true or false", "enabled"))
    if problems:
        raise WagraphError(problems)
    return {
        "name": name.strip(),
        "description": description,
        "trigger": trigger,
        "conditions": condition_list,
        "actions": action_list,
        "enabled": values["enabled"],
        "cooldown_seconds": cooldown,
    }


def _plain(value: Any) -> Any:
    """Sequences of mappings as the lists of dicts that are stored (other shapes kept, and
    reported by validation)."""
    if isinstance(value, list | tuple):
        return [dict(item) if isinstance(item, Mapping) else item for item in value]
    return value


def _restore_secrets(given: Any, stored: list[dict[str, Any]]) -> tuple[Any, list[Problem]]:
    return _actions.restore_secrets(_plain(given), stored)


def _stored_actions(row: WhatsAppAutomation, *, needed: bool) -> list[dict[str, Any]]:
    """The stored actions in plaintext. When a secret cannot be opened (its key is gone), an
    update that replaces the actions may go on without them (a masked secret then has to be
    given again); one that keeps them cannot."""
    try:
        return _actions.open_secrets(list(row.actions or []))
    except UnreadableSecret as exc:
        if needed:
            raise WagraphError.of(ErrorCode.CONFIGURATION_ERROR, str(exc), ("actions",)) from None
        return []


def _invalid(message: str, field: str) -> Problem:
    return Problem(ErrorCode.INVALID_INPUT, message, (field,))


async def _get(automation_id: uuid.UUID | str) -> WhatsAppAutomation:
    row = await WhatsAppAutomation.get_or_none(id=parse_id(automation_id, "id", what=_WHAT))
    if row is None:
        raise WagraphError.of(ErrorCode.NOT_FOUND, "No automation with that id", ("id",))
    return row
