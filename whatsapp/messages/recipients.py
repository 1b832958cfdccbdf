"""Who a send is for, and whether it may go to them: checked before anything is stored.

`to` is a phone number or a BSUID (`kit.recipients`); the contact is whoever holds that id.
Refused before Meta is called:
- free-form content outside the contact's 24-hour window (when the runtime enforces it);
- an AUTHENTICATION template to a BSUID: Meta refuses it with 131062;
- a MARKETING template to a contact who opted out of marketing messages (OPTED_OUT).
"""

from __future__ import annotations

from datetime import datetime

from models import WhatsAppContact, WhatsAppMessage
from whatsapp.conversations.consent import refuse_opted_out
from whatsapp.conversations.contacts import find_contact
from whatsapp.conversations.windows import require_open_window
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.kit.recipients import Recipient
from whatsapp.runtime import Runtime

AUTHENTICATION = "AUTHENTICATION"


async def contact_of(recipient: Recipient) -> WhatsAppContact | None:
    return await find_contact(bsuid=recipient.bsuid, wa_id=recipient.wa_id)


async def require_window(
    rt: Runtime, phone_number_id: str, recipient: Recipient, *, at: datetime | None
) -> WhatsAppContact | None:
    """OUTSIDE_SERVICE_WINDOW for free-form content the customer's window does not allow;
    the contact it looked at, if any."""
    if not rt.enforce_service_window:
        return None
    contact = await contact_of(recipient)
    await require_open_window(phone_number_id, contact.id if contact else None, at=at)
    return contact


async def check_template_recipient(
    recipient: Recipient, category: str | None
) -> WhatsAppContact | None:
    """A template of this category may go to this recipient (its category as synced); the
    contact holding that id, if any."""
    if recipient.bsuid and category == AUTHENTICATION:
        raise WagraphError.of(
            ErrorCode.INVALID_RECIPIENT,
            "Authentication templates cannot be sent to a business-scoped user id: Meta "
            "refuses them with 131062. Send it to the customer's phone number instead",
            ("to",),
        )
    contact = await contact_of(recipient)
    refuse_opted_out(contact, category)
    return contact


def recipient_of(message: WhatsAppMessage) -> Recipient:
    """Who a message was for or from, to answer them: their BSUID, else their number."""
    if message.customer_bsuid:
        return Recipient(bsuid=message.customer_bsuid)
    return Recipient(wa_id=message.customer_wa_id)
