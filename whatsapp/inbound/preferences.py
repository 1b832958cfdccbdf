"""`user_preferences`: the customer pressed Stop or Resume on marketing messages (§11.5).

`value.user_preferences[]` items are `{wa_id, user_id?, category: "marketing_messages", value:
"stop" | "resume", detail, timestamp}`. Each is applied on its own, once: its dedupe key
(who, when, what) is unique in the consent history, so a redelivery records nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models import ConsentState, WhatsAppConsentChange
from whatsapp.conversations.consent import USER_PREFERENCES, record_consent
from whatsapp.conversations.identities import identify, identity_transaction
from whatsapp.inbound.people import Contacts, subject
from whatsapp.messages.statuses import meta_time

log = logging.getLogger(__name__)

MARKETING_MESSAGES = "marketing_messages"
STATES = {"stop": ConsentState.OPTED_OUT, "resume": ConsentState.OPTED_IN}


async def apply_preference(item: Mapping[str, Any], contacts: Contacts) -> bool:
    """Record one preference item; False when it was a duplicate or is not one we keep."""
    state = STATES.get(str(item.get("value") or "").lower())
    who = subject(item, contacts)
    if item.get("category") != MARKETING_MESSAGES or state is None or not who:
        log.info("ignoring user preference %r", dict(item))
        return False
    occurred_at = meta_time(item["timestamp"])
    key = f"{USER_PREFERENCES}:{who.bsuid or who.wa_id}:{item['timestamp']}:{item.get('value')}"

    async def apply(conn: BaseDBAsyncClient) -> bool:
        if await WhatsAppConsentChange.filter(dedupe_key=key).using_db(conn).exists():
            return False
        contact = await identify(who, conn, source="webhook")
        await record_consent(
            contact.id,
            state,
            source=USER_PREFERENCES,
            occurred_at=occurred_at,
            conn=conn,
            detail=item.get("detail"),
            dedupe_key=key,
        )
        return True

    return await identity_transaction(apply)
