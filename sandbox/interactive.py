"""Validation of interactive messages: reply buttons, lists, CTA URL, flows (§2.8, §2.11)."""

from __future__ import annotations

from typing import Any

from sandbox.errors import invalid, missing, unsupported_type
from sandbox.fields import (
    MediaKindOf,
    MediaRefs,
    check_keys,
    choice,
    expect_list,
    expect_object,
    http_url,
    media_object,
    required,
    text,
)

KINDS = ("button", "list", "cta_url", "flow", "location_request_message")
# Types Meta has but the sandbox does not simulate (catalogs and the like) -> 131051.
NOT_SIMULATED = frozenset(
    {
        "product",
        "product_list",
        "catalog_message",
        "address_message",
        "call_permission_request",
        "voice_call",
    }
)
_TOP_KEYS = frozenset({"type", "header", "body", "footer", "action"})
_MEDIA_HEADERS = ("image", "video", "document")


def check(value: Any, *, kind_of: MediaKindOf, refs: MediaRefs) -> None:
    obj = expect_object(value, "interactive")
    kind = required(obj, "type", "interactive")
    if kind in NOT_SIMULATED:
        raise unsupported_type(f"Interactive type '{kind}' is not supported by the sandbox")
    if kind not in KINDS:
        raise invalid(f"Param interactive.type must be one of {{{', '.join(KINDS)}}}")
    check_keys(obj, _TOP_KEYS, "interactive")
    body = expect_object(required(obj, "body", "interactive"), "interactive.body")
    check_keys(body, frozenset({"text"}), "interactive.body")
    text(body, "text", "interactive.body", max_len=1024)
    if "footer" in obj:
        footer = expect_object(obj["footer"], "interactive.footer")
        check_keys(footer, frozenset({"text"}), "interactive.footer")
        text(footer, "text", "interactive.footer", max_len=60)
    if "header" in obj:
        _check_header(
            obj["header"],
            text_only=kind in ("list", "location_request_message"),
            kind_of=kind_of,
            refs=refs,
        )
    action = expect_object(required(obj, "action", "interactive"), "interactive.action")
    if kind == "button":
        _check_buttons(action)
    elif kind == "list":
        _check_list(action)
    elif kind == "cta_url":
        _check_cta_url(action)
    elif kind == "flow":
        _check_flow(action)
    else:
        check_keys(action, frozenset({"name"}), "interactive.action")
        if required(action, "name", "interactive.action") != "send_location":
            raise invalid("Param interactive.action.name must be 'send_location'")


def _check_header(value: Any, *, text_only: bool, kind_of: MediaKindOf, refs: MediaRefs) -> None:
    header = expect_object(value, "interactive.header")
    kind = required(header, "type", "interactive.header")
    allowed = ("text",) if text_only else ("text", *_MEDIA_HEADERS)
    if kind not in allowed:
        raise invalid(f"Param interactive.header.type must be one of {{{', '.join(allowed)}}}")
    check_keys(header, frozenset({"type", kind}), "interactive.header")
    if kind == "text":
        text(header, "text", "interactive.header", max_len=60)
    else:
        media_object(
            required(header, kind, "interactive.header"),
            kind,
            f"interactive.header.{kind}",
            kind_of=kind_of,
            refs=refs,
            allowed=frozenset({"id", "link", "filename"} if kind == "document" else {"id", "link"}),
        )


def _check_buttons(action: dict[str, Any]) -> None:
    check_keys(action, frozenset({"buttons"}), "interactive.action")
    buttons = expect_list(
        required(action, "buttons", "interactive.action"), "interactive.action.buttons"
    )
    if not 1 <= len(buttons) <= 3:
        raise invalid(f"Buttons count invalid: {len(buttons)}. Min: 1, Max: 3")
    ids: set[str] = set()
    titles: set[str] = set()
    for i, raw in enumerate(buttons):
        where = f"interactive.action.buttons[{i}]"
        button = expect_object(raw, where)
        check_keys(button, frozenset({"type", "reply"}), where)
        if required(button, "type", where) != "reply":
            raise invalid(f"Param {where}.type must be 'reply'")
        reply = expect_object(required(button, "reply", where), f"{where}.reply")
        check_keys(reply, frozenset({"id", "title"}), f"{where}.reply")
        title = text(reply, "title", f"{where}.reply", max_len=20, label="Button title")
        button_id = text(reply, "id", f"{where}.reply", max_len=256, label="Button id")
        assert title is not None
        assert button_id is not None
        if button_id != button_id.strip():
            raise invalid(f"Param {where}.reply.id must not have leading or trailing spaces")
        if title in titles:
            raise invalid(f"Button title must be unique: '{title}' appears twice")
        if button_id in ids:
            raise invalid(f"Button id must be unique: '{button_id}' appears twice")
        titles.add(title)
        ids.add(button_id)


def _check_list(action: dict[str, Any]) -> None:
    check_keys(action, frozenset({"button", "sections"}), "interactive.action")
    text(action, "button", "interactive.action", max_len=20, label="List button label")
    sections = expect_list(
        required(action, "sections", "interactive.action"), "interactive.action.sections"
    )
    if not 1 <= len(sections) <= 10:
        raise invalid(f"Sections count invalid: {len(sections)}. Min: 1, Max: 10")
    row_ids: set[str] = set()
    total_rows = 0
    for i, raw in enumerate(sections):
        where = f"interactive.action.sections[{i}]"
        section = expect_object(raw, where)
        check_keys(section, frozenset({"title", "rows"}), where)
        text(
            section, "title", where, max_len=24, optional=len(sections) == 1, label="Section title"
        )
        rows = expect_list(required(section, "rows", where), f"{where}.rows")
        if not rows:
            raise invalid(f"Param {where}.rows must contain at least one row")
        for j, raw_row in enumerate(rows):
            row_where = f"{where}.rows[{j}]"
            row = expect_object(raw_row, row_where)
            check_keys(row, frozenset({"id", "title", "description"}), row_where)
            row_id = text(row, "id", row_where, max_len=200, label="Row id")
            text(row, "title", row_where, max_len=24, label="Row title")
            text(
                row,
                "description",
                row_where,
                max_len=72,
                min_len=0,
                optional=True,
                label="Row description",
            )
            assert row_id is not None
            if row_id in row_ids:
                raise invalid(f"Row id must be unique: '{row_id}' appears twice")
            row_ids.add(row_id)
        total_rows += len(rows)
    if total_rows > 10:
        raise invalid(f"Total row count exceed max allowed count: 10 (got {total_rows})")


def _check_cta_url(action: dict[str, Any]) -> None:
    check_keys(action, frozenset({"name", "parameters"}), "interactive.action")
    if required(action, "name", "interactive.action") != "cta_url":
        raise invalid("Param interactive.action.name must be 'cta_url'")
    params = expect_object(
        required(action, "parameters", "interactive.action"), "interactive.action.parameters"
    )
    check_keys(params, frozenset({"display_text", "url"}), "interactive.action.parameters")
    text(params, "display_text", "interactive.action.parameters", max_len=20, label="Display text")
    http_url(
        required(params, "url", "interactive.action.parameters"),
        "interactive.action.parameters.url",
    )


_FLOW_KEYS = frozenset(
    {
        "flow_message_version",
        "flow_id",
        "flow_name",
        "flow_token",
        "flow_cta",
        "flow_action",
        "flow_action_payload",
        "mode",
    }
)


def _check_flow(action: dict[str, Any]) -> None:
    check_keys(action, frozenset({"name", "parameters"}), "interactive.action")
    if required(action, "name", "interactive.action") != "flow":
        raise invalid("Param interactive.action.name must be 'flow'")
    where = "interactive.action.parameters"
    params = expect_object(required(action, "parameters", "interactive.action"), where)
    check_keys(params, _FLOW_KEYS, where)
    if str(required(params, "flow_message_version", where)) != "3":
        raise invalid(f"Param {where}.flow_message_version must be '3'")
    has_id, has_name = params.get("flow_id") is not None, params.get("flow_name") is not None
    if not has_id and not has_name:
        raise missing(f"Param {where} requires one of flow_id or flow_name")
    if has_id and has_name:
        raise invalid(f"Param {where} must have exactly one of flow_id or flow_name")
    if has_name:
        text(params, "flow_name", where, max_len=200)
    elif not str(params["flow_id"]).isdigit():
        raise invalid(f"Param {where}.flow_id must be a numeric id")
    text(params, "flow_token", where, max_len=200, optional=True)
    text(params, "flow_cta", where, max_len=20, label="Flow CTA")
    flow_action = choice(params, "flow_action", where, ("navigate", "data_exchange")) or "navigate"
    choice(params, "mode", where, ("draft", "published"))
    payload = params.get("flow_action_payload")
    if flow_action == "navigate":
        payload = expect_object(
            required(params, "flow_action_payload", where), f"{where}.flow_action_payload"
        )
        check_keys(payload, frozenset({"screen", "data"}), f"{where}.flow_action_payload")
        text(payload, "screen", f"{where}.flow_action_payload", max_len=200)
        data = payload.get("data")
        if data is not None and (not isinstance(data, dict) or not data):
            raise invalid(f"Param {where}.flow_action_payload.data must be a non-empty object")
    elif payload is not None:
        raise invalid(f"Param {where}.flow_action_payload must be omitted for data_exchange")
