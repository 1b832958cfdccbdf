"""Send-time checks of `type: template` messages against the WABA's templates (§2.9, §9).

Order follows what Meta reports first: the template must exist in that language (132001) and be
sendable (132015 paused, 132016 disabled, 132001 otherwise), then every component's parameter
count must match the template's placeholders (132000), parameter kinds must match the template's
format (132012), hydrated text must fit (132005), and button parameters must point at a button
of the right kind (131009).
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.errors import GraphError, bad_param, invalid, missing
from sandbox.fields import (
    MediaKindOf,
    MediaRefs,
    check_keys,
    expect_list,
    expect_object,
    media_object,
    required,
)
from sandbox.templates import StoredTemplate, TemplateShape, TemplateStore
from sandbox.validation import check_location

_TEMPLATE_KEYS = frozenset({"name", "language", "components", "namespace"})
_COMPONENT_KEYS = frozenset({"type", "sub_type", "index", "parameters"})
_TEXTLIKE = frozenset({"text", "currency", "date_time"})
_SUB_TYPES = {
    "quick_reply": "QUICK_REPLY",
    "url": "URL",
    "copy_code": "COPY_CODE",
    "flow": "FLOW",
    "catalog": "CATALOG",
    "mpm": "MPM",
}
_CURRENCY = re.compile(r"^[A-Z]{3}$")
HEADER_TEXT_MAX = 60
BODY_TEXT_MAX = 1024
BODY_ONLY_TEXT_MAX = 32768
# FLAGGED: "received negative feedback and is at risk of being disabled" — still sendable.
SENDABLE_STATUSES = frozenset({"APPROVED", "FLAGGED"})


def check_template(
    payload: dict[str, Any], store: TemplateStore, *, kind_of: MediaKindOf, refs: MediaRefs
) -> StoredTemplate:
    check_keys(payload, _TEMPLATE_KEYS, "template")
    name = required(payload, "name", "template")
    if not isinstance(name, str):
        raise bad_param("Param template.name must be a string")
    language = expect_object(required(payload, "language", "template"), "template.language")
    check_keys(language, frozenset({"code", "policy"}), "template.language")
    code = required(language, "code", "template.language")
    if not isinstance(code, str):
        raise bad_param("Param template.language.code must be a string")
    if language.get("policy", "deterministic") != "deterministic":
        raise invalid("Param template.language.policy must be 'deterministic'")

    stored = store.get(name, code)
    if stored is None:
        raise GraphError(132001, f"template name ({name}) does not exist in {code}")
    status = stored.data["status"]
    if status == "PAUSED":
        raise GraphError(132015, f"Template {name} ({code}) is paused because of low quality")
    if status == "DISABLED":
        raise GraphError(132016, f"Template {name} ({code}) has been disabled")
    if status not in SENDABLE_STATUSES:
        raise GraphError(
            132001, f"template name ({name}) in {code} is {status}, only APPROVED can be sent"
        )

    header, body, buttons = _split_components(payload.get("components"))
    shape = stored.shape
    _check_header(header, shape, kind_of=kind_of, refs=refs)
    _check_body(body, shape)
    _check_buttons(buttons, shape)
    return stored


def _split_components(
    value: Any,
) -> tuple[list[Any] | None, list[Any] | None, dict[int, tuple[str, dict[str, Any]]]]:
    """Parameters of the header and body, and button components by index."""
    if value is None:
        return None, None, {}
    components = expect_list(value, "template.components")
    header: list[Any] | None = None
    body: list[Any] | None = None
    buttons: dict[int, tuple[str, dict[str, Any]]] = {}
    for i, raw in enumerate(components):
        where = f"template.components[{i}]"
        component = expect_object(raw, where)
        check_keys(component, _COMPONENT_KEYS, where)
        kind = required(component, "type", where)
        params = expect_list(component.get("parameters", []), f"{where}.parameters")
        if kind == "header" or kind == "body":
            if (header if kind == "header" else body) is not None:
                raise invalid(f"Param {where}: duplicate {kind} component")
            if kind == "header":
                header = params
            else:
                body = params
        elif kind == "button":
            index = _index(component.get("index"), where)
            if index in buttons:
                raise invalid(f"Param {where}: duplicate button component for index {index}")
            buttons[index] = (where, component)
        else:
            raise invalid(f"Param {where}.type must be one of {{header, body, button}}")
    return header, body, buttons


def _index(value: Any, where: str) -> int:
    if value is None:
        raise missing(f"Param {where}.index is required")
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and value.isdigit())
    ):
        raise invalid(f"Param {where}.index must be a non-negative integer")
    return int(value)


def _count_mismatch(part: str, got: int, expected: int) -> GraphError:
    return GraphError(
        132000,
        f"{part}: number of localizable_params ({got}) does not match the expected number "
        f"of params ({expected})",
    )


def _check_header(
    params: list[Any] | None, shape: TemplateShape, *, kind_of: MediaKindOf, refs: MediaRefs
) -> None:
    fmt = shape.header_format
    given = params or []
    if fmt is None or fmt == "TEXT":
        expected = len(shape.header_vars)
        if len(given) != expected:
            raise _count_mismatch("header", len(given), expected)
        _check_textlike(given, "header", HEADER_TEXT_MAX, shape)
        return
    if len(given) != 1:
        raise _count_mismatch("header", len(given), 1)
    where = "template.components.header.parameters[0]"
    param = expect_object(given[0], where)
    kind = required(param, "type", where)
    wanted = fmt.lower()
    if kind != wanted:
        raise GraphError(
            132012, f"header: parameter of type {kind} does not match the template's {fmt} header"
        )
    check_keys(param, frozenset({"type", wanted}), where)
    if wanted == "location":
        check_location(required(param, "location", where), f"{where}.location", require_labels=True)
    else:
        allowed = frozenset({"id", "link", "filename"} if wanted == "document" else {"id", "link"})
        media_object(
            required(param, wanted, where),
            wanted,
            f"{where}.{wanted}",
            kind_of=kind_of,
            refs=refs,
            allowed=allowed,
        )


def _check_body(params: list[Any] | None, shape: TemplateShape) -> None:
    given = params or []
    expected = len(shape.body_vars)
    if len(given) != expected:
        raise _count_mismatch("body", len(given), expected)
    limit = BODY_ONLY_TEXT_MAX if shape.body_only else BODY_TEXT_MAX
    _check_textlike(given, "body", limit, shape)


def _check_textlike(params: list[Any], part: str, limit: int, shape: TemplateShape) -> None:
    names: list[str] = []
    for i, raw in enumerate(params):
        where = f"template.components.{part}.parameters[{i}]"
        param = expect_object(raw, where)
        kind = required(param, "type", where)
        if kind not in _TEXTLIKE:
            raise GraphError(
                132012, f"{part}: parameter {i} of type {kind} is not valid in a {part}"
            )
        check_keys(param, frozenset({"type", kind, "parameter_name"}), where)
        if shape.named:
            name = param.get("parameter_name")
            if not isinstance(name, str):
                raise missing(f"Param {where}.parameter_name is required for NAMED templates")
            names.append(name)
        value = required(param, kind, where)
        if kind == "text":
            if not isinstance(value, str):
                raise bad_param(f"Param {where}.text must be a string")
            if not value.strip():
                raise invalid(f"Param {where}.text must not be empty")
            if len(value) > limit:
                raise GraphError(
                    132005, f"{part}: parameter {i} is {len(value)} characters, max is {limit}"
                )
        elif kind == "currency":
            _check_currency(value, f"{where}.currency")
        else:
            _check_date_time(value, f"{where}.date_time")
    if shape.named:
        wanted = shape.header_vars if part == "header" else shape.body_vars
        if sorted(names) != sorted(wanted):
            raise GraphError(
                132000,
                f"{part}: parameter names {sorted(names)} do not match the template's "
                f"{sorted(wanted)}",
            )


def _check_currency(value: Any, where: str) -> None:
    obj = expect_object(value, where)
    check_keys(obj, frozenset({"fallback_value", "code", "amount_1000"}), where)
    for key in ("fallback_value", "code", "amount_1000"):
        required(obj, key, where)
    if not isinstance(obj["fallback_value"], str) or not obj["fallback_value"].strip():
        raise invalid(f"Param {where}.fallback_value must be a non-empty string")
    if not isinstance(obj["code"], str) or not _CURRENCY.fullmatch(obj["code"]):
        raise invalid(f"Param {where}.code must be an ISO 4217 code like 'USD'")
    amount = obj["amount_1000"]
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise invalid(f"Param {where}.amount_1000 must be an integer (amount x 1000)")


_DATE_KEYS = frozenset(
    {
        "fallback_value",
        "day_of_week",
        "year",
        "month",
        "day_of_month",
        "hour",
        "minute",
        "calendar",
        "timestamp",
    }
)
_DATE_RANGES = {
    "day_of_week": (1, 7),
    "month": (1, 12),
    "day_of_month": (1, 31),
    "hour": (0, 23),
    "minute": (0, 59),
    "year": (1, 9999),
}


def _check_date_time(value: Any, where: str) -> None:
    obj = expect_object(value, where)
    check_keys(obj, _DATE_KEYS, where)
    fallback = required(obj, "fallback_value", where)
    if not isinstance(fallback, str) or not fallback.strip():
        raise invalid(f"Param {where}.fallback_value must be a non-empty string")
    for key, (low, high) in _DATE_RANGES.items():
        part = obj.get(key)
        if part is not None and (
            isinstance(part, bool) or not isinstance(part, int) or not low <= part <= high
        ):
            raise invalid(f"Param {where}.{key} must be an integer between {low} and {high}")
    calendar = obj.get("calendar")
    if calendar is not None and calendar not in ("GREGORIAN", "SOLAR_HIJRI"):
        raise invalid(f"Param {where}.calendar must be GREGORIAN or SOLAR_HIJRI")


_BUTTON_PARAM = {
    "QUICK_REPLY": "payload",
    "URL": "text",
    "COPY_CODE": "coupon_code",
    "FLOW": "action",
}


def _check_buttons(given: dict[int, tuple[str, dict[str, Any]]], shape: TemplateShape) -> None:
    for index, (where, component) in given.items():
        if index >= len(shape.buttons):
            raise invalid(
                f"Param {where}.index: button at index {index} does not exist in the template "
                f"(it has {len(shape.buttons)} buttons)"
            )
        button = shape.buttons[index]
        sub_type = required(component, "sub_type", where)
        if _SUB_TYPES.get(sub_type) != button.type:
            raise invalid(
                f"Param {where}.sub_type '{sub_type}' does not match the template's "
                f"{button.type} button at index {index}"
            )
        params = component.get("parameters", [])
        needed = 1 if (button.dynamic or button.type in ("COPY_CODE",)) else 0
        allowed = 1 if button.type in ("QUICK_REPLY", "FLOW") else needed
        if not needed <= len(params) <= allowed:
            if button.type == "URL" and not button.dynamic:
                raise invalid(
                    f"Param {where}: the URL button at index {index} has no variable, "
                    "so it takes no parameters"
                )
            raise _count_mismatch(f"buttons[{index}]", len(params), needed or allowed)
        for j, raw in enumerate(params):
            _check_button_param(raw, f"{where}.parameters[{j}]", button.type)
    for index, button in enumerate(shape.buttons):
        if (button.dynamic or button.type == "COPY_CODE") and index not in given:
            raise _count_mismatch(f"buttons[{index}]", 0, 1)


def _check_button_param(raw: Any, where: str, button_type: str) -> None:
    param = expect_object(raw, where)
    kind = required(param, "type", where)
    wanted = _BUTTON_PARAM.get(button_type)
    if kind != wanted:
        raise invalid(f"Param {where}.type must be '{wanted}' for a {button_type} button")
    check_keys(param, frozenset({"type", kind}), where)
    value = required(param, kind, where)
    if kind == "action":
        expect_object(value, f"{where}.action")
        return
    if not isinstance(value, str) or not value.strip():
        raise invalid(f"Param {where}.{kind} must be a non-empty string")
    limits = {"payload": 256, "text": 2000, "coupon_code": 15}
    if len(value) > limits[kind]:
        raise invalid(f"Param {where}.{kind} length invalid. Max length: {limits[kind]}")
