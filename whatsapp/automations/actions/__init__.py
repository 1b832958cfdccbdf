"""Automation actions: one module each, listed in `MODULES`.

An action module declares:

    TYPE = "webhook"                                   # the `type` in an automation's actions
    SECRET_FIELDS = ("secret",)                        # optional: write-only, sealed at rest
    SECRET_MAPS = ("headers",)                         # optional: each value is a secret
    def validate(config) -> list[Problem]: ...         # at create/update; paths inside config
    def requirements(config) -> list[Problem]: ...     # optional: what the server must have
    async def run(ctx: ActionContext, config) -> dict  # JSON-able detail for the run's results
    async def preview(ctx, config) -> dict             # the dry run: what run() would do

`config` is the action object without its `type`. `run` fails by raising `ActionFailed` (or
`WagraphError`); anything else is a bug, recorded as an unexpected error. `preview` fails the
same way, and must write and send nothing (its context has no run). `requirements` reports
what the server's settings lack for the action (a notify channel that is not configured); it
is checked when a definition is saved and when it is enabled, never only when it runs.
Adding an action type is one module and one line in `MODULES`: the runner and the definitions
never name one.
The list is explicit (not discovered) so the import graph shows every action a process can
run, and mypy checks each module against `ActionModule`.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Protocol

from whatsapp.automations.actions import _secrets, notify, tag, template, webhook
from whatsapp.automations.actions._base import (
    MASK,
    ActionContext,
    ActionFailed,
    placeholder_problems,
    render,
)
from whatsapp.kit.errors import ErrorCode, FieldPath, Problem

__all__ = [
    "MASK",
    "ActionContext",
    "ActionFailed",
    "ActionModule",
    "action_types",
    "config_of",
    "get",
    "mask_secrets",
    "open_secrets",
    "placeholder_problems",
    "registry",
    "render",
    "requirement_problems",
    "reseal_secrets",
    "restore_secrets",
    "seal_secrets",
    "secret_states",
    "validate_actions",
]

MAX_ACTIONS = 10


class ActionModule(Protocol):
    """What an action module provides (a module satisfies a protocol like any object)."""

    TYPE: str

    def validate(self, config: Mapping[str, Any], /) -> list[Problem]: ...

    async def run(self, ctx: ActionContext, config: Mapping[str, Any], /) -> dict[str, Any]: ...

    async def preview(self, ctx: ActionContext, config: Mapping[str, Any], /) -> dict[str, Any]: ...


MODULES: tuple[ActionModule, ...] = (notify, tag, template, webhook)


def registry(modules: Sequence[Any]) -> Mapping[str, ActionModule]:
    """The modules by their TYPE, each checked for what the runner relies on (TypeError if not).

    The static check is mypy's; this one catches what it cannot see (a module typed `Any`, a
    duplicate TYPE) when the process starts rather than when an action first runs.
    """
    found: dict[str, ActionModule] = {}
    for module in modules:
        label = getattr(module, "__name__", repr(module))
        name = getattr(module, "TYPE", None)
        if not isinstance(name, str) or not callable(getattr(module, "validate", None)):
            raise TypeError(f"action module {label} needs TYPE and validate()")
        for hook in ("run", "preview"):
            if not inspect.iscoroutinefunction(getattr(module, hook, None)):
                raise TypeError(f"action module {label} needs `async def {hook}(ctx, config)`")
        if name in found:
            raise TypeError(f"action type {name!r} is declared twice")
        found[name] = module
    return MappingProxyType(found)


_BY_TYPE = registry(MODULES)


def action_types() -> Mapping[str, ActionModule]:
    """Every action type, by its TYPE."""
    return _BY_TYPE


def get(type_name: Any) -> ActionModule | None:
    """The module for an action's `type`, or None for an unknown (or non-string) type."""
    return _BY_TYPE.get(type_name) if isinstance(type_name, str) else None


def config_of(action: Mapping[str, Any]) -> dict[str, Any]:
    """The action without its `type`: what the module's validate() and run() receive."""
    return {key: value for key, value in action.items() if key != "type"}


def validate_actions(actions: Any, prefix: FieldPath = ("actions",)) -> list[Problem]:
    """Every problem with a list of actions, with paths like ("actions", "1", "url")."""
    if not isinstance(actions, list) or not actions:
        return [_invalid("Give at least one action", prefix)]
    if len(actions) > MAX_ACTIONS:
        return [_invalid(f"At most {MAX_ACTIONS} actions", prefix)]
    problems: list[Problem] = []
    for index, action in enumerate(actions):
        at = (*prefix, str(index))
        if not isinstance(action, Mapping):
            problems.append(_invalid("An action is an object with a type", at))
            continue
        module = get(action.get("type"))
        if module is None:
            known = ", ".join(sorted(action_types()))
            problems.append(_invalid(f"type must be one of {known}", (*at, "type")))
            continue
        found = module.validate(config_of(action)) or _requirements(module, action)
        problems.extend(_at(problem, at) for problem in found)
    return problems


def requirement_problems(actions: Any, prefix: FieldPath = ("actions",)) -> list[Problem]:
    """What the server lacks for stored actions (checked again when an automation is enabled:
    settings may have changed since it was saved)."""
    problems: list[Problem] = []
    for index, action in enumerate(actions if isinstance(actions, list) else ()):
        module = get(action.get("type")) if isinstance(action, Mapping) else None
        if module is not None:
            at = (*prefix, str(index))
            problems.extend(_at(problem, at) for problem in _requirements(module, action))
    return problems


def _requirements(module: ActionModule, action: Mapping[str, Any]) -> list[Problem]:
    check = getattr(module, "requirements", None)
    return list(check(config_of(action))) if check is not None else []


def _at(problem: Problem, at: FieldPath) -> Problem:
    field = (*at, *problem.field) if problem.field else at
    return Problem(problem.code, problem.message, field, problem.cloud_api_code)


def mask_secrets(actions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Actions as they may be shown, to any client: each declared secret replaced by MASK."""
    return _secrets.mask(actions, _declared)


def restore_secrets(
    actions: Any, stored: Sequence[Mapping[str, Any]], prefix: FieldPath = ("actions",)
) -> tuple[Any, list[Problem]]:
    """Put back the stored plaintext secret where an update sent MASK (see `_secrets`)."""
    return _secrets.restore(actions, stored, _declared, prefix)


def seal_secrets(actions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Plaintext actions as they are stored: each secret sealed with the current key."""
    return _secrets.seal(actions, _declared)


def open_secrets(actions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Stored actions in plaintext (`whatsapp.kit.secrets.UnreadableSecret` if a key is gone)."""
    return _secrets.open_(actions, _declared)


def reseal_secrets(actions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Stored actions with every secret sealed again with the current key (a rotation)."""
    return _secrets.reseal(actions, _declared)


def secret_states(actions: Sequence[Mapping[str, Any]]) -> list[Any]:
    """How each stored secret is sealed (`whatsapp.kit.secrets.SealState`)."""
    return list(_secrets.states(actions, _declared))


def _declared(action: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    module = get(action.get("type"))
    if module is None:
        return (), ()
    return tuple(getattr(module, "SECRET_FIELDS", ())), tuple(getattr(module, "SECRET_MAPS", ()))


def _invalid(message: str, field: FieldPath) -> Problem:
    return Problem(ErrorCode.INVALID_INPUT, message, field)
