"""The 24-hour customer-service window: free-form messages need a recent customer message.

The window is the contact's (whatever number or BSUID they wrote from) on one business number.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from models import MessageDirection, WhatsAppMessage
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, WagraphError

SERVICE_WINDOW = timedelta(hours=24)


async def last_inbound_at(phone_number_id: str, contact_id: uuid.UUID | None) -> datetime | None:
    """When the customer last wrote to this business number (Meta's timestamp)."""
    if contact_id is None:
        return None
    row = (
        await WhatsAppMessage.filter(
            contact_id=contact_id,
            phone_number_id=phone_number_id,
            direction=MessageDirection.INBOUND,
            received_at__isnull=False,
            group_id__isnull=True,  # writing in a group opens the group's window, not theirs
        )
        .order_by("-received_at")
        .first()
        .values_list("received_at", flat=True)
    )
    return row  # type: ignore[return-value]


def window_open(last_inbound: datetime | None, now: datetime | None = None) -> bool:
    return last_inbound is not None and (now or utcnow()) - last_inbound < SERVICE_WINDOW


async def require_open_window(
    phone_number_id: str, contact_id: uuid.UUID | None, *, at: datetime | None = None
) -> None:
    """Refuse a free-form send Meta would accept and then fail with 131047 — for a scheduled
    send, judged at the time it is due. A customer we never heard from has no window."""
    if not window_open(await last_inbound_at(phone_number_id, contact_id), at):
        when = "at the scheduled time" if at else "now"
        raise WagraphError.of(
            ErrorCode.OUTSIDE_SERVICE_WINDOW,
            f"This customer's 24-hour window is closed {when} (it opens when they write to "
            "this number): only template messages can be sent outside it",
            ("to",),
        )
