"""Customers' messages under concurrency: bursts from a new customer known only by BSUID, and
a merge racing the messages of both of its contacts (real concurrency on PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from models import WhatsAppAnalyticsEvent, WhatsAppContact, WhatsAppMessage, WhatsAppSession
from tests.conftest import PHONE_NUMBER_ID
from whatsapp.conversations.contacts import get_or_create_contact
from whatsapp.conversations.identities import Identity
from whatsapp.inbound.customer_messages import apply_inbound_message

BSUID, NUMBER = "US.18402957316640219381", "15551234567"


def text(n: int, **ids: Any) -> dict[str, Any]:
    return {
        **ids,
        "id": f"wamid.BURST-{n}",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": f"message {n}"},
    }


async def test_a_burst_from_a_new_username_only_customer_is_one_contact_and_one_session() -> None:
    sender = Identity(bsuid=BSUID, username="@pablomorales")

    stored = await asyncio.gather(
        *(
            apply_inbound_message(
                text(n, from_user_id=BSUID), phone_number_id=PHONE_NUMBER_ID, sender=sender
            )
            for n in range(10)
        )
    )

    assert all(message is not None for message in stored)
    assert await WhatsAppContact.all().count() == 1
    assert await WhatsAppSession.all().count() == 1
    assert await WhatsAppMessage.filter(customer_bsuid=BSUID).count() == 10


async def test_messages_racing_a_merge_all_land_on_the_kept_contact() -> None:
    # given: the customer is known by number only
    known = await get_or_create_contact(NUMBER)

    # when: messages by BSUID alone and by both ids arrive at once
    def sender(n: int) -> Identity:
        return Identity(bsuid=BSUID, wa_id=NUMBER if n % 2 else None)

    await asyncio.gather(
        *(
            apply_inbound_message(
                text(n, from_user_id=BSUID), phone_number_id=PHONE_NUMBER_ID, sender=sender(n)
            )
            for n in range(10)
        )
    )

    # then: one contact (the older one), every message on it, merged at most once
    [contact] = await WhatsAppContact.all()
    assert (contact.id, contact.bsuid, contact.wa_id) == (known.id, BSUID, NUMBER)
    assert await WhatsAppMessage.filter(contact_id=contact.id).count() == 10
    assert await WhatsAppAnalyticsEvent.filter(name="contact.merged").count() <= 1
