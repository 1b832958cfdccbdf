"""Template messages: the components of a send, each parameter checked on its own.

Whether the parameters fit the template's definition is `whatsapp.templates.parameters`' job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping, Sequence
from typing import Any

from whatsapp.kit.errors import FieldPath, ProblemCollector
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
    item_paths,
    one_of,
    optional_text,
    put,
    required_text,
)

TEMPLATE_BUTTON_INDEX_MAX = 9
_TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,512}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:_[A-Z]{2})?")
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
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


def template_object(
    problems: ProblemCollector,
    name: str,
    language: str,
    header: Mapping[str, Any] | None,
    body: Sequence[Mapping[str, Any]],
    buttons: Sequence[Mapping[str, Any]],
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
    components = _template_components(problems, header, body, buttons)
    template: dict[str, Any] = {
        "name": name,
        "language": {"code": language, "policy": "deterministic"},
    }
    if components:
        template["components"] = components
    return template


def _template_components(
    problems: ProblemCollector,
    header: Mapping[str, Any] | None,
    body: Sequence[Mapping[str, Any]],
    buttons: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    components: list[dict[str, Any]] = []
    if header is not None:
        parameter = _template_parameter(
            problems, header, ("header",), TEMPLATE_HEADER_TEXT, TEMPLATE_PARAMETER_KINDS
        )
        components.append({"type": "header", "parameters": [parameter]})
    if body:
        alone = header is None and not buttons
        text_length = TEMPLATE_BODY_ONLY_TEXT if alone else TEMPLATE_BODY_TEXT
        parameters = [
            _template_parameter(
                problems, parameter, ("body", str(index)), text_length, _BODY_PARAMETER_KINDS
            )
            for index, parameter in enumerate(body)
        ]
        components.append({"type": "body", "parameters": parameters})
    components.extend(_template_buttons(problems, buttons))
    return components


def _template_parameter(
    problems: ProblemCollector,
    parameter: Any,
    path: FieldPath,
    text_length: Length,
    allowed: Container[str],
) -> dict[str, Any]:
    parameter = as_object(problems, parameter, path, "parameter")
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
        problems.add(
            f"Body parameters must be text, currency or dateTime (got {kind})", *path, kind
        )
        return {}
    built = _PARAMETER_BUILDERS[kind](problems, parameter[kind], (*path, kind), text_length)
    # Templates created with named placeholders ({{first_name}}) are sent with their names.
    put(built, "parameter_name", optional_text(problems, parameter, "parameterName", path))
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
