"""Calls: read call records and call-permission replies."""

from __future__ import annotations

import strawberry

from schema.calls import Call, CallConnection
from schema.fields import query
from whatsapp.calls import queries as call_queries
from whatsapp.kit.ids import parse_id


async def calls(
    contact_id: strawberry.ID | None = None, first: int | None = 20, after: str | None = None
) -> CallConnection:
    contact = None if contact_id is None else parse_id(contact_id, "contactId")
    page = await call_queries.list_calls(contact_id=contact, first=first, after=after)
    return CallConnection.from_page(page, Call.from_model)


@strawberry.type
class CallQuery:
    calls: CallConnection = query(
        calls,
        description="Voice calls and call-permission replies, the most recently heard of "
        "first; of one contact when contactId is given.",
    )
