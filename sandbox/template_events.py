"""Template changes made "upstream" (WhatsApp Manager, Meta's review) and their webhooks (§11.6).

- `message_template_status_update` with the details Meta adds per event: `reason`,
  `disable_info: {disable_date}` (DISABLED), `other_info: {title, description}` (PAUSED
  FIRST_PAUSE, REINSTATED UNPAUSE, DISABLED), `rejection_info` (REJECTED). The template takes
  the status (REINSTATED and UNARCHIVED make it APPROVED again; FLAGGED stays sendable).
- `message_template_components_update` after an edit of the body, text header, footer or
  buttons: `message_template_element` (body), `message_template_title` (text header),
  `message_template_footer`, `message_template_buttons` (URL and phone-number buttons only).

One webhook per language of the template (or only `language`).
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox import payloads
from sandbox.state import Sandbox
from sandbox.templates import BUTTON_TYPES, STATUSES, StoredTemplate

STATUS_AFTER = {"REINSTATED": "APPROVED", "UNARCHIVED": "APPROVED"}
INFO_KEYS = ("disable_info", "other_info", "rejection_info")
COMPONENT_KEYS = frozenset({"language", "body", "header", "footer", "buttons"})
ECHOED_BUTTONS = {"URL": "url", "PHONE_NUMBER": "phone_number"}


class TemplateEventError(ValueError):
    """A template change the sandbox cannot make as asked (400)."""


def _details(sb: Sandbox, event: str) -> tuple[str | None, dict[str, Any]]:
    """Meta's default `reason` and info blocks for an event."""
    now = int(sb.now())
    if event == "PAUSED":
        info = {"title": "FIRST_PAUSE", "description": "Your WhatsApp message template has been"}
        info["description"] += " paused because of low quality."
        return "NONE", {"other_info": info}
    if event == "DISABLED":
        other = {"title": "DISABLED", "description": "Your WhatsApp message template has been"}
        other["description"] += " disabled because of continued low quality."
        return "NONE", {"disable_info": {"disable_date": now}, "other_info": other}
    if event == "REINSTATED":
        other = {"title": "UNPAUSE", "description": "Your WhatsApp message template has been"}
        other["description"] += " unpaused."
        return "NONE", {"other_info": other}
    if event == "REJECTED":
        rejection = {
            "reason": "Your template has parameters placed next to each other without text.",
            "recommendation": "Separate parameters with descriptive text.",
        }
        return "INVALID_FORMAT", {"rejection_info": rejection}
    if event == "PENDING_DELETION":
        return None, {}
    return "NONE", {}


def status_update(sb: Sandbox, targets: list[StoredTemplate], body: dict[str, Any]) -> list[Any]:
    """`{"event", "reason"?, "disable_info"?, "other_info"?, "rejection_info"?}` (a `null`
    info block leaves it out): the template takes the status, one webhook per language."""
    event = body.get("event")
    if not isinstance(event, str) or event not in STATUSES:
        raise TemplateEventError(f"event must be one of {sorted(STATUSES)}")
    unknown = sorted(set(body) - {"event", "language", "reason", *INFO_KEYS})
    if unknown:
        raise TemplateEventError(f"unknown keys {unknown}")
    reason, extra = _details(sb, event)
    if "reason" in body:
        if body["reason"] is not None and not isinstance(body["reason"], str):
            raise TemplateEventError("reason must be a string or null")
        reason = body["reason"]
    for key in INFO_KEYS:
        if key in body:
            if body[key] is not None and not isinstance(body[key], dict):
                raise TemplateEventError(f"{key} must be an object or null")
            extra[key] = body[key]
    extra = {k: v for k, v in extra.items() if v is not None}
    webhooks = []
    for stored in targets:
        sb.templates.set_status(stored, STATUS_AFTER.get(event, event))
        if event == "REJECTED":
            stored.data["rejected_reason"] = reason or "NONE"
        value = payloads.template_status_value(stored.data, event, reason, extra)
        envelope = payloads.envelope(
            sb.config.waba_id, "message_template_status_update", value, time=int(sb.now())
        )
        webhooks.append(sb.post(envelope))
    return webhooks


def components_update(
    sb: Sandbox, targets: list[StoredTemplate], body: dict[str, Any]
) -> list[Any]:
    """`{"body"?, "header"?, "footer"?, "buttons"?}`: edit the template, announce what it reads."""
    unknown = sorted(set(body) - COMPONENT_KEYS)
    if unknown:
        raise TemplateEventError(f"unknown keys {unknown}; known: {sorted(COMPONENT_KEYS)}")
    webhooks = []
    for stored in targets:
        data = copy.deepcopy(stored.data)
        data["components"] = _edited(data["components"], body)
        updated = sb.templates.put(data)
        value = _components_value(updated.data)
        envelope = payloads.envelope(
            sb.config.waba_id, "message_template_components_update", value, time=int(sb.now())
        )
        webhooks.append(sb.post(envelope))
    return webhooks


def _edited(components: list[dict[str, Any]], body: dict[str, Any]) -> list[dict[str, Any]]:
    by_type = {str(c.get("type", "")).upper(): c for c in components}
    if "body" in body:
        by_type["BODY"] = {"type": "BODY", "text": _text(body["body"], "body", 1024)}
    if "header" in body:
        header = by_type.get("HEADER")
        if header is not None and header.get("format", "TEXT") != "TEXT":
            raise TemplateEventError(
                f"the header is {header['format']}: only a TEXT header has text"
            )
        text = _text(body["header"], "header", 60)
        by_type["HEADER"] = {"type": "HEADER", "format": "TEXT", "text": text}
    if "footer" in body:
        if body["footer"] is None:
            by_type.pop("FOOTER", None)
        else:
            by_type["FOOTER"] = {"type": "FOOTER", "text": _text(body["footer"], "footer", 60)}
    if "buttons" in body:
        by_type["BUTTONS"] = {"type": "BUTTONS", "buttons": _buttons(body["buttons"])}
    order = ("HEADER", "BODY", "FOOTER", "BUTTONS")
    return [by_type[kind] for kind in order if kind in by_type] + [
        c for kind, c in by_type.items() if kind not in order
    ]


def _text(value: Any, name: str, max_len: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise TemplateEventError(f"{name} must be a string of 1-{max_len} characters")
    return value


def _buttons(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise TemplateEventError("buttons must be a non-empty array")
    out = []
    for i, raw in enumerate(value):
        kind = raw.get("type") if isinstance(raw, dict) else None
        if not isinstance(kind, str) or kind not in BUTTON_TYPES:
            raise TemplateEventError(f"buttons[{i}].type must be one of {sorted(BUTTON_TYPES)}")
        assert isinstance(raw, dict)
        button: dict[str, Any] = {"type": kind, "text": _text(raw.get("text"), "text", 25)}
        extra = ECHOED_BUTTONS.get(kind)
        if extra is not None:
            button[extra] = _text(raw.get(extra), f"buttons[{i}].{extra}", 2000)
        out.append(button)
    return out


def _components_value(data: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = {
        "message_template_id": int(data["id"]),
        "message_template_name": data["name"],
        "message_template_language": data["language"],
    }
    by_type = {str(c.get("type", "")).upper(): c for c in data["components"]}
    value["message_template_element"] = by_type.get("BODY", {}).get("text", "")
    header = by_type.get("HEADER")
    if header is not None and header.get("format", "TEXT") == "TEXT":
        value["message_template_title"] = header.get("text", "")
    if "FOOTER" in by_type:
        value["message_template_footer"] = by_type["FOOTER"].get("text", "")
    buttons = [
        {
            "message_template_button_type": b["type"],
            "message_template_button_text": b.get("text", ""),
            f"message_template_button_{ECHOED_BUTTONS[b['type']]}": b.get(
                ECHOED_BUTTONS[b["type"]], ""
            ),
        }
        for b in by_type.get("BUTTONS", {}).get("buttons", [])
        if b.get("type") in ECHOED_BUTTONS
    ]
    if buttons:
        value["message_template_buttons"] = buttons
    return value
