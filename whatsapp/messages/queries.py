"""Reading messages back: by id and filtered, cursor-paginated lists."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise.queryset import QuerySet

from models import MessageDirection, MessageStatus, MessageType, WhatsAppMessage
from whatsapp.kit.clock import as_utc
from whatsapp.kit.errors import ErrorCode, WagraphError, invalid
from whatsapp.kit.ids import is_uuid
from whatsapp.kit.paging import Count, Page, capped_counts, keyset_page, keyset_pages
from whatsapp.kit.recipients import parse_recipient
from whatsapp.kit.rows import without

JSON_COLUMNS = ("content", "metadata", "payload", "conversation", "pricing", "revisions")
"""A message's JSON documents: most of a row's bytes, read and decoded only when asked for."""


def lean_or_whole(rows: QuerySet[WhatsAppMessage], lean: bool) -> QuerySet[WhatsAppMessage]:
    """`lean`: every column but the JSON documents (a page that shows none of them reads a
    few times fewer bytes on PostgreSQL); the rows then lack those attributes."""
    return without(rows, JSON_COLUMNS) if lean else rows


@dataclass(frozen=True, slots=True)
class MessageQuery:
    statuses: Sequence[MessageStatus] = ()
    types: Sequence[MessageType] = ()
    direction: MessageDirection | None = None
    customer: str | None = None
    contact_id: uuid.UUID | None = None
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
    query: MessageQuery,
    *,
    first: int | None = None,
    after: str | None = None,
    lean: bool = False,
) -> Page[WhatsAppMessage]:
    rows = lean_or_whole(WhatsAppMessage.all(), lean)
    if query.statuses:
        rows = rows.filter(status__in=list(query.statuses))
    if query.types:
        rows = rows.filter(type__in=list(query.types))
    if query.direction:
        rows = rows.filter(direction=query.direction)
    if query.customer:
        recipient = parse_recipient(query.customer, "filter", "to")
        if recipient.bsuid:
            rows = rows.filter(customer_bsuid=recipient.bsuid)
        else:
            rows = rows.filter(customer_wa_id=recipient.wa_id)
    if query.contact_id:
        rows = rows.filter(contact_id=query.contact_id)
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


async def messages_under(
    parent: str,
    keys: Sequence[uuid.UUID],
    *,
    first: int | None,
    after: str | None,
    lean: bool = False,
) -> dict[uuid.UUID, Page[WhatsAppMessage]]:
    """The same page of messages under each session, contact or group (`parent`: `session_id`,
    `contact_id` or `group_id`), in one statement whatever the number of parents.

    Faces: GraphQL `Session.messages`, `Contact.messages` and `Group.messages` (through a
    DataLoader).
    """
    rows = lean_or_whole(WhatsAppMessage.all(), lean)
    return await keyset_pages(rows, parent, keys, first=first, after=after)


async def message_counts(parent: str, keys: Sequence[uuid.UUID]) -> dict[uuid.UUID, Count]:
    """How many messages each session or contact has (capped; one statement)."""
    return await capped_counts(WhatsAppMessage.all(), parent, keys)


def raw_wamid(reply_to: str | None) -> str | None:
    """A reply-to that is a wamid we may not know (a message sent before wagraph)."""
    return reply_to if reply_to and reply_to.startswith("wamid.") else None


async def find_reply_target(
    ref: str | None, field: tuple[str, ...] = ("replyTo",)
) -> WhatsAppMessage | None:
    """A message by our id or by its wamid. An unknown wamid is allowed (sent before us)."""
    if not ref:
        return None
    if ref.startswith("wamid."):
        return await WhatsAppMessage.get_or_none(wamid=ref)
    if not is_uuid(ref):
        raise invalid("Expected a message id or a wamid", *field)
    message = await WhatsAppMessage.get_or_none(id=uuid.UUID(ref))
    if message is None:
        raise WagraphError.of(ErrorCode.NOT_FOUND, "No message with that id", field)
    return message
