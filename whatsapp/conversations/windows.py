"""The 24-hour customer-service window: free-form messages need a recent customer message."""

from __future__ import annotations

from datetime import datetime, timedelta

from models import MessageDirection, WhatsAppMessage
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, WagraphError

SERVICE_WINDOW = timedelta(hours=24)


async def last_inbound_at(phone_number_id: str, wa_id: str) -> datetime | None:
    """When the customer last wrote to this business number (Meta's timestamp)."""
    row = (
        await WhatsAppMessage.filter(
            customer_wa_id=wa_id,
            phone_number_id=phone_number_id,
            direction=MessageDirection.INBOUND,
            received_at__isnull=False,
        )
        .order_by("-received_at")
        .first()
        .values_list("received_at", flat=True)
    )
    return row  # type: ignore[return-value]


def window_open(last_inbound: datetime | None, now: datetime | None = None) -> bool:
    return last_inbound is not None and (now or utcnow()) - last_inbound < SERVICE_WINDOW


async def require_open_window(
    phone_number_id: str, wa_id: str, *, at: datetime | None = None
) -> None:
    """Refuse a free-form send Meta would accept and then fail with 131047 — for a scheduled
    send, judged at the time it is due."""
    if not window_open(await last_inbound_at(phone_number_id, wa_id), at):
        when = "at the scheduled time" if at else "now"
        raise WagraphError.of(
            ErrorCode.OUTSIDE_SERVICE_WINDOW,
            f"This customer's 24-hour window is closed {when} (it opens when they write to "
            "this number): only template messages can be sent outside it",
            ("to",),
        )
