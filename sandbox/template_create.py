"""Checks of template definitions (`POST /{WABA}/message_templates`, §6.2) before they are stored.

Creation failures are Graph code 100 with the problem in `error_data.details`, as Meta reports
template-management mistakes.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.errors import bad_param
from sandbox.templates import BUTTON_TYPES, CATEGORIES, HEADER_FORMATS, PLACEHOLDER, variables

NAME_RE = re.compile(r"^[a-z0-9_]{1,512}$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")


def check_definition(body: dict[str, Any]) -> dict[str, Any]:
    """Validate a `POST /{WABA}/message_templates` body (§6.2) and return the normalised template.

    Creation failures are Graph code 100 with the problem in `error_data.details`.
    """
    for key in ("name", "language", "category", "components"):
        if body.get(key) in (None, "", []):
            raise bad_param(f"The parameter {key} is required.")
    name, language, category = body["name"], body["language"], body["category"]
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise bad_param("Template name may only contain lowercase letters, digits and underscores")
    if not isinstance(language, str) or not LANGUAGE_RE.fullmatch(language):
        raise bad_param(f"Invalid language code '{language}'")
    if category not in CATEGORIES:
        raise bad_param(f"Param category must be one of {{{', '.join(sorted(CATEGORIES))}}}")
    parameter_format = body.get("parameter_format", "POSITIONAL")
    if parameter_format not in ("POSITIONAL", "NAMED"):
        raise bad_param("Param parameter_format must be one of {POSITIONAL, NAMED}")
    components = body["components"]
    if not isinstance(components, list) or not all(isinstance(c, dict) for c in components):
        raise bad_param("Param components must be an array of objects")
    _check_components(components, named=parameter_format == "NAMED")
    return {
        "name": name,
        "language": language,
        "category": category,
        "parameter_format": parameter_format,
        "components": components,
    }


def _check_components(components: list[dict[str, Any]], *, named: bool) -> None:
    counts: dict[str, int] = {}
    for component in components:
        kind = str(component.get("type", "")).upper()
        if kind not in ("HEADER", "BODY", "FOOTER", "BUTTONS"):
            raise bad_param(f"Invalid component type '{component.get('type')}'")
        counts[kind] = counts.get(kind, 0) + 1
        if counts[kind] > 1:
            raise bad_param(f"Only one {kind} component is allowed")
        component["type"] = kind
        if kind == "HEADER":
            _check_header(component, named=named)
        elif kind == "BODY":
            _check_text(component, "BODY", 1024, named=named)
        elif kind == "FOOTER":
            text = component.get("text")
            if not isinstance(text, str) or not 0 < len(text) <= 60 or variables(text):
                raise bad_param("FOOTER text is required, at most 60 characters, no variables")
        else:
            _check_buttons(component)
    if "BODY" not in counts:
        raise bad_param("A BODY component is required")


def _check_header(component: dict[str, Any], *, named: bool) -> None:
    fmt = str(component.get("format", "")).upper()
    if fmt not in HEADER_FORMATS:
        raise bad_param(f"HEADER format must be one of {{{', '.join(sorted(HEADER_FORMATS))}}}")
    component["format"] = fmt
    if fmt == "TEXT":
        _check_text(component, "HEADER", 60, named=named, max_vars=1)


def _check_text(
    component: dict[str, Any], kind: str, limit: int, *, named: bool, max_vars: int | None = None
) -> None:
    text = component.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_param(f"{kind} text is required")
    if len(text) > limit:
        raise bad_param(f"{kind} text is longer than {limit} characters")
    found = variables(text)
    if max_vars is not None and len(found) > max_vars:
        raise bad_param(f"{kind} text may contain at most {max_vars} variable")
    if not named and found and list(found) != [str(i) for i in range(1, len(found) + 1)]:
        raise bad_param(f"{kind} variables must be sequential {{{{1}}}}, {{{{2}}}}, ...")
    if named and any(v.isdigit() for v in found):
        raise bad_param(f"{kind} uses positional variables in a NAMED template")
    if found and "example" not in component:
        raise bad_param(f"{kind} has variables but no example values")


def _check_buttons(component: dict[str, Any]) -> None:
    buttons = component.get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 10:
        raise bad_param("BUTTONS needs between 1 and 10 buttons")
    per_type: dict[str, int] = {}
    caps = {"URL": 2, "PHONE_NUMBER": 1, "COPY_CODE": 1}
    for button in buttons:
        btype = str(button.get("type", "")).upper() if isinstance(button, dict) else ""
        if btype not in BUTTON_TYPES:
            raise bad_param(f"Invalid button type '{btype}'")
        button["type"] = btype
        per_type[btype] = per_type.get(btype, 0) + 1
        if per_type[btype] > caps.get(btype, 10):
            raise bad_param(f"Too many {btype} buttons (max {caps[btype]})")
        text = button.get("text")
        if not isinstance(text, str) or not 0 < len(text) <= 25:
            raise bad_param("Button text is required and at most 25 characters")
        if btype == "URL":
            url = button.get("url")
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise bad_param("URL button needs an http(s) url")
            found = list(PLACEHOLDER.finditer(url))
            if len(found) > 1 or (found and found[0].end() != len(url)):
                raise bad_param("A URL button may have one variable, at the end of the url")
        if btype == "PHONE_NUMBER" and not isinstance(button.get("phone_number"), str):
            raise bad_param("PHONE_NUMBER button needs phone_number")
