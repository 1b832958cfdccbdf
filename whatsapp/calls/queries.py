"""Reading call records back: all of them or one contact's, newest first."""

from __future__ import annotations

import uuid

from models import WhatsAppCall
from whatsapp.kit.paging import Page, keyset_page


async def list_calls(
    *, contact_id: uuid.UUID | None = None, first: int | None = None, after: str | None = None
) -> Page[WhatsAppCall]:
    """A page of calls and permission replies, the most recently heard of first.

    Faces: GraphQL `calls(contactId, first, after)` and `Contact.calls`.
    """
    rows = WhatsAppCall.all()
    if contact_id is not None:
        rows = rows.filter(contact_id=contact_id)
    return await keyset_page(rows, first=first, after=after)
