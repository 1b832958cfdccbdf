"""The 24-hour customer-service window: free-form messages need a recent customer message."""

from __future__ import annotations

from datetime import datetime, timedelta

from models import MessageDirection, WhatsAppMessage
from whatsapp.clock import utcnow
from whatsapp.errors import ErrorCode, WagraphError

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


async def require_open_window(phone_number_id: str, wa_id: str) -> None:
    """Refuse a free-form send Meta would accept and then fail with 131047."""
    if not window_open(await last_inbound_at(phone_number_id, wa_id)):
        raise WagraphError.of(
            ErrorCode.OUTSIDE_SERVICE_WINDOW,
            "More than 24 hours have passed since this customer last wrote to this number: "
            "only template messages can be sent until they write again",
            ("to",),
        )
