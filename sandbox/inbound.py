"""Simulated customers: inbound messages of every §7.4 type, as Meta's webhook would carry them.

Sending one opens the customer's 24 h window (in a group: the group's), makes its wamid a known
inbound id (mark-as-read, reactions, edits) and POSTs the signed webhook to `webhook_url`.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from sandbox import payloads
from sandbox.customers import WA_ID_RE, Customer, configure
from sandbox.groups import Group
from sandbox.recipients import contact_json, sender_fields
from sandbox.state import KnownMessage, Sandbox

INBOUND_TYPES = frozenset(
    {
        "text",
        "image",
        "video",
        "audio",
        "document",
        "sticker",
        "location",
        "contacts",
        "interactive",
        "button",
        "reaction",
        "unsupported",
        "order",
        "system",
        "request_welcome",
    }
)
MEDIA_DEFAULTS = {
    "image": "image/jpeg",
    "video": "video/mp4",
    "audio": "audio/ogg; codecs=opus",
    "document": "application/pdf",
    "sticker": "image/webp",
}
INTERACTIVE_REPLIES = {
    "button_reply": ("id", "title"),
    "list_reply": ("id", "title"),
    "nfm_reply": ("response_json",),
}
SYSTEM_TYPES = ("user_changed_number", "customer_changed_number", "customer_identity_changed")


class InboundError(ValueError):
    """A control request that cannot become a Meta inbound message."""


class UnknownCustomer(InboundError):
    """A BSUID or username that no customer has (404)."""


def receive(
    sb: Sandbox, ref: str, body: dict[str, Any], *, group: Group | None = None
) -> dict[str, Any]:
    """Build, record and dispatch one inbound message; returns `{wamid, payload}`.

    `ref` names the customer: a number (a new one becomes a customer), a BSUID or a username.
    An optional `customer` object configures them first (as `PATCH /_sandbox/customers`).
    In a `group` the message carries `group_id` and opens the window of the whole group.
    """
    customer = customer_for(sb, ref, body.get("customer"))
    pnid = group.phone_number_id if group is not None else phone_number_id(sb, body)
    msg_type = body.get("type", "text")
    if not isinstance(msg_type, str) or msg_type not in INBOUND_TYPES:
        raise InboundError(f"type must be one of {sorted(INBOUND_TYPES)}")

    now = sb.now()
    wamid = sb.ids.wamid(sender_key(customer), inbound=True)
    head = sender_fields(customer)
    if group is not None:
        head["group_id"] = group.id
    message: dict[str, Any] = {**head, "id": wamid, "timestamp": str(int(now)), "type": msg_type}
    context = reply_context(sb, pnid, body.get("context"))
    if context is not None:
        message = {"context": context, **message}
    if body.get("referral") is not None:
        if not isinstance(body["referral"], dict):
            raise InboundError("referral must be an object")
        message["referral"] = body["referral"]
    add_content(sb, pnid, msg_type, body, message)
    if msg_type == "system":
        message["system"] = _system(body.get("system") or {}, customer)
    _remember(sb, pnid, customer, message, group, now)
    profile_name = body.get("profile_name") or customer.display_name()
    contact = contact_json(customer, name=str(profile_name), number=customer.shown_number())
    value = payloads.inbound_value(
        phone_number_id=pnid,
        display_number=sb.display_number(pnid),
        contact=contact,
        message=message,
    )
    payload = sb.post(payloads.envelope(sb.config.waba_id, "messages", value))
    return {"wamid": wamid, "payload": payload}


def _remember(
    sb: Sandbox,
    pnid: str,
    customer: Customer,
    message: dict[str, Any],
    group: Group | None,
    now: float,
) -> None:
    """Known inbound id (reactions, mark-as-read, edits) and the window it (re)opens."""
    chat = group.id if group is not None else customer.wa_id
    msg_type = message["type"]
    content = message.get(msg_type)
    sb.messages[message["id"]] = KnownMessage(
        pnid,
        chat,
        inbound=True,
        type=msg_type,
        content=content if isinstance(content, dict) else None,
        sent_at=now,
        group_id=group.id if group is not None else None,
    )
    sb.windows.touch(pnid, chat, now, via_referral="referral" in message)


def customer_for(sb: Sandbox, ref: str, spec: Any = None) -> Customer:
    """The customer `ref` names; numbers seen for the first time become customers."""
    if ref.isdigit():
        if not WA_ID_RE.fullmatch(ref):
            raise InboundError("wa_id must be 7-15 digits")
        customer = sb.customers.get_or_create(ref)
    else:
        found = sb.customers.get(ref)
        if found is None:
            raise UnknownCustomer(
                f"no customer {ref!r}: create one with POST /_sandbox/customers "
                '{"wa_id", "user_id"?, "username"?, "hide_number"?}'
            )
        customer = found
    if spec is not None:
        if not isinstance(spec, dict):
            raise InboundError("customer must be an object")
        customer = configure(sb.customers, spec, customer)
    return customer


def phone_number_id(sb: Sandbox, body: dict[str, Any]) -> str:
    pnid = body.get("phone_number_id") or sb.config.default_phone_number_id
    if not isinstance(pnid, str) or pnid not in sb.config.phone_numbers:
        raise InboundError(f"unknown phone_number_id {pnid}")
    return str(pnid)


def sender_key(customer: Customer) -> str:
    """What an inbound wamid embeds: never a hidden number."""
    return customer.wa_id if customer.number_visible else customer.user_id


def reply_context(sb: Sandbox, pnid: str, value: Any) -> dict[str, Any] | None:
    """Reply context: `{"id": wamid}` (or `message_id`) gains the business number as `from`."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InboundError("context must be an object")
    context = dict(value)
    if "message_id" in context:
        context["id"] = context.pop("message_id")
    if "id" in context:
        context.setdefault("from", sb.display_number(pnid))
    return context


def _obj(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    if not isinstance(value, dict):
        raise InboundError(f"'{key}' object is required for type {key}")
    return value


def add_content(
    sb: Sandbox, pnid: str, msg_type: str, body: dict[str, Any], message: dict[str, Any]
) -> None:
    if msg_type == "text":
        text = _obj(body, "text")
        if not isinstance(text.get("body"), str):
            raise InboundError("text.body is required")
        message["text"] = {"body": text["body"]}
    elif msg_type in MEDIA_DEFAULTS:
        message[msg_type] = _media(sb, pnid, msg_type, body.get(msg_type) or {})
    elif msg_type == "location":
        location = _obj(body, "location")
        for key in ("latitude", "longitude"):
            if not isinstance(location.get(key), int | float):
                raise InboundError(f"location.{key} must be a number")
        message["location"] = location
    elif msg_type == "contacts":
        contacts = body.get("contacts")
        if not isinstance(contacts, list) or not contacts:
            raise InboundError("contacts must be a non-empty array")
        message["contacts"] = contacts
    elif msg_type == "interactive":
        message["interactive"] = _interactive(_obj(body, "interactive"))
    elif msg_type == "button":
        button = _obj(body, "button")
        if "text" not in button:
            raise InboundError("button.text is required")
        message["button"] = {
            "payload": button.get("payload", button["text"]),
            "text": button["text"],
        }
    elif msg_type == "reaction":
        reaction = _obj(body, "reaction")
        if "message_id" not in reaction:
            raise InboundError("reaction.message_id is required")
        message["reaction"] = {
            "message_id": reaction["message_id"],
            "emoji": reaction.get("emoji", ""),
        }
    elif msg_type == "unsupported":
        message["errors"] = [
            {
                "code": 131051,
                "title": "Message type unknown",
                "message": "Message type unknown",
                "error_data": {"details": "Message type is currently not supported."},
            }
        ]
        unsupported = body.get("unsupported")
        if isinstance(unsupported, dict):
            message["unsupported"] = unsupported
    elif msg_type == "order":
        order = _obj(body, "order")
        if "catalog_id" not in order or not isinstance(order.get("product_items"), list):
            raise InboundError("order needs catalog_id and product_items")
        message["order"] = order


def _media(sb: Sandbox, pnid: str, kind: str, spec: Any) -> dict[str, Any]:
    """Store the customer's file (real bytes if given, a stub otherwise) and describe it."""
    if not isinstance(spec, dict):
        raise InboundError(f"{kind} must be an object")
    mime = spec.get("mime_type", MEDIA_DEFAULTS[kind])
    raw = spec.get("data_base64")
    try:
        data = base64.b64decode(raw, validate=True) if raw else f"sandbox {kind}".encode()
    except (binascii.Error, TypeError) as exc:
        raise InboundError(f"{kind}.data_base64 is not valid base64") from exc
    filename = spec.get("filename") if kind == "document" else None
    if kind == "document" and filename is None:
        filename = "document.pdf"
    media_id = sb.add_inbound_media(pnid, mime, data, filename)
    item = sb.media.get(media_id, sb.now())
    assert item is not None
    described: dict[str, Any] = {"mime_type": mime, "sha256": item.sha256, "id": media_id}
    if kind in ("image", "video", "document") and spec.get("caption") is not None:
        described["caption"] = spec["caption"]
    if filename is not None:
        described["filename"] = filename
    if kind == "sticker":
        described["animated"] = bool(spec.get("animated", False))
    if kind == "audio":
        described["voice"] = bool(spec.get("voice", True))
    return described


def _interactive(spec: dict[str, Any]) -> dict[str, Any]:
    kind = spec.get("type")
    if kind not in INTERACTIVE_REPLIES:
        raise InboundError(f"interactive.type must be one of {sorted(INTERACTIVE_REPLIES)}")
    reply = spec.get(kind)
    if not isinstance(reply, dict):
        raise InboundError(f"interactive.{kind} object is required")
    reply = dict(reply)
    if kind == "nfm_reply":
        response = reply.get("response_json")
        if isinstance(response, dict):
            reply["response_json"] = json.dumps(response)
        elif not isinstance(response, str):
            raise InboundError("interactive.nfm_reply.response_json is required")
        reply.setdefault("name", "flow")
        reply.setdefault("body", "Sent")
        reply = {"name": reply["name"], "body": reply["body"], **reply}
    for key in INTERACTIVE_REPLIES[kind]:
        if key not in reply:
            raise InboundError(f"interactive.{kind}.{key} is required")
    return {"type": kind, kind: reply}


def _system(spec: dict[str, Any], customer: Customer) -> dict[str, Any]:
    """A hand-made system message (the identity endpoints build Meta's 2026 ones)."""
    wa_id = sender_key(customer)
    kind = spec.get("type", "user_changed_number")
    if kind not in SYSTEM_TYPES:
        raise InboundError(f"system.type must be one of {list(SYSTEM_TYPES)}")
    system: dict[str, Any] = {"type": kind}
    if kind == "customer_identity_changed":
        system["body"] = spec.get("body", f"User {wa_id}'s security code changed")
        system["customer"] = wa_id
    else:
        new_wa_id = spec.get("wa_id") or spec.get("new_wa_id")
        if not isinstance(new_wa_id, str):
            raise InboundError("system.wa_id (the new number) is required")
        system["body"] = spec.get("body", f"User {wa_id} changed from {wa_id} to {new_wa_id}")
        system["wa_id"] = new_wa_id
    return system
