"""What every action gets (`ActionContext`), how it fails (`ActionFailed`), and placeholders.

Strings in an action's config may hold placeholders, filled from the run's event when the
action runs: `{{event.name}}`, `{{event.source}}`, `{{event.id}}`, `{{event.createdAt}}`,
`{{event.properties}}` (as JSON) or `{{event.properties.some.path}}`, `{{contact.id}}`,
`{{contact.waId}}`, `{{contact.profileName}}`, `{{session.id}}`, `{{session.flow}}`,
`{{session.flowToken}}`, `{{automation.id}}`, `{{automation.name}}`. A placeholder with no
value for the event fails the action, rather than sending an empty parameter. Rendering only
reads keys of these plain mappings (and list indexes): no attribute of any object is reachable.

A dry run (`whatsapp.automations.dry_run`) gives each action a context without a run
(`run is None`): its `preview` describes what `run` would do and must write and send nothing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from models import (
    WhatsAppAnalyticsEvent,
    WhatsAppAutomation,
    WhatsAppAutomationRun,
    WhatsAppContact,
    WhatsAppSession,
)
from whatsapp.automations.conditions import MISSING, resolve
from whatsapp.kit.errors import ErrorCode, FieldPath, Problem
from whatsapp.runtime import Runtime

# What a secret reads back as, for every client; sending it back in an update keeps the secret.
MASK = "********"
PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_FIELDS = {
    "event": ("id", "name", "source", "createdAt", "properties"),
    "contact": ("id", "waId", "profileName"),
    "session": ("id", "flow", "flowToken"),
    "automation": ("id", "name"),
}


class ActionFailed(Exception):
    """An action could not do its job; `detail` (JSON-able) goes to the run's results."""

    def __init__(self, message: str, detail: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = dict(detail or {})


@dataclass(frozen=True, slots=True)
class ActionContext:
    """One action's view of its run: the runtime, and the rows the event points at.

    `run` is None in a dry run, where only `preview` is called.
    """

    rt: Runtime
    run: WhatsAppAutomationRun | None
    automation: WhatsAppAutomation
    event: WhatsAppAnalyticsEvent
    contact: WhatsAppContact | None
    session: WhatsAppSession | None
    index: int = 0

    @property
    def run_id(self) -> uuid.UUID:
        """The run being executed; asking in a dry run is a bug (a preview has no run)."""
        if self.run is None:
            raise RuntimeError("A dry run has no run: only preview() may be called")
        return self.run.id

    def require_contact(self) -> WhatsAppContact:
        if self.contact is None:
            raise ActionFailed(f"Event {self.event.name} has no contact to act on")
        return self.contact

    def values(self) -> dict[str, Any]:
        """The placeholder namespace."""
        event = self.event
        values: dict[str, Any] = {
            "automation": {"id": str(self.automation.id), "name": self.automation.name},
            "event": {
                "id": str(event.id),
                "name": event.name,
                "source": event.source,
                "createdAt": event.created_at,
                "properties": event.properties or {},
            },
        }
        if self.contact is not None:
            values["contact"] = {
                "id": str(self.contact.id),
                "waId": self.contact.wa_id,
                "profileName": self.contact.profile_name,
            }
        if self.session is not None:
            values["session"] = {
                "id": str(self.session.id),
                "flow": self.session.flow,
                "flowToken": self.session.flow_token,
            }
        return values


def placeholder_problems(tree: Any, field: FieldPath) -> list[Problem]:
    """Unknown placeholders anywhere in a config tree (strings inside dicts and lists)."""
    problems: list[Problem] = []
    for path, text in _strings(tree, field):
        for expression in PLACEHOLDER.findall(text):
            if not _known(expression):
                problems.append(
                    Problem(
                        ErrorCode.INVALID_INPUT,
                        f"Unknown placeholder {{{{{expression}}}}}: use event.*, "
                        "event.properties.<path>, contact.waId, contact.profileName, session.* "
                        "or automation.name",
                        path,
                    )
                )
    return problems


def render(tree: Any, values: Mapping[str, Any]) -> Any:
    """The tree with every placeholder filled; a placeholder without a value fails."""
    if isinstance(tree, str):
        return PLACEHOLDER.sub(lambda match: _value(match.group(1), values), tree)
    if isinstance(tree, Mapping):
        return {key: render(item, values) for key, item in tree.items()}
    if isinstance(tree, list):
        return [render(item, values) for item in tree]
    return tree


def sample(tree: Any, value: str) -> Any:
    """The tree with every placeholder replaced by `value`, to check the literal parts."""
    if isinstance(tree, str):
        return PLACEHOLDER.sub(value, tree)
    if isinstance(tree, Mapping):
        return {key: sample(item, value) for key, item in tree.items()}
    if isinstance(tree, list):
        return [sample(item, value) for item in tree]
    return tree


def _known(expression: str) -> bool:
    root, _, rest = expression.partition(".")
    if root not in _FIELDS or not rest:
        return False
    head, _, tail = rest.partition(".")
    if tail:
        return root == "event" and head == "properties"
    return head in _FIELDS[root]


def _value(expression: str, values: Mapping[str, Any]) -> str:
    found = resolve(values, expression)
    if found is MISSING:
        raise ActionFailed(f"Placeholder {{{{{expression}}}}} has no value for this event")
    if isinstance(found, str):
        return found
    if isinstance(found, datetime):
        return found.isoformat()
    if isinstance(found, bool):
        return "true" if found else "false"
    if isinstance(found, int | float):
        return str(found)
    return orjson.dumps(found).decode()


def _strings(tree: Any, path: FieldPath) -> list[tuple[FieldPath, str]]:
    if isinstance(tree, str):
        return [(path, tree)]
    if isinstance(tree, Mapping):
        return [pair for key, item in tree.items() for pair in _strings(item, (*path, str(key)))]
    if isinstance(tree, list):
        return [pair for i, item in enumerate(tree) for pair in _strings(item, (*path, str(i)))]
    return []
