"""Small checks shared by message and template-send validation.

Each check names the offending parameter by its path (`interactive.action.buttons[1].reply.title`)
in `error_data.details`, so a client can point at the field. The code policy lives in `errors`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sandbox.errors import bad_param, invalid, missing

MediaKindOf = Callable[[str], "str | None"]  # media id -> kind, or None when unknown


@dataclass(slots=True)
class MediaRefs:
    """Media a message points at, checked after acceptance (bad links fail later, 131053)."""

    links: list[str] = field(default_factory=list)
    ids: list[tuple[str, str]] = field(default_factory=list)  # (expected kind, media id)


def expect_object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_param(f"Param {where} must be a JSON object")
    return value


def expect_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise bad_param(f"Param {where} must be an array")
    return value


def check_keys(obj: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    """Graph rejects keys it does not know (code 100), which catches typos early."""
    for key in obj:
        if key not in allowed:
            raise bad_param(f'Unexpected key "{key}" on param "{where}"')


def required(obj: dict[str, Any], key: str, where: str) -> Any:
    value = obj.get(key)
    if value is None:
        raise missing(f"Param {join(where, key)} is required")
    return value


def join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def text(
    obj: dict[str, Any],
    key: str,
    where: str,
    *,
    max_len: int,
    min_len: int = 1,
    optional: bool = False,
    label: str | None = None,
) -> str | None:
    """A string parameter within length limits (blank counts as too short)."""
    value = obj.get(key)
    path = join(where, key)
    if value is None:
        if optional:
            return None
        raise missing(f"Param {path} is required")
    if not isinstance(value, str):
        raise bad_param(f"Param {path} must be a string")
    length = len(value) if value.strip() else 0
    if length < min_len or length > max_len:
        name = label or f"Param {path}"
        raise invalid(f"{name} length invalid. Min length: {min_len}, Max length: {max_len}")
    return value


def boolean(obj: dict[str, Any], key: str, where: str) -> bool | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise bad_param(f"Param {join(where, key)} must be a boolean")
    return value


def number(obj: dict[str, Any], key: str, where: str, low: float, high: float) -> float:
    value = required(obj, key, where)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_param(f"Param {join(where, key)} must be a number")
    if not low <= value <= high:
        raise invalid(f"Param {join(where, key)} must be between {low:g} and {high:g}")
    return float(value)


def http_url(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise bad_param(f"Param {path} must be a string")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid(f"Param {path} must be a valid http or https URL")
    return value


def choice(obj: dict[str, Any], key: str, where: str, allowed: tuple[str, ...]) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if value not in allowed:
        raise invalid(f"Param {join(where, key)} must be one of {{{', '.join(allowed)}}}")
    return str(value)


MEDIA_KEYS: dict[str, frozenset[str]] = {
    "image": frozenset({"id", "link", "caption"}),
    "video": frozenset({"id", "link", "caption"}),
    "document": frozenset({"id", "link", "caption", "filename"}),
    "audio": frozenset({"id", "link", "voice"}),
    "sticker": frozenset({"id", "link"}),
}


def media_object(
    value: Any,
    kind: str,
    where: str,
    *,
    kind_of: MediaKindOf,
    refs: MediaRefs,
    allowed: frozenset[str] | None = None,
) -> dict[str, Any]:
    """`{id | link, caption?, filename?}`: exactly one source; captions only where Meta allows."""
    obj = expect_object(value, where)
    check_keys(obj, allowed if allowed is not None else MEDIA_KEYS[kind], where)
    media_id, link = obj.get("id"), obj.get("link")
    if media_id is None and link is None:
        raise missing(f"Param {where} requires either 'id' or 'link'")
    if media_id is not None and link is not None:
        raise invalid(f"Param {where} must have exactly one of 'id' or 'link', not both")
    if media_id is not None:
        if not isinstance(media_id, str | int) or isinstance(media_id, bool):
            raise bad_param(f"Param {where}.id must be a string")
        if kind_of(str(media_id)) is None:
            raise invalid(f"Param {where}.id: media id {media_id} does not exist or has expired")
        refs.ids.append((kind, str(media_id)))
    else:
        refs.links.append(http_url(link, f"{where}.link"))
    text(obj, "caption", where, max_len=1024, min_len=0, optional=True)
    text(obj, "filename", where, max_len=240, optional=True)
    boolean(obj, "voice", where)
    return obj
