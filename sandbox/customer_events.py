"""What customers do to their identity and consent, and the webhooks Meta sends for it (2026).

- Stop/Resume on marketing messages: a `user_preferences` webhook (§11.5); while stopped,
  MARKETING templates fail with 131050.
- A new phone number: Meta regenerates the BSUID. A customer whose number may be shared gets a
  `user_changed_number` system message (old number in `from`, new one in `system.wa_id`, new
  BSUID in `system.user_id`); one whose number is hidden gets `user_changed_user_id`, which
  carries no number at all (Meta's system-messages page).
- A new BSUID without a new number: `user_changed_user_id`.
- A new security code: `customer_identity_changed` with a top-level `identity` (§7.4).

System messages carry no `contacts` array (Meta's page), except `customer_identity_changed`,
whose readers (pywa) take the user from `contacts`. Every message names the sender by
`from_user_id` (the BSUID before the change) as all 2026 messages do.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

from sandbox import payloads
from sandbox.customers import (
    WA_ID_RE,
    Customer,
    CustomerError,
    check_bsuid,
    check_parent_bsuid,
    derive_bsuid,
    derive_parent_bsuid,
)
from sandbox.inbound import sender_key
from sandbox.recipients import contact_json, sender_fields
from sandbox.state import Sandbox


def _post(sb: Sandbox, payload: dict[str, Any]) -> None:
    if sb.config.webhook_url is not None:
        sb.webhooks.send(payload)


def marketing_preference(sb: Sandbox, customer: Customer, value: Any, pnid: str) -> dict[str, Any]:
    """The customer pressed Stop or Resume on this business's marketing messages."""
    if value not in payloads.PREFERENCE_DETAILS:
        raise CustomerError('value must be "stop" or "resume"')
    customer.marketing_stopped = value == "stop"
    contact = contact_json(customer, name=customer.display_name(), number=customer.shown_number())
    body = payloads.user_preferences_value(
        phone_number_id=pnid,
        display_number=sb.display_number(pnid),
        contact=contact,
        value=str(value),
        timestamp=int(sb.now()),
    )
    payload = payloads.envelope(sb.config.waba_id, "user_preferences", body)
    _post(sb, payload)
    return {"payload": payload, "customer": customer.public()}


def change_number(
    sb: Sandbox, customer: Customer, spec: dict[str, Any], pnid: str
) -> dict[str, Any]:
    """New number, hence new BSUID (and parent BSUID when they had one)."""
    new_wa_id = spec.get("wa_id")
    if not isinstance(new_wa_id, str) or not WA_ID_RE.fullmatch(new_wa_id):
        raise CustomerError("wa_id (the new number, 7-15 digits) is required")
    if new_wa_id == customer.wa_id:
        raise CustomerError("that is already the customer's number")
    scope = sb.customers.scope
    user_id = check_bsuid(spec.get("user_id") or derive_bsuid(scope, new_wa_id))
    parent = spec.get("parent_user_id")
    if parent is None and customer.parent_user_id:
        parent = derive_parent_bsuid(scope, new_wa_id)
    old_wa_id, old_user_id, name = customer.wa_id, customer.user_id, customer.display_name()
    before = _system_base(sb, customer)
    system: dict[str, Any]
    if customer.number_visible:
        system = {"body": f"User {name} changed from {old_wa_id} to {new_wa_id}"}
        system["wa_id"] = new_wa_id
        kind = "user_changed_number"
    else:
        system = {"body": f"User {name} changed from {old_user_id} to {user_id}"}
        kind = "user_changed_user_id"
    sb.customers.reidentify(
        customer,
        wa_id=new_wa_id,
        user_id=user_id,
        parent_user_id=None if parent is None else check_parent_bsuid(parent),
    )
    _move_chat(sb, old_wa_id, new_wa_id)
    return _send_system(sb, customer, before, {**system, **_new_ids(customer), "type": kind}, pnid)


def change_user_id(
    sb: Sandbox, customer: Customer, spec: dict[str, Any], pnid: str
) -> dict[str, Any]:
    """Meta regenerated the BSUID (the number stays): `user_changed_user_id`."""
    scope = sb.customers.scope
    user_id = spec.get("user_id") or derive_bsuid(scope + "#" + customer.user_id, customer.wa_id)
    check_bsuid(user_id)
    if user_id == customer.user_id:
        raise CustomerError("that is already the customer's BSUID")
    parent = spec.get("parent_user_id", customer.parent_user_id)
    before = _system_base(sb, customer)
    body = f"User {customer.display_name()} changed from {customer.user_id} to {user_id}"
    sb.customers.reidentify(
        customer,
        user_id=user_id,
        parent_user_id=None if parent is None else check_parent_bsuid(parent),
    )
    system = {"body": body, **_new_ids(customer), "type": "user_changed_user_id"}
    return _send_system(sb, customer, before, system, pnid)


def change_identity(sb: Sandbox, customer: Customer, pnid: str) -> dict[str, Any]:
    """The customer's security code changed (reinstall, new device): `customer_identity_changed`."""
    now = int(sb.now())
    message = _system_base(sb, customer)
    who = sender_key(customer)
    system: dict[str, Any] = {"body": f"User {who}'s security code changed"}
    if customer.number_visible:
        system["customer"] = customer.wa_id
    system["type"] = "customer_identity_changed"
    message["system"] = system
    seed = f"{customer.user_id}:{now}:{message['id']}".encode()
    message["identity"] = {
        "acknowledged": False,
        "created_timestamp": now,
        "hash": hashlib.blake2b(seed, digest_size=8).hexdigest(),
    }
    contact = contact_json(customer, name=customer.display_name(), number=customer.shown_number())
    return _deliver(sb, pnid, message, contact)


def _system_base(sb: Sandbox, customer: Customer) -> dict[str, Any]:
    """`from?`, `from_user_id`, id, timestamp, type of a system message, as of now."""
    wamid = sb.ids.wamid(sender_key(customer), inbound=True)
    return {
        **sender_fields(customer),
        "id": wamid,
        "timestamp": str(int(sb.now())),
        "type": "system",
    }


def _new_ids(customer: Customer) -> dict[str, str]:
    ids = {"user_id": customer.user_id}
    if customer.parent_user_id:
        ids["parent_user_id"] = customer.parent_user_id
    return ids


def _send_system(
    sb: Sandbox,
    customer: Customer,
    message: dict[str, Any],
    system: dict[str, Any],
    pnid: str,
) -> dict[str, Any]:
    message["system"] = system
    result = _deliver(sb, pnid, message, None)
    result["customer"] = customer.public()
    return result


def _deliver(
    sb: Sandbox, pnid: str, message: dict[str, Any], contact: dict[str, Any] | None
) -> dict[str, Any]:
    value = payloads.inbound_value(
        phone_number_id=pnid,
        display_number=sb.display_number(pnid),
        contact=contact,
        message=message,
    )
    payload = payloads.envelope(sb.config.waba_id, "messages", value)
    _post(sb, payload)
    return {"wamid": message["id"], "payload": payload}


def _move_chat(sb: Sandbox, old: str, new: str) -> None:
    """The chat follows the person: windows and known messages move to the new number."""
    sb.windows.rekey(old, new)
    for wamid, known in list(sb.messages.items()):
        if known.wa_id == old:
            sb.messages[wamid] = replace(known, wa_id=new)
