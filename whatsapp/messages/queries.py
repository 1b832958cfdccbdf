"""Reading messages back: by id and filtered, cursor-paginated lists."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from models import MessageDirection, MessageStatus, MessageType, WhatsAppMessage
from whatsapp.kit.clock import as_utc
from whatsapp.kit.ids import is_uuid
from whatsapp.kit.paging import Page, keyset_page
from whatsapp.kit.phone import normalize_wa_id


@dataclass(frozen=True, slots=True)
class MessageQuery:
    statuses: Sequence[MessageStatus] = ()
    types: Sequence[MessageType] = ()
    direction: MessageDirection | None = None
    customer: str | None = None
    phone_number_id: str | None = None
    session_id: uuid.UUID | None = None
    template_name: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


async def get_message(message_id: str) -> WhatsAppMessage | None:
    """By our id or by wamid; anything else simply matches nothing."""
    if message_id.startswith("wamid."):
        return await WhatsAppMessage.get_or_none(wamid=message_id)
    if not is_uuid(message_id):
        return None
    return await WhatsAppMessage.get_or_none(id=uuid.UUID(message_id))


async def list_messages(
    query: MessageQuery, *, first: int | None = None, after: str | None = None
) -> Page[WhatsAppMessage]:
    rows = WhatsAppMessage.all()
    if query.statuses:
        rows = rows.filter(status__in=list(query.statuses))
    if query.types:
        rows = rows.filter(type__in=list(query.types))
    if query.direction:
        rows = rows.filter(direction=query.direction)
    if query.customer:
        rows = rows.filter(customer_wa_id=normalize_wa_id(query.customer))
    if query.phone_number_id:
        rows = rows.filter(phone_number_id=query.phone_number_id)
    if query.session_id:
        rows = rows.filter(session_id=query.session_id)
    if query.template_name:
        rows = rows.filter(template_name=query.template_name)
    if query.created_after:
        rows = rows.filter(created_at__gte=as_utc(query.created_after))
    if query.created_before:
        rows = rows.filter(created_at__lt=as_utc(query.created_before))
    return await keyset_page(rows, first=first, after=after)
