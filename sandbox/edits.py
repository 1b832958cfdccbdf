"""A customer edits or deletes ("revokes") a message they sent earlier (§11.8).

Meta's webhook references: an edit arrives as `type: "edit"` with `edit.original_message_id`
and the new content under `edit.message` (its own `type`), for text and captioned media, within
15 minutes of sending; a revoke as `type: "revoke"` with `revoke.original_message_id`, within
two days. Groups support neither. Each is a new inbound message with its own wamid.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from sandbox import payloads
from sandbox.customers import Customer
from sandbox.inbound import sender_key
from sandbox.recipients import contact_json, sender_fields
from sandbox.state import KnownMessage, Sandbox

EDIT_WINDOW_S = 15 * 60  # "within 15 minutes after it was sent"
REVOKE_WINDOW_S = 2 * 24 * 3600  # "within two days after being sent"
CAPTIONED = ("image", "video", "document")


class EditError(ValueError):
    """An edit or revoke WhatsApp would not let the customer make (400)."""


class UnknownMessage(EditError):
    """No message with that wamid from this customer (404)."""


def edit(sb: Sandbox, customer: Customer, wamid: str, body: dict[str, Any]) -> dict[str, Any]:
    """`{"text": "new words"}` (or `{"text": {"body": …}}`) for a text, `{"caption": …}` for a
    captioned image/video/document: a `type: "edit"` message."""
    known = _original(sb, customer, wamid, "edit", EDIT_WINDOW_S)
    assert known.type is not None
    content = _edited_content(known, body)
    sb.messages[wamid] = replace(known, content=content)
    detail = {"original_message_id": wamid, "message": {"type": known.type, known.type: content}}
    return _deliver(sb, customer, known, "edit", detail)


def revoke(sb: Sandbox, customer: Customer, wamid: str) -> dict[str, Any]:
    """Delete for everyone: a `type: "revoke"` message naming the original."""
    known = _original(sb, customer, wamid, "revoke", REVOKE_WINDOW_S)
    sb.messages[wamid] = replace(known, revoked=True, content=None)
    return _deliver(sb, customer, known, "revoke", {"original_message_id": wamid})


def _original(
    sb: Sandbox, customer: Customer, wamid: str, action: str, window_s: int
) -> KnownMessage:
    """The customer's own, still changeable message, or the reason it is not."""
    known = sb.messages.get(wamid)
    foreign = known is not None and known.group_id is None and known.wa_id != customer.wa_id
    if known is None or foreign:
        raise UnknownMessage(f"no message {wamid} in the chat of customer {customer.user_id}")
    if not known.inbound:
        raise EditError(f"{wamid} was sent by the business: a customer can {action} only their own")
    if known.group_id is not None:
        raise EditError(f"groups do not support {action}s (Groups API)")
    if known.revoked:
        raise EditError(f"{wamid} was already deleted")
    age = sb.now() - known.sent_at
    if age > window_s:
        limit = "15 minutes" if window_s == EDIT_WINDOW_S else "two days"
        raise EditError(f"WhatsApp allows a {action} within {limit}; {wamid} is {int(age)} s old")
    return known


def _edited_content(known: KnownMessage, body: dict[str, Any]) -> dict[str, Any]:
    content = copy.deepcopy(known.content or {})
    if known.type == "text":
        text = body.get("text")
        if isinstance(text, dict):
            text = text.get("body")
        if not isinstance(text, str) or not text.strip():
            raise EditError('text (the new words, or {"body": …}) is required to edit a text')
        content["body"] = text
        return content
    if known.type in CAPTIONED:
        caption = body.get("caption")
        if not isinstance(caption, str):
            raise EditError(f"caption (a string) is required to edit an {known.type}")
        content["caption"] = caption
        return content
    raise EditError(f"a {known.type} message cannot be edited (text and captioned media only)")


def _deliver(
    sb: Sandbox, customer: Customer, known: KnownMessage, kind: str, detail: dict[str, Any]
) -> dict[str, Any]:
    pnid = known.phone_number_id
    new_wamid = sb.ids.wamid(sender_key(customer), inbound=True)
    message = {
        **sender_fields(customer),
        "id": new_wamid,
        "timestamp": str(int(sb.now())),
        "type": kind,
        kind: detail,
    }
    contact = contact_json(customer, name=customer.display_name(), number=customer.shown_number())
    value = payloads.inbound_value(
        phone_number_id=pnid,
        display_number=sb.display_number(pnid),
        contact=contact,
        message=message,
    )
    payload = sb.post(payloads.envelope(sb.config.waba_id, "messages", value))
    return {"wamid": new_wamid, "payload": payload}
