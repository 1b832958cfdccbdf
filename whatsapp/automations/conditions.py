"""Automation conditions: small predicates on an event, all of which must hold.

A condition is `{"path": "metadata.orderId", "op": "eq", "value": 42}`. The path is dotted
(a digit segment indexes a list: `items.0.sku`) and is read from this document:

    {**event.properties, "name": event.name, "source": event.source,
     "properties": event.properties}

so `type` or `metadata.orderId` read the event's properties directly, while `name`, `source`
and `properties` always mean the event's own fields (`properties.name` reaches a property
that happens to be called "name").

Operators, where "missing" means the path does not resolve or resolves to null:

    eq, ne         equal / not equal (ne holds when the value is missing)
    in, not_in     the value is / is not one of a list (not_in holds when missing)
    exists         value true (the default): present; value false: missing
    contains       a string contains a substring, or a list contains an element
    gt gte lt lte  both numbers, or both strings (ISO dates compare correctly); else false

Booleans are never equal to numbers (`true` is not `1`). A list of conditions holds when every
condition holds; an empty list always holds.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from whatsapp.kit.errors import ErrorCode, FieldPath, Problem

OPERATORS = ("eq", "ne", "in", "not_in", "exists", "contains", "gt", "gte", "lt", "lte")
MAX_CONDITIONS = 20
MAX_LIST_VALUES = 100
_PATH = re.compile(r"[A-Za-z0-9_$@-]+(\.[A-Za-z0-9_$@-]+)*")
_PATH_MAX = 200
_RESERVED = ("name", "source", "properties")
_KEYS = frozenset({"path", "op", "value"})


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def event_document(name: str, source: str, properties: Mapping[str, Any]) -> dict[str, Any]:
    """What condition paths are read from (see the module docstring)."""
    return {**properties, "name": name, "source": source, "properties": dict(properties)}


def resolve(document: Any, path: str) -> Any:
    """The value at a dotted path, or MISSING."""
    node = document
    for segment in path.split("."):
        if isinstance(node, Mapping):
            node = node.get(segment, MISSING)
        elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
            node = node[int(segment)]
        else:
            return MISSING
        if node is MISSING:
            return MISSING
    return MISSING if node is None else node


def matches(conditions: Sequence[Mapping[str, Any]], document: Mapping[str, Any]) -> bool:
    """True when every condition holds for the document."""
    return all(holds(condition, document) for condition in conditions)


def holds(condition: Mapping[str, Any], document: Mapping[str, Any]) -> bool:
    actual = resolve(document, str(condition.get("path", "")))
    return _OPS[str(condition.get("op"))](actual, condition.get("value"))


# -- operators ---------------------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    return bool(a == b)


def _eq(actual: Any, value: Any) -> bool:
    return actual is not MISSING and _same(actual, value)


def _in(actual: Any, value: Any) -> bool:
    return actual is not MISSING and any(_same(actual, option) for option in value or ())


def _exists(actual: Any, value: Any) -> bool:
    wanted = True if value is None else bool(value)
    return (actual is not MISSING) is wanted


def _contains(actual: Any, value: Any) -> bool:
    if isinstance(actual, str):
        return isinstance(value, str) and value in actual
    if isinstance(actual, list):
        return any(_same(item, value) for item in actual)
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def check(actual: Any, value: Any) -> bool:
        if _is_number(actual) and _is_number(value):
            return compare(actual, value)
        if isinstance(actual, str) and isinstance(value, str):
            return compare(actual, value)
        return False

    return check


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": _eq,
    "ne": lambda actual, value: not _eq(actual, value),
    "in": _in,
    "not_in": lambda actual, value: not _in(actual, value),
    "exists": _exists,
    "contains": _contains,
    "gt": _ordered(operator.gt),
    "gte": _ordered(operator.ge),
    "lt": _ordered(operator.lt),
    "lte": _ordered(operator.le),
}


# -- validation --------------------------------------------------------------------------------


def validate(conditions: Any, prefix: FieldPath = ("conditions",)) -> list[Problem]:
    """Every problem with a list of conditions, with field paths under `prefix`."""
    if not isinstance(conditions, list):
        return [_problem("conditions must be a list", prefix)]
    if len(conditions) > MAX_CONDITIONS:
        return [_problem(f"At most {MAX_CONDITIONS} conditions", prefix)]
    problems: list[Problem] = []
    for index, condition in enumerate(conditions):
        problems.extend(_validate_one(condition, (*prefix, str(index))))
    return problems


def _validate_one(condition: Any, at: FieldPath) -> list[Problem]:
    if not isinstance(condition, Mapping):
        return [_problem("A condition is an object with path, op and value", at)]
    problems = [
        _problem(f"Unknown key {key!r}: a condition has path, op and value", (*at, str(key)))
        for key in condition
        if key not in _KEYS
    ]
    path = condition.get("path")
    if not isinstance(path, str) or len(path) > _PATH_MAX or not _PATH.fullmatch(path):
        problems.append(
            _problem(
                "path must be dotted names like metadata.orderId (letters, digits, _ $ @ -)",
                (*at, "path"),
            )
        )
    op = condition.get("op")
    if op not in OPERATORS:
        problems.append(_problem(f"op must be one of {', '.join(OPERATORS)}", (*at, "op")))
        return problems
    message = _value_problem(op, condition.get("value", MISSING))
    if message:
        problems.append(_problem(message, (*at, "value")))
    return problems


def _value_problem(op: str, value: Any) -> str | None:
    if op == "exists":
        ok = value is MISSING or value is None or isinstance(value, bool)
        return None if ok else "exists takes true or false (or no value)"
    if value is MISSING or value is None:
        return f"{op} needs a value (to test for a missing value, use exists: false)"
    if op in ("in", "not_in"):
        if not isinstance(value, list) or len(value) > MAX_LIST_VALUES:
            return f"{op} takes a list of at most {MAX_LIST_VALUES} values"
        return None
    if op in ("gt", "gte", "lt", "lte"):
        ok = _is_number(value) or isinstance(value, str)
        return None if ok else f"{op} compares with a number or a string"
    if op == "contains":
        scalar = value is not None and not isinstance(value, list | Mapping)
        return None if scalar else "contains takes a string, number or boolean"
    return None


def _problem(message: str, field: FieldPath) -> Problem:
    return Problem(ErrorCode.INVALID_INPUT, message, field)
