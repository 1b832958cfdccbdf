"""Meta's limits and the validation primitives every payload builder shares.

Each primitive records what is wrong in a `ProblemCollector` and hands back the value as
given, so a builder checks the whole input and reports every problem in one round.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from whatsapp.kit.errors import FieldPath, ProblemCollector

CALLBACK_DATA_MAX = 512


# --- Limits -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Length:
    """A text field: its name in messages and Meta's length limit (None: Meta sets none)."""

    label: str
    max: int | None = None


@dataclass(frozen=True, slots=True)
class Count:
    """A list: what its items are called in messages and how many Meta takes."""

    noun: str
    min: int = 1
    max: int | None = None


TEXT_BODY = Length("Text body", 4096)
CAPTION = Length("Caption", 1024)
INTERACTIVE_BODY = Length("Body", 1024)
FOOTER = Length("Footer", 60)
HEADER_TEXT = Length("Header text", 60)
BUTTON_ID = Length("Button id", 256)
BUTTON_TITLE = Length("Button title", 20)
LIST_BUTTON_TEXT = Length("List button text", 20)
SECTION_TITLE = Length("Section title", 24)
ROW_ID = Length("Row id", 200)
ROW_TITLE = Length("Row title", 24)
ROW_DESCRIPTION = Length("Row description", 72)
CTA_DISPLAY_TEXT = Length("Button text", 20)
FLOW_CTA = Length("Flow button text", 20)
FLOW_TOKEN = Length("Flow token", 200)
CALLBACK_DATA = Length("Callback data", CALLBACK_DATA_MAX)
TEMPLATE_HEADER_TEXT = Length("Header parameter text", 60)
TEMPLATE_BODY_TEXT = Length("Body parameter text", 1024)
# Meta allows long body parameters only when the body is the template's only component.
TEMPLATE_BODY_ONLY_TEXT = Length("Body parameter text", 32768)
COUPON_CODE = Length("Coupon code", 20)

REPLY_BUTTONS = Count("buttons", 1, 3)
LIST_SECTIONS = Count("list sections", 1, 10)
LIST_ROWS = Count("list rows in total", 1, 10)
SECTION_ROWS = Count("rows in each section", 1)
CONTACT_CARDS = Count("contact cards", 1)


# --- Emoji --------------------------------------------------------------------------------------
# Python's `re` knows neither grapheme clusters nor Extended_Pictographic, so the emoji grammar of
# Unicode TS #51 is spelled out: flags, keycaps, subdivision flags, and pictographs with optional
# presentation selector or skin tone, joined by ZWJ.

_REGIONAL_INDICATOR = "\U0001f1e6-\U0001f1ff"
_SKIN_TONE = "\U0001f3fb-\U0001f3ff"
_PICTOGRAPH = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf"
    "\u23e9-\u23f3\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u27bf"
    "\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299"
    "\U0001f000-\U0001f1e5\U0001f200-\U0001f3fa\U0001f400-\U0001faff"
)
_EMOJI_ELEMENT = (
    f"(?:[{_REGIONAL_INDICATOR}]{{2}}"
    "|[0-9#*]\ufe0f?\u20e3"
    "|\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
    f"|[{_PICTOGRAPH}](?:\ufe0f|[{_SKIN_TONE}])?)"
)
ONE_EMOJI = re.compile(f"{_EMOJI_ELEMENT}(?:\u200d{_EMOJI_ELEMENT})*")
ANY_EMOJI = re.compile(f"[{_PICTOGRAPH}{_REGIONAL_INDICATOR}{_SKIN_TONE}\u20e3]")


# --- Validation primitives ----------------------------------------------------------------------


def check_text(
    problems: ProblemCollector, value: Any, path: FieldPath, length: Length, *, required: bool
) -> Any:
    """Check one string against its limit; returns it as given so building can go on."""
    if value is None:
        if required:
            problems.add(f"{length.label} is required", *path)
        return None
    if not isinstance(value, str):
        problems.add(f"{length.label} must be a string", *path)
        return value
    size, limit = len(value), length.max
    if required and limit is not None and not 1 <= size <= limit:
        problems.add(f"{length.label} must be 1-{limit} characters (got {size})", *path)
    elif limit is not None and size > limit:
        problems.add(f"{length.label} must be at most {limit} characters (got {size})", *path)
    elif required and not value.strip():
        problems.add(f"{length.label} must not be {'blank' if value else 'empty'}", *path)
    return value


def required_text(
    problems: ProblemCollector, spec: Mapping[str, Any], key: str, path: FieldPath, length: Length
) -> Any:
    return check_text(problems, spec.get(key), (*path, key), length, required=True)


def optional_text(
    problems: ProblemCollector,
    spec: Mapping[str, Any],
    key: str,
    path: FieldPath,
    length: Length | None = None,
) -> Any:
    """An optional string; "" counts as absent, so it is omitted rather than sent empty."""
    value = spec.get(key)
    if value is None or value == "":
        return None
    return check_text(problems, value, (*path, key), length or Length(key), required=False)


def optional_flag(
    problems: ProblemCollector, spec: Mapping[str, Any], key: str, path: FieldPath
) -> bool | None:
    value = spec.get(key)
    if value is not None and not isinstance(value, bool):
        problems.add(f"{key} must be true or false", *path, key)
    return value


def choice_of(
    problems: ProblemCollector,
    spec: Mapping[str, Any],
    key: str,
    path: FieldPath,
    allowed: frozenset[str],
    label: str,
) -> str | None:
    """An enumerated value in either case (and GraphQL enum members), in `allowed`'s spelling."""
    value = spec.get(key)
    if value is None or value == "":
        return None
    canonical = canonical_choice(value, allowed)
    if canonical is None:
        problems.add(
            f"{label} must be one of {', '.join(sorted(allowed))} (got {value!r})", *path, key
        )
    return canonical


def canonical_choice(value: Any, allowed: frozenset[str]) -> str | None:
    if isinstance(value, Enum):
        value = value.value
    if not isinstance(value, str):
        return None
    for spelling in (value, value.lower(), value.upper()):
        if spelling in allowed:
            return spelling
    return None


def one_of(
    problems: ProblemCollector,
    spec: Any,
    keys: Sequence[str],
    path: FieldPath,
    what: str,
    *,
    among_all: bool = True,
    extra: Iterable[str] = (),
) -> str | None:
    """The single key of a one-of object (`among_all`: any other set key is an error too)."""
    if not isinstance(spec, Mapping):
        problems.add(f"The {what} must be an object", *path)
        return None
    candidates = spec if among_all else keys
    present = [key for key in candidates if key not in extra and spec.get(key) is not None]
    if len(present) == 1 and present[0] in keys:
        return present[0]
    unknown = [key for key in present if key not in keys]
    if unknown:
        problems.add(
            f"Unknown {what} field {unknown[0]!r}; give one of {', '.join(keys)}", *path, unknown[0]
        )
    else:
        problems.add(
            f"Give exactly one of {', '.join(keys)} for the {what} "
            f"(got {', '.join(present) or 'none'})",
            *path,
        )
    return None


def as_object(
    problems: ProblemCollector, value: Any, path: FieldPath, label: str
) -> Mapping[str, Any] | None:
    if value is None:
        problems.add(f"{label[:1].upper()}{label[1:]} is required", *path)
        return None
    if not isinstance(value, Mapping):
        problems.add(f"{label[:1].upper()}{label[1:]} must be an object", *path)
        return None
    return value


def item_paths(
    problems: ProblemCollector, value: Any, path: FieldPath, count: Count | None = None
) -> list[tuple[Any, FieldPath]]:
    """A list's items paired with their field paths, its length checked against `count`."""
    if value is None:
        value = []
    if not isinstance(value, list | tuple):
        problems.add(f"{path[-1]} must be a list", *path)
        return []
    if count is not None:
        check_count(problems, len(value), path, count)
    return [(item, (*path, str(index))) for index, item in enumerate(value)]


def check_count(problems: ProblemCollector, size: int, path: FieldPath, count: Count) -> None:
    if size < count.min or (count.max is not None and size > count.max):
        bounds = f"{count.min}-{count.max}" if count.max is not None else f"at least {count.min}"
        problems.add(f"Give {bounds} {count.noun} (got {size})", *path)


def check_unique(
    problems: ProblemCollector, seen: set[str], value: Any, path: FieldPath, label: str
) -> None:
    if not isinstance(value, str) or not value:
        return
    if value in seen:
        problems.add(f"{label} {value!r} is used more than once; each must be unique", *path)
    seen.add(value)


def check_pattern(
    problems: ProblemCollector, value: Any, pattern: re.Pattern[str], path: FieldPath, message: str
) -> None:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        problems.add(f"{message} (got {value!r})", *path)


def forbid(
    problems: ProblemCollector, spec: Mapping[str, Any], key: str, path: FieldPath, message: str
) -> None:
    if spec.get(key) not in (None, ""):
        problems.add(message, *path, key)


def renamed(spec: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """The set fields of `spec` under their Graph API names; absent and empty ones left out."""
    return {graph: spec[ours] for ours, graph in names.items() if spec.get(ours) not in (None, "")}


def put(target: dict[str, Any], key: str, value: Any) -> None:
    """Set an optional Graph field: Meta gets no nulls, only what was given."""
    if value is not None:
        target[key] = value


def get(spec: Any, key: str) -> Any:
    return spec.get(key) if isinstance(spec, Mapping) else None


def as_list(value: Any) -> list[Any] | tuple[Any, ...]:
    return value if isinstance(value, list | tuple) else ()


def as_str(spec: Any, key: str) -> str:
    value = get(spec, key)
    return value if isinstance(value, str) else ""


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
