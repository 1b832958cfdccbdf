"""Interactive messages: reply buttons, lists, a call-to-action URL, and flows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from whatsapp.kit.errors import FieldPath, ProblemCollector
from whatsapp.messages.payloads.content import (
    INTERACTIVE_TYPES,
    check_url,
    document_or_media,
)
from whatsapp.messages.payloads.rules import (
    ANY_EMOJI,
    BUTTON_ID,
    BUTTON_TITLE,
    CTA_DISPLAY_TEXT,
    FLOW_CTA,
    FLOW_TOKEN,
    FOOTER,
    HEADER_TEXT,
    INTERACTIVE_BODY,
    LIST_BUTTON_TEXT,
    LIST_ROWS,
    LIST_SECTIONS,
    REPLY_BUTTONS,
    ROW_DESCRIPTION,
    ROW_ID,
    ROW_TITLE,
    SECTION_ROWS,
    SECTION_TITLE,
    Length,
    as_object,
    check_count,
    check_text,
    check_unique,
    choice_of,
    forbid,
    item_paths,
    one_of,
    optional_text,
    put,
    required_text,
)

FLOW_MESSAGE_VERSION = "3"
_HEADER_KINDS = ("text", "image", "video", "document")
_FLOW_ACTIONS = frozenset({"navigate", "data_exchange"})
_FLOW_MODES = frozenset({"draft", "published"})
_FLOW_REFERENCES = {"flowId": "flow_id", "flowName": "flow_name"}


def _interactive(
    problems: ProblemCollector,
    kind: str,
    spec: Mapping[str, Any],
    path: FieldPath,
    header: dict[str, Any] | None,
    action: dict[str, Any],
) -> dict[str, Any]:
    """The shape every interactive message shares around its kind-specific `action`."""
    interactive: dict[str, Any] = {"type": INTERACTIVE_TYPES[kind]}
    put(interactive, "header", header)
    interactive["body"] = {"text": required_text(problems, spec, "body", path, INTERACTIVE_BODY)}
    footer = optional_text(problems, spec, "footer", path, FOOTER)
    if footer is not None:
        interactive["footer"] = {"text": footer}
    interactive["action"] = action
    return interactive


def buttons_message(
    problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath
) -> dict[str, Any]:
    header = _header(problems, spec.get("header"), (*path, "header"))
    action = {"buttons": _reply_buttons(problems, spec.get("buttons"), (*path, "buttons"))}
    return _interactive(problems, "buttons", spec, path, header, action)


def _reply_buttons(
    problems: ProblemCollector, buttons: Any, path: FieldPath
) -> list[dict[str, Any]]:
    ids: set[str] = set()
    titles: set[str] = set()
    replies = []
    for button, item_path in item_paths(problems, buttons, path, REPLY_BUTTONS):
        button = as_object(problems, button, item_path, "button")
        if button is None:
            continue
        button_id = required_text(problems, button, "id", item_path, BUTTON_ID)
        check_unique(problems, ids, button_id, (*item_path, "id"), "Button id")
        if button_id and button_id != button_id.strip():
            problems.add("Button id must not start or end with spaces", *item_path, "id")
        title = required_text(problems, button, "title", item_path, BUTTON_TITLE)
        check_unique(problems, titles, title, (*item_path, "title"), "Button title")
        replies.append({"type": "reply", "reply": {"id": button_id, "title": title}})
    return replies


def list_message(
    problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath
) -> dict[str, Any]:
    header = _header(problems, spec.get("header"), (*path, "header"), media=False)
    action = {
        "button": required_text(problems, spec, "buttonText", path, LIST_BUTTON_TEXT),
        "sections": _sections(problems, spec.get("sections"), (*path, "sections")),
    }
    return _interactive(problems, "list", spec, path, header, action)


def _sections(problems: ProblemCollector, sections: Any, path: FieldPath) -> list[dict[str, Any]]:
    items = item_paths(problems, sections, path, LIST_SECTIONS)
    row_ids: set[str] = set()
    result = []
    for section, item_path in items:
        section = as_object(problems, section, item_path, "section")
        if section is None:
            continue
        built: dict[str, Any] = {}
        put(built, "title", optional_text(problems, section, "title", item_path, SECTION_TITLE))
        if "title" not in built and len(items) > 1:
            problems.add(
                "Section title is required when a list has more than one section",
                *item_path,
                "title",
            )
        built["rows"] = [
            _row(problems, row, row_path, row_ids)
            for row, row_path in item_paths(
                problems, section.get("rows"), (*item_path, "rows"), SECTION_ROWS
            )
        ]
        result.append(built)
    total_rows = sum(len(section["rows"]) for section in result)
    if total_rows:  # an empty section is reported on its own
        check_count(problems, total_rows, path, LIST_ROWS)
    return result


def _row(
    problems: ProblemCollector, row: Any, path: FieldPath, row_ids: set[str]
) -> dict[str, Any]:
    row = as_object(problems, row, path, "row")
    if row is None:
        return {}
    row_id = required_text(problems, row, "id", path, ROW_ID)
    check_unique(problems, row_ids, row_id, (*path, "id"), "Row id")
    built = {"id": row_id, "title": required_text(problems, row, "title", path, ROW_TITLE)}
    put(built, "description", optional_text(problems, row, "description", path, ROW_DESCRIPTION))
    return built


def cta_url_message(
    problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath
) -> dict[str, Any]:
    header = _header(problems, spec.get("header"), (*path, "header"))
    parameters = {
        "display_text": required_text(problems, spec, "displayText", path, CTA_DISPLAY_TEXT),
        "url": check_url(problems, spec.get("url"), (*path, "url"), "Button URL"),
    }
    action = {"name": "cta_url", "parameters": parameters}
    return _interactive(problems, "ctaUrl", spec, path, header, action)


def flow_message(
    problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath
) -> dict[str, Any]:
    header = _header(problems, spec.get("header"), (*path, "header"))
    parameters: dict[str, Any] = {"flow_message_version": FLOW_MESSAGE_VERSION}
    flow_key = one_of(problems, spec, tuple(_FLOW_REFERENCES), path, "flow", among_all=False)
    if flow_key is not None:
        parameters[_FLOW_REFERENCES[flow_key]] = required_text(
            problems, spec, flow_key, path, Length(flow_key)
        )
    parameters["flow_token"] = required_text(problems, spec, "flowToken", path, FLOW_TOKEN)
    cta = required_text(problems, spec, "flowCta", path, FLOW_CTA)
    if cta and ANY_EMOJI.search(cta):
        problems.add("Flow button text must not contain emoji", *path, "flowCta")
    parameters["flow_cta"] = cta
    action = choice_of(problems, spec, "action", path, _FLOW_ACTIONS, "Flow action") or "navigate"
    parameters["flow_action"] = action
    put(parameters, "flow_action_payload", _flow_action_payload(problems, spec, path, action))
    put(parameters, "mode", choice_of(problems, spec, "mode", path, _FLOW_MODES, "Flow mode"))
    return _interactive(
        problems, "flow", spec, path, header, {"name": "flow", "parameters": parameters}
    )


def _flow_action_payload(
    problems: ProblemCollector, spec: Mapping[str, Any], path: FieldPath, action: str
) -> dict[str, Any] | None:
    """`navigate` opens a named screen (with optional data); `data_exchange` asks our endpoint."""
    screen = optional_text(problems, spec, "screen", path)
    data = spec.get("data")
    if action == "data_exchange":
        forbid(
            problems,
            spec,
            "screen",
            path,
            "A data_exchange flow takes no screen; the flow endpoint chooses it",
        )
        if data is not None:
            problems.add(
                "A data_exchange flow takes no data; the flow endpoint supplies it", *path, "data"
            )
        return None
    if screen is None:
        problems.add("Screen is required when the flow action is navigate", *path, "screen")
    payload: dict[str, Any] = {"screen": screen}
    if data is not None:
        if not isinstance(data, Mapping) or not data:
            problems.add("Flow data must be a non-empty object when given", *path, "data")
        payload["data"] = data
    return payload


def _header(
    problems: ProblemCollector, header: Any, path: FieldPath, *, media: bool = True
) -> dict[str, Any] | None:
    """An interactive header; list messages (`media=False`) take text only, possibly bare."""
    if header is None or header == "":
        return None
    if isinstance(header, str) and not media:
        return {
            "type": "text",
            "text": check_text(problems, header, path, HEADER_TEXT, required=True),
        }
    header = as_object(problems, header, path, "header")
    if header is None:
        return None
    kind = one_of(problems, header, _HEADER_KINDS, path, "header")
    if kind is None:
        return None
    if kind == "text":
        return {"type": "text", "text": required_text(problems, header, "text", path, HEADER_TEXT)}
    if not media:
        problems.add(f"List messages take a text header only (got {kind})", *path, kind)
        return None
    source = as_object(problems, header[kind], (*path, kind), kind)
    if source is None:
        return None
    return {"type": kind, kind: document_or_media(problems, kind, source, (*path, kind))}
