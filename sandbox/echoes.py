"""The business writes from the WhatsApp Business app (coexistence): `smb_message_echoes`.

Meta's reference: `message_echoes[]` items carry `from` (the business number), `to` (the
customer, left out or `""` when their number is hidden), `to_user_id`, `to_parent_user_id?`,
the wamid, a timestamp and the message content; the value's `contacts[]` names the customer by
`wa_id?`, `user_id`, `parent_user_id?` and a `profile` with only the `username`. An echo opens no
window; its wamid becomes a known outbound message of that chat (a reaction target).
"""

from __future__ import annotations

from typing import Any

from sandbox import payloads
from sandbox.customers import Customer
from sandbox.inbound import InboundError, add_content, phone_number_id, sender_key
from sandbox.state import KnownMessage, Sandbox

ECHO_TYPES = frozenset(
    {"text", "image", "video", "audio", "document", "sticker", "location", "contacts", "reaction"}
)


def echo(sb: Sandbox, customer: Customer, body: dict[str, Any]) -> dict[str, Any]:
    """`{"type": "text", "text": {"body": …}, "phone_number_id"?}` sent from the app."""
    pnid = phone_number_id(sb, body)
    msg_type = body.get("type", "text")
    if not isinstance(msg_type, str) or msg_type not in ECHO_TYPES:
        raise InboundError(f"type must be one of {sorted(ECHO_TYPES)}")
    now = sb.now()
    wamid = sb.ids.wamid(sender_key(customer))
    display = sb.display_number(pnid)
    item: dict[str, Any] = {"from": display}
    number = customer.shown_number()
    if number is not None:
        item["to"] = number
    item["to_user_id"] = customer.user_id
    if customer.parent_user_id:
        item["to_parent_user_id"] = customer.parent_user_id
    item.update({"id": wamid, "timestamp": str(int(now)), "type": msg_type})
    add_content(sb, pnid, msg_type, body, item)
    content = item.get(msg_type)
    sb.messages[wamid] = KnownMessage(
        pnid,
        customer.wa_id,
        inbound=False,
        type=msg_type,
        content=content if isinstance(content, dict) else None,
        sent_at=now,
    )
    value = {
        "messaging_product": "whatsapp",
        "metadata": payloads.metadata(pnid, display),
        "contacts": [_contact(customer)],
        "message_echoes": [item],
    }
    payload = sb.post(payloads.envelope(sb.config.waba_id, "smb_message_echoes", value))
    return {"wamid": wamid, "payload": payload}


def _contact(customer: Customer) -> dict[str, Any]:
    contact: dict[str, Any] = {}
    if customer.username:
        contact["profile"] = {"username": customer.username}
    number = customer.shown_number()
    if number is not None:
        contact["wa_id"] = number
    contact["user_id"] = customer.user_id
    if customer.parent_user_id:
        contact["parent_user_id"] = customer.parent_user_id
    return contact
