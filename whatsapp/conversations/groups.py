"""WhatsApp groups (Groups API): found by our id or Meta's, known from the first webhook that
names them, their customer-service window, and their messages.

A group's row is created the first time anything names it (a group message, a status, a
lifecycle webhook) — whichever comes first, from whichever process: the unique `meta_id`
settles a race (the loser reads the winner's row). Meta's customer-service window is the
group's, not a participant's: any participant's message opens it for the whole group.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models import WhatsAppGroup
from whatsapp.conversations.windows import window_open
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.kit.ids import is_uuid
from whatsapp.kit.paging import Page, keyset_page

META_ID_MAX = 255


def group_meta_id(value: Any) -> str:
    """Meta's group id as a webhook gives it; ValueError for anything that is not one."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"a group id must be a non-empty string, not {value!r}")
    if len(value) > META_ID_MAX:
        raise ValueError(f"a group id longer than {META_ID_MAX} characters")
    return value.strip()


async def ensure_group(meta_id: str, phone_number_id: str | None = None) -> WhatsAppGroup:
    """The group with this Meta id, created on first sight (not in the caller's transaction:
    a lost race is settled here, by reading the row the winner inserted)."""
    meta_id = group_meta_id(meta_id)
    found = await WhatsAppGroup.get_or_none(meta_id=meta_id)
    if found is not None:
        if phone_number_id and not found.phone_number_id:
            await WhatsAppGroup.filter(id=found.id, phone_number_id__isnull=True).update(
                phone_number_id=phone_number_id
            )
            found.phone_number_id = phone_number_id
        return found
    try:
        async with in_transaction() as conn:
            return await WhatsAppGroup.create(
                meta_id=meta_id, phone_number_id=phone_number_id or None, using_db=conn
            )
    except IntegrityError:
        return await WhatsAppGroup.get(meta_id=meta_id)


async def get_group(ref: str) -> WhatsAppGroup | None:
    """By our id or by Meta's group id; anything else simply matches nothing."""
    if is_uuid(ref):
        found = await WhatsAppGroup.get_or_none(id=uuid.UUID(ref))
        if found is not None:
            return found
    return await WhatsAppGroup.get_or_none(meta_id=ref)


async def find_group(ref: str, *field: str) -> WhatsAppGroup:
    """A group a send names (our id or Meta's), or NOT_FOUND on `field`."""
    found = await get_group(ref.strip()) if isinstance(ref, str) and ref.strip() else None
    if found is None:
        raise WagraphError.of(
            ErrorCode.NOT_FOUND,
            "No group with that id: groups are known once Meta reports them (a group webhook "
            "or a message in the group)",
            field or ("to",),
        )
    return found


async def list_groups(*, first: int | None = None, after: str | None = None) -> Page[WhatsAppGroup]:
    """Every group, newest first."""
    return await keyset_page(WhatsAppGroup.all(), first=first, after=after)


async def touch_group(group_id: uuid.UUID, at: datetime, conn: BaseDBAsyncClient) -> None:
    """A participant wrote at `at`: the group's window moves (an older redelivered message
    never moves it back)."""
    await (
        WhatsAppGroup.filter(
            Q(id=group_id) & (Q(last_message_at__isnull=True) | Q(last_message_at__lt=at))
        )
        .using_db(conn)
        .update(last_message_at=at)
    )


def require_group_window(group: WhatsAppGroup, *, at: datetime | None = None) -> None:
    """Free-form content needs the group's window open: a participant wrote within 24 hours."""
    if not window_open(group.last_message_at, at):
        raise WagraphError.of(
            ErrorCode.OUTSIDE_SERVICE_WINDOW,
            "This group's 24-hour window is closed (it opens when any participant writes in "
            "the group): only template messages can be sent outside it",
            ("to",),
        )
