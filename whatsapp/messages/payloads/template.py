"""Template messages: the components of a send, each parameter checked on its own.

Header and body parameters come positionally (`header`, `body`: `{{1}}`, `{{2}}`, … in order) or
by name (`namedHeader`, `namedBody`: `{name, parameter}` for templates created with
`parameter_format: NAMED`, whose placeholders read `{{first_name}}`); one send uses one form.
`template_parameters` reads either into `Slot`s. Whether they fit the template's definition is
`whatsapp.templates.parameters`' job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from whatsapp.kit.errors import ErrorCode, FieldPath, ProblemCollector
from whatsapp.messages.payloads.content import coordinate, document_or_media
from whatsapp.messages.payloads.rules import (
    COUPON_CODE,
    FLOW_TOKEN,
    TEMPLATE_BODY_ONLY_TEXT,
    TEMPLATE_BODY_TEXT,
    TEMPLATE_HEADER_TEXT,
    Length,
    as_object,
    check_pattern,
    check_text,
    choice_of,
    get,
    item_paths,
    one_of,
    required_text,
)

TEMPLATE_BUTTON_INDEX_MAX = 9
_TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,512}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:_[A-Z]{2})?")
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
# A named placeholder, as `{{first_name}}` names it in the template's text.
_PARAMETER_NAME = re.compile(r"[A-Za-z0-9_]+")
PARAMETER_NAME = Length("Parameter name", 512)
# Meta refuses template text parameters with these (error 132018 / 100), whatever the length.
_TEMPLATE_TEXT_FORBIDDEN = re.compile(r"[\n\t]| {5,}")

TEMPLATE_PARAMETER_KINDS: tuple[str, ...] = (
    "text",
    "currency",
    "dateTime",
    "image",
    "video",
    "document",
    "location",
)
_BODY_PARAMETER_KINDS = frozenset({"text", "currency", "dateTime"})
TEXT_HEADER_PARAMETER_KINDS = _BODY_PARAMETER_KINDS
# Only placeholders in text have names: a media or location header is always `header`.
NAMED_PARAMETER_KINDS = _BODY_PARAMETER_KINDS
NAMED_FIELD = {"header": "namedHeader", "body": "namedBody"}
POSITIONAL_FIELD = {"namedHeader": "header", "namedBody": "body"}
TEMPLATE_BUTTON_SUB_TYPES = frozenset({"QUICK_REPLY", "URL", "COPY_CODE", "FLOW"})
_BUTTON_PARAMETERS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "QUICK_REPLY": lambda value: {"type": "payload", "payload": value},
    "URL": lambda value: {"type": "text", "text": value},
    "COPY_CODE": lambda value: {"type": "coupon_code", "coupon_code": value},
    "FLOW": lambda value: {"type": "action", "action": {"flow_token": value}},
}
_BUTTON_PARAMETER_LENGTHS = {
    "QUICK_REPLY": Length("Button payload"),
    "URL": Length("URL suffix"),
    "COPY_CODE": COUPON_CODE,
    "FLOW": FLOW_TOKEN,
}

ParameterBuilder = Callable[[ProblemCollector, Any, FieldPath, Length], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Slot:
    """One header or body parameter as given: its one-of value, where it is, and its name.

    `path` locates the value (`body.0`, `namedBody.0.parameter`), `field` the input field it
    came in (`body`, `namedBody`, `header`, `namedHeader`), `name_path` its name (`namedBody.0
    .name`). A `parameterName` inside a positional parameter (automations written before
    `namedBody` existed) also names it.
    """

    value: Any
    path: FieldPath
    field: FieldPath
    named: bool = False
    name: str = ""
    name_path: FieldPath = ()


@dataclass(frozen=True, slots=True)
class TemplateParameters:
    """A send's header, body and button parameters, read but not yet built."""

    header: Slot | None
    body: tuple[Slot, ...]
    buttons: Sequence[Mapping[str, Any]]


def template_parameters(
    problems: ProblemCollector,
    *,
    header: Mapping[str, Any] | None,
    body: Sequence[Mapping[str, Any]],
    buttons: Sequence[Mapping[str, Any]],
    named_header: Mapping[str, Any] | None = None,
    named_body: Sequence[Mapping[str, Any]] | None = None,
) -> TemplateParameters:
    """Read both forms into slots; one form per send, each name once."""
    mismatch = ErrorCode.TEMPLATE_PARAMETER_MISMATCH
    if header is not None and named_header is not None:
        problems.add("Give header or namedHeader, not both", "namedHeader", code=mismatch)
    if body and named_body:
        problems.add(
            "Give body (in order) or namedBody (by name), not both", "namedBody", code=mismatch
        )
    header_slot: Slot | None = None
    if named_header is not None:
        header_slot = _named_slot(problems, named_header, ("namedHeader",), ("namedHeader",))
    elif header is not None:
        header_slot = _positional_slot(problems, header, ("header",), ("header",))
    if named_body:
        items = item_paths(problems, named_body, ("namedBody",))
        slots = [_named_slot(problems, item, path, ("namedBody",)) for item, path in items]
    else:
        items = item_paths(problems, body, ("body",))
        slots = [_positional_slot(problems, item, path, ("body",)) for item, path in items]
    parameters = TemplateParameters(
        header_slot, tuple(slot for slot in slots if slot is not None), buttons or ()
    )
    _check_one_form(problems, parameters)
    return parameters


def _positional_slot(
    problems: ProblemCollector, value: Any, path: FieldPath, field: FieldPath
) -> Slot:
    name = get(value, "parameterName")
    if name is None or name == "":
        return Slot(value, path, field)
    check_text(problems, name, (*path, "parameterName"), PARAMETER_NAME, required=True)
    return Slot(value, path, field, True, str(name), (*path, "parameterName"))


def _named_slot(
    problems: ProblemCollector, value: Any, path: FieldPath, field: FieldPath
) -> Slot | None:
    spec = as_object(problems, value, path, "named parameter")
    if spec is None:
        return None
    name = required_text(problems, spec, "name", path, PARAMETER_NAME)
    if isinstance(name, str) and name and not _PARAMETER_NAME.fullmatch(name):
        problems.add(
            f"A parameter name is the placeholder's name without braces, letters, digits and "
            f"underscores: first_name for {{{{first_name}}}} (got {name!r})",
            *path,
            "name",
        )
    named = str(name) if isinstance(name, str) else ""
    return Slot(spec.get("parameter"), (*path, "parameter"), field, True, named, (*path, "name"))


def _check_one_form(problems: ProblemCollector, parameters: TemplateParameters) -> None:
    """Names are given for every text parameter or for none, and each name once."""
    mismatch = ErrorCode.TEMPLATE_PARAMETER_MISMATCH
    slots = [s for s in (parameters.header, *parameters.body) if s is not None]
    seen: set[str] = set()
    for slot in parameters.body:
        if slot.named and slot.name in seen:
            problems.add(
                f"Parameter {slot.name!r} is given more than once", *slot.name_path, code=mismatch
            )
        seen.add(slot.name)
    if not any(slot.named for slot in slots):
        return
    named_fields = {s.field for s in slots if s.named}
    unnamed = [s for s in slots if not s.named and parameter_kind(s.value) in NAMED_PARAMETER_KINDS]
    # Beside named ones in the same list (parameterName), the unnamed item itself is pointed at.
    paths = [(*s.path, "parameterName") if s.field in named_fields else s.field for s in unnamed]
    for path in dict.fromkeys(paths):
        problems.add(
            "Named and positional parameters cannot be mixed: give every text parameter by "
            "name (namedHeader, namedBody) or every one in order (header, body)",
            *path,
            code=mismatch,
        )


def parameter_kind(parameter: Any) -> str | None:
    """The kind of a one-of parameter (`text`, `image`, …), None when it has none."""
    return next((k for k in TEMPLATE_PARAMETER_KINDS if get(parameter, k) is not None), None)


def template_object(
    problems: ProblemCollector, name: str, language: str, parameters: TemplateParameters
) -> dict[str, Any]:
    """The `template` object of a send: name, language and the components with parameters."""
    check_pattern(
        problems,
        name,
        _TEMPLATE_NAME,
        ("name",),
        "Template name must be 1-512 lower-case letters, digits or underscores",
    )
    check_pattern(
        problems, language, _LANGUAGE, ("language",), "Language must be a code like en or en_US"
    )
    components = _template_components(problems, parameters)
    template: dict[str, Any] = {
        "name": name,
        "language": {"code": language, "policy": "deterministic"},
    }
    if components:
        template["components"] = components
    return template


def _template_components(
    problems: ProblemCollector, parameters: TemplateParameters
) -> list[dict[str, Any]]:
    components: list[dict[str, Any]] = []
    header, body, buttons = parameters.header, parameters.body, parameters.buttons
    if header is not None:
        allowed = NAMED_PARAMETER_KINDS if header.named else TEMPLATE_PARAMETER_KINDS
        parameter = _template_parameter(problems, header, TEMPLATE_HEADER_TEXT, allowed)
        components.append({"type": "header", "parameters": [parameter]})
    if body:
        alone = header is None and not buttons
        text_length = TEMPLATE_BODY_ONLY_TEXT if alone else TEMPLATE_BODY_TEXT
        built = [_template_parameter(problems, s, text_length, _BODY_PARAMETER_KINDS) for s in body]
        components.append({"type": "body", "parameters": built})
    components.extend(_template_buttons(problems, buttons))
    return components


def _template_parameter(
    problems: ProblemCollector, slot: Slot, text_length: Length, allowed: Container[str]
) -> dict[str, Any]:
    path = slot.path
    parameter = as_object(problems, slot.value, path, "parameter")
    if parameter is None:
        return {}
    kind = one_of(
        problems,
        parameter,
        TEMPLATE_PARAMETER_KINDS,
        path,
        "template parameter",
        extra=("parameterName",),
    )
    if kind is None:
        return {}
    if kind not in allowed:
        what = "Named parameters" if slot.named else "Body parameters"
        problems.add(f"{what} must be text, currency or dateTime (got {kind})", *path, kind)
        return {}
    built = _PARAMETER_BUILDERS[kind](problems, parameter[kind], (*path, kind), text_length)
    # Templates created with named placeholders ({{first_name}}) are sent with their names.
    if slot.named:
        built["parameter_name"] = slot.name
    return built


def _text_parameter(
    problems: ProblemCollector, value: Any, path: FieldPath, length: Length
) -> dict[str, Any]:
    text = check_text(problems, value, path, length, required=True)
    if text and _TEMPLATE_TEXT_FORBIDDEN.search(text):
        problems.add(
            "Template text parameters cannot contain new lines, tabs or more than "
            "4 consecutive spaces",
            *path,
        )
    return {"type": "text", "text": text}


def _currency_parameter(
    problems: ProblemCollector, value: Any, path: FieldPath, _length: Length
) -> dict[str, Any]:
    currency = as_object(problems, value, path, "currency") or {}
    code = currency.get("code")
    check_pattern(
        problems,
        code,
        _CURRENCY_CODE,
        (*path, "code"),
        "Currency code must be 3 upper-case letters (ISO 4217), e.g. USD",
    )
    amount = currency.get("amount1000")
    if not isinstance(amount, int) or isinstance(amount, bool):
        problems.add("amount1000 must be an integer: the amount times 1000", *path, "amount1000")
    fallback = required_text(problems, currency, "fallbackValue", path, Length("Fallback value"))
    return {
        "type": "currency",
        "currency": {"fallback_value": fallback, "code": code, "amount_1000": amount},
    }


def _date_time_parameter(
    problems: ProblemCollector, value: Any, path: FieldPath, _length: Length
) -> dict[str, Any]:
    date_time = as_object(problems, value, path, "dateTime") or {}
    fallback = required_text(problems, date_time, "fallbackValue", path, Length("Fallback value"))
    return {"type": "date_time", "date_time": {"fallback_value": fallback}}


def _media_parameter(kind: str) -> ParameterBuilder:
    def build(
        problems: ProblemCollector, value: Any, path: FieldPath, _length: Length
    ) -> dict[str, Any]:
        media = as_object(problems, value, path, kind) or {}
        return {"type": kind, kind: document_or_media(problems, kind, media, path)}

    return build


def _location_parameter(
    problems: ProblemCollector, value: Any, path: FieldPath, _length: Length
) -> dict[str, Any]:
    spec = as_object(problems, value, path, "location") or {}
    location = {
        "latitude": coordinate(problems, spec, "latitude", path, 90),
        "longitude": coordinate(problems, spec, "longitude", path, 180),
        # Unlike a location message, a template location header needs both.
        "name": required_text(problems, spec, "name", path, Length("Location name")),
        "address": required_text(problems, spec, "address", path, Length("Location address")),
    }
    return {"type": "location", "location": location}


_PARAMETER_BUILDERS: dict[str, ParameterBuilder] = {
    "text": _text_parameter,
    "currency": _currency_parameter,
    "dateTime": _date_time_parameter,
    "image": _media_parameter("image"),
    "video": _media_parameter("video"),
    "document": _media_parameter("document"),
    "location": _location_parameter,
}


def _template_buttons(
    problems: ProblemCollector, buttons: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    indexes: set[int] = set()
    components = []
    for button, path in item_paths(problems, buttons, ("buttons",)):
        button = as_object(problems, button, path, "button")
        if button is None:
            continue
        index = _button_index(problems, button.get("index"), (*path, "index"), indexes)
        sub_type = choice_of(
            problems, button, "subType", path, TEMPLATE_BUTTON_SUB_TYPES, "Button subType"
        )
        if sub_type is None:
            if button.get("subType") is None:
                problems.add("Button subType is required", *path, "subType")
            continue
        parameter = required_text(
            problems, button, "parameter", path, _BUTTON_PARAMETER_LENGTHS[sub_type]
        )
        components.append(
            {
                "type": "button",
                "sub_type": sub_type.lower(),
                "index": str(index),
                "parameters": [_BUTTON_PARAMETERS[sub_type](parameter)],
            }
        )
    return components


def _button_index(problems: ProblemCollector, index: Any, path: FieldPath, seen: set[int]) -> Any:
    if (
        not isinstance(index, int)
        or isinstance(index, bool)
        or not 0 <= index <= TEMPLATE_BUTTON_INDEX_MAX
    ):
        problems.add(
            f"Button index must be a whole number 0-{TEMPLATE_BUTTON_INDEX_MAX} (got {index!r})",
            *path,
        )
    elif index in seen:
        problems.add(f"Button index {index} is given more than once", *path)
    else:
        seen.add(index)
    return index
