"""Marketing consent: what a customer said about marketing messages, and when, kept whole.

Three things set it: Meta's `user_preferences` webhook (the customer pressed Stop or Resume
on marketing messages), a STOP or START keyword the customer wrote, and Meta refusing a send
with 131050 (the customer stopped marketing messages). Each is a row of the contact's history;
the contact's state is the one said last (by Meta's time), so a Stop and a Resume delivered in
the wrong order still leave the right state. A MARKETING template to a contact who opted out
is refused before Meta is called (`refuse_opted_out`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from models import ConsentState, WhatsAppConsentChange, WhatsAppContact
from whatsapp.events.log import emit_event
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.kit.paging import Count, Page, capped_counts, keyset_pages

USER_PREFERENCES = "user_preferences"
KEYWORD = "keyword"
CLOUD_API = "cloud_api"

MARKETING = "MARKETING"
EVENTS = {ConsentState.OPTED_OUT: "contact.opted_out", ConsentState.OPTED_IN: "contact.opted_in"}


async def record_consent(
    contact_id: uuid.UUID,
    state: ConsentState,
    *,
    source: str,
    occurred_at: datetime,
    conn: BaseDBAsyncClient,
    event_source: str = "webhook",
    detail: str | None = None,
    message_id: uuid.UUID | None = None,
    dedupe_key: str | None = None,
) -> bool:
    """Add one change to the contact's history; when it is the latest said, it becomes the
    contact's state, with a `contact.opted_out` / `contact.opted_in` event. Returns whether
    it did. A repeated `dedupe_key` raises IntegrityError (the caller's duplicate)."""
    await WhatsAppConsentChange.create(
        contact_id=contact_id,
        message_id=message_id,
        state=state,
        source=source,
        detail=detail,
        occurred_at=occurred_at,
        dedupe_key=dedupe_key,
        using_db=conn,
    )
    latest = Q(marketing_consent_at__isnull=True) | Q(marketing_consent_at__lte=occurred_at)
    applied = (
        await WhatsAppContact.filter(latest, id=contact_id)
        .using_db(conn)
        .update(
            marketing_consent=state,
            marketing_consent_at=occurred_at,
            marketing_consent_source=source,
            updated_at=utcnow(),
        )
    )
    if applied and state in EVENTS:
        await emit_event(
            EVENTS[state],
            source=event_source,
            properties={
                "category": "marketing",
                "consent": state.value,
                "source": source,
                "detail": detail,
                "occurredAt": occurred_at.isoformat(),
            },
            contact_id=contact_id,
            message_id=message_id,
            using_db=conn,
        )
    return bool(applied)


def refuse_opted_out(contact: WhatsAppContact | None, category: str | None) -> None:
    """OPTED_OUT (on `to`) for a MARKETING template to a contact who stopped them."""
    if contact is None or category != MARKETING:
        return
    if contact.marketing_consent != ConsentState.OPTED_OUT:
        return
    since = contact.marketing_consent_at.isoformat() if contact.marketing_consent_at else "?"
    raise WagraphError.of(
        ErrorCode.OPTED_OUT,
        f"This customer opted out of marketing messages ({contact.marketing_consent_source}, "
        f"{since}): MARKETING templates are not sent to them until they opt in again; "
        "utility and authentication templates still are",
        ("to",),
    )


async def consent_histories(
    keys: Sequence[uuid.UUID], *, first: int | None, after: str | None
) -> dict[uuid.UUID, Page[WhatsAppConsentChange]]:
    """The same page of consent changes of each contact, in one statement whatever their
    number.

    Faces: GraphQL `Contact.marketingConsent.history` (through a DataLoader).
    """
    rows = WhatsAppConsentChange.all()
    return await keyset_pages(rows, "contact_id", keys, first=first, after=after)


async def consent_counts(keys: Sequence[uuid.UUID]) -> dict[uuid.UUID, Count]:
    """How many consent changes each contact has (capped; one statement)."""
    return await capped_counts(WhatsAppConsentChange.all(), "contact_id", keys)
