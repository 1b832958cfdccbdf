"""System messages about the customer's ids: the contact is re-keyed, its history kept.

- `user_changed_number` (older payloads: `customer_changed_number`): the message comes from
  the old number; `system.wa_id` (or `new_wa_id`) is the new one and `system.user_id` the new
  BSUID, since a new number brings a new BSUID -> `contact.number_changed`;
- `user_changed_user_id`: `system.user_id` / `system.parent_user_id` are the new BSUIDs ->
  `contact.user_id_changed`;
- `customer_identity_changed`: the customer's identity key changed (a new phone, a reinstall)
  -> `contact.identity_changed`, recorded on the contact.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models import WhatsAppContact
from whatsapp.conversations.identities import Identity, rekey
from whatsapp.events.log import emit_event

NUMBER_CHANGED = frozenset({"user_changed_number", "customer_changed_number"})
USER_ID_CHANGED = "user_changed_user_id"
IDENTITY_CHANGED = "customer_identity_changed"


async def apply_system_message(
    item: Mapping[str, Any], contact: WhatsAppContact, conn: BaseDBAsyncClient
) -> WhatsAppContact:
    """The contact after what a system message says about it (itself for any other message)."""
    if item.get("type") != "system":
        return contact
    system = item.get("system") or {}
    kind = system.get("type")
    details = {"body": system.get("body"), "wamid": item.get("id")}
    if kind in NUMBER_CHANGED:
        new = Identity.of(
            bsuid=system.get("user_id"),
            wa_id=system.get("wa_id") or system.get("new_wa_id"),
            parent_bsuid=system.get("parent_user_id"),
        )
        if new:
            return await rekey(
                contact,
                new,
                conn,
                event="contact.number_changed",
                source="webhook",
                properties=details,
            )
    elif kind == USER_ID_CHANGED:
        new = Identity.of(bsuid=system.get("user_id"), parent_bsuid=system.get("parent_user_id"))
        if new:
            return await rekey(
                contact,
                new,
                conn,
                event="contact.user_id_changed",
                source="webhook",
                properties=details,
            )
    elif kind == IDENTITY_CHANGED:
        await emit_event(
            "contact.identity_changed",
            source="webhook",
            properties={**details, "identity": item.get("identity")},
            contact_id=contact.id,
            using_db=conn,
        )
    return contact
