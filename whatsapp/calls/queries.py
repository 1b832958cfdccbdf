"""Reading call records back: all of them or one contact's, newest first."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from models import WhatsAppCall
from whatsapp.kit.paging import Count, Page, capped_counts, keyset_page, keyset_pages


async def list_calls(
    *, contact_id: uuid.UUID | None = None, first: int | None = None, after: str | None = None
) -> Page[WhatsAppCall]:
    """A page of calls and permission replies, the most recently heard of first.

    Faces: GraphQL `calls(contactId, first, after)`.
    """
    rows = WhatsAppCall.all()
    if contact_id is not None:
        rows = rows.filter(contact_id=contact_id)
    return await keyset_page(rows, first=first, after=after)


async def calls_of_contacts(
    keys: Sequence[uuid.UUID], *, first: int | None, after: str | None
) -> dict[uuid.UUID, Page[WhatsAppCall]]:
    """The same page of calls of each contact, in one statement whatever their number.

    Faces: GraphQL `Contact.calls` (through a DataLoader).
    """
    return await keyset_pages(WhatsAppCall.all(), "contact_id", keys, first=first, after=after)


async def call_counts(keys: Sequence[uuid.UUID]) -> dict[uuid.UUID, Count]:
    """How many calls each contact has (capped; one statement)."""
    return await capped_counts(WhatsAppCall.all(), "contact_id", keys)
