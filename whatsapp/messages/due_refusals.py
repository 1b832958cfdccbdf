"""Why a due scheduled message may no longer go: its customer's 24-hour window closed since it
was scheduled (free-form messages), or its customer opted out of marketing (MARKETING
templates). Checked per batch when the messages fall due, a query each at most."""

from __future__ import annotations

import uuid

from tortoise.functions import Max

from models import ConsentState, MessageDirection, MessageType, WhatsAppContact, WhatsAppMessage
from whatsapp.conversations.windows import SERVICE_WINDOW
from whatsapp.kit.clock import utcnow
from whatsapp.kit.ids import from_db
from whatsapp.kit.sql import as_datetime
from whatsapp.messages.delivery import Failure
from whatsapp.runtime import Runtime

WINDOW_CLOSED_TITLE = "Outside the 24-hour service window when due: only templates can be sent"
OPTED_OUT_TITLE = (
    "OPTED_OUT: the customer opted out of marketing messages before this MARKETING template "
    "was due; it was not sent"
)
FREE_FORM_EXEMPT = (MessageType.TEMPLATE, MessageType.REACTION)


async def refusals(
    rt: Runtime, messages: list[WhatsAppMessage], marketing: set[uuid.UUID]
) -> dict[uuid.UUID, tuple[Failure, str]]:
    """Messages that may no longer go, with why: their failure and their event's `reason`."""
    refused = dict.fromkeys(
        await _closed_windows(rt, messages),
        (Failure(None, WINDOW_CLOSED_TITLE), "outside_service_window"),
    )
    for message_id in await _opted_out(messages, marketing):
        refused[message_id] = (Failure(None, OPTED_OUT_TITLE), "opted_out")
    return refused


async def _closed_windows(rt: Runtime, messages: list[WhatsAppMessage]) -> set[uuid.UUID]:
    """Free-form messages whose customer's window has closed since they were scheduled."""
    if not rt.enforce_service_window:
        return set()
    free_form = [m for m in messages if m.type not in FREE_FORM_EXEMPT]
    if not free_form:
        return set()
    rows = (
        await WhatsAppMessage.filter(
            direction=MessageDirection.INBOUND,
            contact_id__in=list({m.contact_id for m in free_form if m.contact_id}),
            group_id__isnull=True,  # a group message opens the group's window, not theirs
        )
        .annotate(last=Max("received_at"))
        .group_by("contact_id", "phone_number_id")
        .values("contact_id", "phone_number_id", "last")
    )
    last = {(str(r["contact_id"]), r["phone_number_id"]): as_datetime(r["last"]) for r in rows}
    now = utcnow()
    return {
        m.id
        for m in free_form
        if (seen := last.get((str(m.contact_id), m.phone_number_id))) is None
        or now - seen >= SERVICE_WINDOW
    }


async def _opted_out(messages: list[WhatsAppMessage], marketing: set[uuid.UUID]) -> set[uuid.UUID]:
    """The batch's MARKETING templates (`marketing`, by message id) whose customer opted out of
    marketing messages: one query on their contacts, none when there are none."""
    candidates = [m for m in messages if m.id in marketing and m.contact_id]
    if not candidates:
        return set()
    rows = await WhatsAppContact.filter(
        id__in=list({m.contact_id for m in candidates}), marketing_consent=ConsentState.OPTED_OUT
    ).values_list("id", flat=True)
    opted_out = {from_db(row) for row in rows}
    return {m.id for m in candidates if m.contact_id in opted_out}
