"""Whether a send's template parameters fit the template's synced definition."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from whatsapp.kit.errors import ErrorCode, FieldPath, ProblemCollector
from whatsapp.messages.payloads.rules import article, canonical_choice, get, plural
from whatsapp.messages.payloads.template import (
    TEMPLATE_BUTTON_SUB_TYPES,
    TEMPLATE_PARAMETER_KINDS,
    TEXT_HEADER_PARAMETER_KINDS,
)

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
# Definition button type -> the subType that fills it; authentication OTP buttons take `url`.
_SUB_TYPE_FOR_BUTTON = {
    "QUICK_REPLY": "QUICK_REPLY",
    "URL": "URL",
    "COPY_CODE": "COPY_CODE",
    "FLOW": "FLOW",
    "OTP": "URL",
}


def template_placeholder_counts(components: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What a send must supply for a template *definition* (Meta's HEADER/BODY/BUTTONS shape).

    `header` counts the parameters the header needs: its placeholders for a TEXT header, 1 for
    a media or location header (always sent as a parameter). `header_format` is None without a
    header. A button is `dynamic` when a send must give it a parameter.
    """
    counts: dict[str, Any] = {"header": 0, "header_format": None, "body": 0, "buttons": []}
    for component in components:
        kind = str(component.get("type", "")).upper()
        if kind == "HEADER":
            header_format = str(component.get("format") or "TEXT").upper()
            counts["header_format"] = header_format
            counts["header"] = (
                len(_placeholders(component.get("text"))) if header_format == "TEXT" else 1
            )
        elif kind == "BODY":
            counts["body"] = len(_placeholders(component.get("text")))
        elif kind == "BUTTONS":
            counts["buttons"] = [
                {
                    "index": index,
                    "type": str(button.get("type", "")).upper(),
                    "dynamic": _button_is_dynamic(button),
                }
                for index, button in enumerate(component.get("buttons") or ())
            ]
    return counts


def check_template_parameters(
    definition_components: Sequence[Mapping[str, Any]],
    *,
    header: Mapping[str, Any] | None,
    body: Sequence[Mapping[str, Any]],
    buttons: Sequence[Mapping[str, Any]],
) -> None:
    """Raise TEMPLATE_PARAMETER_MISMATCH for every way the parameters miss the definition.

    Meta answers a mismatch with a terse `codes.TEMPLATE_PARAMETER_COUNT` after the message is
    stored; checking against the synced definition lets us name the exact parameter instead.
    """
    problems = ProblemCollector()
    counts = template_placeholder_counts(definition_components)
    _match_header(problems, counts, header)
    _match_body(
        problems, counts["body"], _body_placeholder_names(definition_components), body or ()
    )
    _match_buttons(problems, counts["buttons"], buttons or ())
    problems.raise_if_any()


def _placeholders(text: Any) -> list[str]:
    """Distinct placeholder names in order: `{{1}}` and named `{{first_name}}` alike."""
    if not isinstance(text, str):
        return []
    return list(dict.fromkeys(_PLACEHOLDER.findall(text)))


def _button_is_dynamic(button: Mapping[str, Any]) -> bool:
    """Whether sending needs a parameter: a URL with a placeholder, a coupon, a one-time code."""
    kind = str(button.get("type", "")).upper()
    if kind == "URL":
        return bool(_placeholders(button.get("url")))
    return kind in ("COPY_CODE", "OTP")


def _body_placeholder_names(components: Sequence[Mapping[str, Any]]) -> list[str] | None:
    """The body's placeholder names when the template uses named ones, else None."""
    for component in components:
        if str(component.get("type", "")).upper() == "BODY":
            names = _placeholders(component.get("text"))
            return names if names and not all(n.isdigit() for n in names) else None
    return None


def _parameter_kind(parameter: Any) -> str | None:
    return next((k for k in TEMPLATE_PARAMETER_KINDS if get(parameter, k) is not None), None)


def _match_header(
    problems: ProblemCollector, counts: Mapping[str, Any], header: Mapping[str, Any] | None
) -> None:
    mismatch = ErrorCode.TEMPLATE_PARAMETER_MISMATCH
    header_format = counts["header_format"]
    given = _parameter_kind(header) if header is not None else None
    if counts["header"] == 0:
        if header is not None:
            reason = "has no header" if header_format is None else "header has no placeholder"
            problems.add(
                f"The template {reason}; remove the header parameter", "header", code=mismatch
            )
        return
    if header_format == "TEXT":
        expected, accepted = "a text", TEXT_HEADER_PARAMETER_KINDS
    else:
        wanted = header_format.lower()
        expected, accepted = f"{article(wanted)} {wanted}", frozenset({wanted})
    if header is None:
        problems.add(
            f"The template header is {header_format}; give {expected} header parameter",
            "header",
            code=mismatch,
        )
    elif given not in accepted:
        problems.add(
            f"The template header is {header_format}; give {expected} header "
            f"parameter (got {given})",
            "header",
            code=mismatch,
        )


def _match_body(
    problems: ProblemCollector,
    expected: int,
    names: list[str] | None,
    body: Sequence[Mapping[str, Any]],
) -> None:
    mismatch = ErrorCode.TEMPLATE_PARAMETER_MISMATCH
    if len(body) != expected:
        problems.add(
            f"The template body has {plural(expected, 'parameter')} (got {len(body)})",
            "body",
            code=mismatch,
        )
    if names is None:
        return
    for index, parameter in enumerate(body):
        name = get(parameter, "parameterName")
        if name not in names:
            problems.add(
                f"parameterName must be one of the template's placeholders: "
                f"{', '.join(names)} (got {name!r})",
                "body",
                str(index),
                "parameterName",
                code=mismatch,
            )


def _match_buttons(
    problems: ProblemCollector,
    definition: Sequence[Mapping[str, Any]],
    buttons: Sequence[Mapping[str, Any]],
) -> None:
    mismatch = ErrorCode.TEMPLATE_PARAMETER_MISMATCH
    given: set[int] = set()
    for position, button in enumerate(buttons):
        path = ("buttons", str(position))
        index = get(button, "index")
        if not isinstance(index, int) or not 0 <= index < len(definition):
            problems.add(
                f"The template has no button at index {index!r} "
                f"(it has {plural(len(definition), 'button')})",
                *path,
                "index",
                code=mismatch,
            )
            continue
        given.add(index)
        _match_button(problems, definition[index], button, path)
    for button in definition:
        if button["dynamic"] and button["index"] not in given:
            problems.add(
                f"Button {button['index']} ({button['type']}) needs a parameter",
                "buttons",
                code=mismatch,
            )


def _match_button(
    problems: ProblemCollector,
    definition: Mapping[str, Any],
    button: Mapping[str, Any],
    path: FieldPath,
) -> None:
    mismatch = ErrorCode.TEMPLATE_PARAMETER_MISMATCH
    index, kind = definition["index"], definition["type"]
    expected = _SUB_TYPE_FOR_BUTTON.get(kind)
    sub_type = canonical_choice(get(button, "subType"), TEMPLATE_BUTTON_SUB_TYPES)
    if expected is None:
        problems.add(
            f"Button {index} is a {kind} button and takes no parameter", *path, code=mismatch
        )
    elif sub_type != expected:
        problems.add(
            f"Button {index} is a {kind} button; use subType {expected} "
            f"(got {sub_type or get(button, 'subType')})",
            *path,
            "subType",
            code=mismatch,
        )
    elif kind == "URL" and not definition["dynamic"]:
        problems.add(
            f"Button {index} has a fixed URL and takes no parameter",
            *path,
            "parameter",
            code=mismatch,
        )
