"""The secrets inside actions: masked when shown, kept when sent back masked, sealed at rest.

An action module declares its secrets: `SECRET_FIELDS` (a field that is one secret, such as a
webhook's `secret`) and `SECRET_MAPS` (a field whose every value is one, such as its
`headers`). They are write-only: every client, whatever its scope, reads MASK in their place;
an update that sends MASK back keeps what is stored. At rest each is sealed with the secrets
key (`whatsapp.kit.secrets`); the core works on plaintext between `open_actions` and
`seal_actions`, and only the runner needs it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from whatsapp.automations.actions._base import MASK
from whatsapp.kit.errors import ErrorCode, FieldPath, Problem
from whatsapp.kit.secrets import SealState, box

# An action's secret fields and secret maps, as its module declares them.
Declared = Callable[[Mapping[str, Any]], tuple[tuple[str, ...], tuple[str, ...]]]


def _each(
    action: Mapping[str, Any], declared: Declared, change: Callable[[str], str]
) -> dict[str, Any]:
    """A copy of the action with `change` applied to every secret value it holds."""
    copy = dict(action)
    fields, maps = declared(action)
    for name in fields:
        value = copy.get(name)
        if isinstance(value, str) and value:
            copy[name] = change(value)
    for name in maps:
        values = copy.get(name)
        if isinstance(values, Mapping):
            copy[name] = {
                key: change(value) if isinstance(value, str) else value
                for key, value in values.items()
            }
    return copy


def mask(actions: Sequence[Mapping[str, Any]], declared: Declared) -> list[dict[str, Any]]:
    return [_each(action, declared, lambda _: MASK) for action in actions]


def seal(actions: Sequence[Mapping[str, Any]], declared: Declared) -> list[dict[str, Any]]:
    sealer = box()
    return [_each(action, declared, sealer.seal) for action in actions]


def open_(actions: Sequence[Mapping[str, Any]], declared: Declared) -> list[dict[str, Any]]:
    """Plaintext; `UnreadableSecret` when a value was sealed with a key no longer configured."""
    opener = box()
    return [_each(action, declared, opener.open) for action in actions]


def reseal(actions: Sequence[Mapping[str, Any]], declared: Declared) -> list[dict[str, Any]]:
    """Every secret sealed with the current key (a rotation); `UnreadableSecret` as above."""
    sealer = box()
    return [_each(action, declared, sealer.reseal) for action in actions]


def states(actions: Sequence[Mapping[str, Any]], declared: Declared) -> list[SealState]:
    """How each secret value is stored."""
    found: list[SealState] = []
    current = box()

    def note(value: str) -> str:
        found.append(current.state(value))
        return value

    for action in actions:
        _each(action, declared, note)
    return found


def restore(
    actions: Any,
    stored: Sequence[Mapping[str, Any]],
    declared: Declared,
    prefix: FieldPath = ("actions",),
) -> tuple[Any, list[Problem]]:
    """Put back the stored (plaintext) secret wherever an update sent MASK.

    MASK keeps the secret of the stored action at the same position when it is of the same
    type — for a map, the stored value under the same name, in any case; otherwise it is a
    problem at that path (the client must give the secret itself).
    """
    if not isinstance(actions, list):
        return actions, []
    restored: list[Any] = []
    problems: list[Problem] = []
    for index, action in enumerate(actions):
        if not isinstance(action, Mapping):
            restored.append(action)
            continue
        before = stored[index] if index < len(stored) else {}
        same = before.get("type") == action.get("type")
        copy = dict(action)
        fields, maps = declared(action)
        at = (*prefix, str(index))
        for name in fields:
            if copy.get(name) != MASK:
                continue
            if same and before.get(name):
                copy[name] = before[name]
            else:
                problems.append(_missing((*at, name)))
        for name in maps:
            values = copy.get(name)
            if not isinstance(values, Mapping):
                continue
            kept = before.get(name)
            kept_map: Mapping[str, Any] = kept if same and isinstance(kept, Mapping) else {}
            by_name = {str(key).lower(): value for key, value in kept_map.items()}
            copy[name] = dict(values)
            for key, value in values.items():
                if value != MASK:
                    continue
                if str(key).lower() in by_name:
                    copy[name][key] = by_name[str(key).lower()]
                else:
                    problems.append(_missing((*at, name, str(key))))
        restored.append(copy)
    return restored, problems


def _missing(field: FieldPath) -> Problem:
    return Problem(
        ErrorCode.INVALID_INPUT,
        "No stored secret at this position to keep: give the secret itself",
        field,
    )
