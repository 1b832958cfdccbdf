"""GraphQL arguments as the core's plain values: camelCase dicts, lists, strings."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types.base import has_object_definition
from strawberry.utils.str_converters import to_camel_case

from whatsapp.kit.errors import invalid


def to_plain(value: Any) -> Any:
    """An input object as the core's camelCase dict; unset and null fields are left out."""
    if has_object_definition(value):
        plain: dict[str, Any] = {}
        for f in value.__strawberry_definition__.fields:
            item = getattr(value, f.python_name)
            if item is None or item is strawberry.UNSET:
                continue
            plain[f.graphql_name or to_camel_case(f.python_name)] = to_plain(item)
        return plain
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_plain(dataclasses.asdict(value))
    return value


def json_object(value: JSON | None, *field: str) -> Mapping[str, Any] | None:
    """A JSON argument that must be an object (metadata, context), or INVALID_INPUT at `field`.

    The JSON scalar accepts any value; the core stores these as objects and merges them.
    """
    if value is None or isinstance(value, Mapping):
        return value
    raise invalid("Must be a JSON object", *field)
