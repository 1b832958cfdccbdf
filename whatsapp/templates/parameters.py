"""Whether a send's template parameters fit the template's synced definition."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from whatsapp.kit.errors import ErrorCode, FieldPath, ProblemCollector
from whatsapp.messages.payloads.rules import article, canonical_choice, get, plural
from whatsapp.messages.payloads.template import (
    NAMED_FIELD,
    POSITIONAL_FIELD,
    TEMPLATE_BUTTON_SUB_TYPES,
    TEXT_HEADER_PARAMETER_KINDS,
    Slot,
    parameter_kind,
    template_parameters,
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


def template_placeholder_names(
    components: Sequence[Mapping[str, Any]],
) -> tuple[list[str], list[str]]:
    """The placeholder names of a definition's TEXT header and of its body, in order."""
    header: list[str] = []
    body: list[str] = []
    for component in components:
        kind = str(component.get("type", "")).upper()
        if kind == "HEADER" and str(component.get("format") or "TEXT").upper() == "TEXT":
            header = _placeholders(component.get("text"))
        elif kind == "BODY":
            body = _placeholders(component.get("text"))
    return header, body


def check_template_parameters(
    definition_components: Sequence[Mapping[str, Any]],
    *,
    header: Mapping[str, Any] | None,
    body: Sequence[Mapping[str, Any]],
    buttons: Sequence[Mapping[str, Any]],
    named_header: Mapping[str, Any] | None = None,
    named_body: Sequence[Mapping[str, Any]] | None = None,
    parameter_format: str | None = None,
) -> None:
    """Raise TEMPLATE_PARAMETER_MISMATCH for every way the parameters miss the definition.

    A NAMED template (`parameter_format`, or placeholders such as `{{first_name}}`) takes its
    text parameters by name (`named_header`, `named_body`), a POSITIONAL one in order (`header`,
    `body`). Meta answers a mismatch with a terse `codes.TEMPLATE_PARAMETER_COUNT` after the
    message is stored; checking against the synced definition names the exact parameter.
    """
    problems = ProblemCollector()
    given = template_parameters(
        problems,
        header=header,
        body=body or (),
        buttons=buttons or (),
        named_header=named_header,
        named_body=named_body,
    )
    problems.raise_if_any()  # two forms at once, or a malformed entry: nothing to match yet
    counts = template_placeholder_counts(definition_components)
    header_names, body_names = template_placeholder_names(definition_components)
    named = (parameter_format or "").upper() == "NAMED" or any(
        not name.isdigit() for name in (*header_names, *body_names)
    )
    _match_header(problems, counts, given.header, header_names if named else None)
    _match_body(problems, counts["body"], body_names if named else None, given.body)
    _match_buttons(problems, counts["buttons"], given.buttons)
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


def _braced(names: Sequence[str]) -> str:
    return ", ".join(f"{{{{{name}}}}}" for name in names)


def _wrong_form(problems: ProblemCollector, slot: Slot, names: Sequence[str] | None) -> None:
    """The template is NAMED and the slot positional (`names` given), or the other way round."""
    field = slot.field[0]
    if names is not None:
        problems.add(
            f"This template's placeholders are named ({_braced(names)}): give them in "
            f"{NAMED_FIELD.get(field, field)} as {{name, parameter}}",
            *slot.field,
            code=ErrorCode.TEMPLATE_PARAMETER_MISMATCH,
        )
    else:
        problems.add(
            f"This template's placeholders are positional ({{{{1}}}}, {{{{2}}}}, …): give them "
            f"in {POSITIONAL_FIELD.get(field, field)}, in order, without names",
            *slot.field,
            code=ErrorCode.TEMPLATE_PARAMETER_MISMATCH,
        )


def _match_header(
    problems: ProblemCollector,
    counts: Mapping[str, Any],
    header: Slot | None,
    names: Sequence[str] | None,
) -> None:
    """`names` is None for a POSITIONAL template, else the TEXT header's placeholder names."""
    mismatch = ErrorCode.TEMPLATE_PARAMETER_MISMATCH
    header_format = counts["header_format"]
    if counts["header"] == 0:
        if header is not None:
            reason = "has no header" if header_format is None else "header has no placeholder"
            problems.add(
                f"The template {reason}; remove the header parameter", *header.field, code=mismatch
            )
        return
    by_name = header_format == "TEXT" and names is not None
    if header_format == "TEXT":
        expected, accepted = "a text", TEXT_HEADER_PARAMETER_KINDS
    else:
        wanted = header_format.lower()
        expected, accepted = f"{article(wanted)} {wanted}", frozenset({wanted})
    if header is None:
        field, how = ("namedHeader", f" named {names[0]}") if by_name and names else ("header", "")
        problems.add(
            f"The template header is {header_format}; give {expected} header parameter{how}",
            field,
            code=mismatch,
        )
    elif header.named != by_name:
        if by_name or header_format == "TEXT":
            _wrong_form(problems, header, names if by_name else None)
        else:
            problems.add(
                f"The template header is {header_format} and has no placeholder name: give "
                "it in header",
                *header.field,
                code=mismatch,
            )
    elif by_name and names and header.name not in names:
        problems.add(
            f"The template header's placeholder is {_braced(names)} (got {header.name!r})",
            *header.name_path,
            code=mismatch,
        )
    elif (given := parameter_kind(header.value)) not in accepted:
        problems.add(
            f"The template header is {header_format}; give {expected} header "
            f"parameter (got {given})",
            *header.field,
            code=mismatch,
        )


def _match_body(
    problems: ProblemCollector,
    expected: int,
    names: Sequence[str] | None,
    body: Sequence[Slot],
) -> None:
    """`names` is None for a POSITIONAL template, else the body's placeholder names."""
    mismatch = ErrorCode.TEMPLATE_PARAMETER_MISMATCH
    if expected == 0 and body:
        problems.add(
            f"The template body has no placeholder; remove the body parameters (got {len(body)})",
            *body[0].field,
            code=mismatch,
        )
        return
    wrong = next((slot for slot in body if slot.named != (names is not None)), None)
    if wrong is not None:
        _wrong_form(problems, wrong, names)
        return
    if names is None:
        if len(body) != expected:
            problems.add(
                f"The template body has {plural(expected, 'parameter')} (got {len(body)})",
                "body",
                code=mismatch,
            )
        return
    for slot in body:
        if slot.name not in names:
            known = f"its placeholders are {_braced(names)}" if names else "it has none"
            problems.add(
                f"The template body has no placeholder {{{{{slot.name}}}}}; {known}",
                *slot.name_path,
                code=mismatch,
            )
    missing = [name for name in names if name not in {slot.name for slot in body}]
    if missing:
        field = body[0].field if body else ("namedBody",)
        problems.add(
            f"Missing {plural(len(missing), 'parameter')} for {_braced(missing)}: every "
            "placeholder of the template's body needs one, by name",
            *field,
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


def rendered_body(
    components: Sequence[Mapping[str, Any]],
    *,
    body: Sequence[Mapping[str, Any]] = (),
    named_body: Sequence[Mapping[str, Any]] | None = None,
) -> str | None:
    """The body the customer reads: the definition's BODY text with each placeholder replaced
    by its parameter (text as given; a currency's or a date's fallback value, which is what
    Meta shows where it cannot localise). Stored as a sent template's `text`, so a timeline, a
    session's last message and a search read what was said, not only the template's name.
    None without a body text, or when a placeholder has no value."""
    text = next(
        (c.get("text") for c in components if str(c.get("type", "")).upper() == "BODY"), None
    )
    if not isinstance(text, str):
        return None
    if named_body:
        values = {str(p.get("name")): _shown(p.get("parameter")) for p in named_body}
    else:
        values = {str(n): _shown(p) for n, p in enumerate(body, 1)}
    missing = [name for name in _placeholders(text) if values.get(name) is None]
    if missing:
        return None
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)


def _shown(parameter: Any) -> str | None:
    """A parameter as the customer sees it, from our input shape."""
    if not isinstance(parameter, Mapping):
        return None
    if isinstance(parameter.get("text"), str):
        return str(parameter["text"])
    for kind in ("currency", "dateTime"):
        value = parameter.get(kind)
        if isinstance(value, Mapping) and isinstance(value.get("fallbackValue"), str):
            return str(value["fallbackValue"])
    return None
