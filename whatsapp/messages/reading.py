"""Read receipts: telling a customer we read their message (blue ticks), optionally with a
typing indicator until we reply."""

from __future__ import annotations

from models import MessageDirection, WhatsAppMessage
from whatsapp.cloud.client import CloudError
from whatsapp.cloud.problems import problem_from_cloud
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, WagraphError, invalid
from whatsapp.messages import payloads
from whatsapp.messages.queries import find_reply_target
from whatsapp.runtime import Runtime


async def mark_as_read(
    rt: Runtime, *, message_id: str, typing_indicator: bool = False
) -> WhatsAppMessage:
    """Tell the customer we read their message (and, optionally, that we are typing)."""
    message = await find_reply_target(message_id, field=("messageId",))
    if message is None or not message.wamid:
        raise WagraphError.of(ErrorCode.NOT_FOUND, "No message with that id", ("messageId",))
    if message.direction != MessageDirection.INBOUND:
        raise invalid("Only messages a customer sent can be marked as read", "messageId")
    if message.group_id is not None:
        raise invalid("Meta does not take read receipts for group messages", "messageId")
    payload = payloads.build_mark_as_read(wamid=message.wamid, typing_indicator=typing_indicator)
    try:
        await rt.cloud.mark_as_read(message.phone_number_id, payload)
    except CloudError as exc:
        raise WagraphError([problem_from_cloud(exc)]) from exc
    if message.read_at is None:
        message.read_at = utcnow()
        await message.save(update_fields=["read_at", "updated_at"])
    return message
