"""Who a send is for, and whether it may go to them: checked before anything is stored.

A send goes to a customer — `to`, a phone number or a BSUID (`kit.recipients`), the contact
being whoever holds that id — or to a group (`group`, our id or Meta's), never both.
Refused before Meta is called:
- free-form content outside the contact's 24-hour window, or the group's (when the runtime
  enforces it): a group's window is opened by any participant's message;
- an AUTHENTICATION template to a BSUID (Meta refuses it with 131062) or to a group (Meta does
  not deliver authentication messages in groups);
- a MARKETING template to a contact who opted out of marketing messages (OPTED_OUT).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models import WhatsAppContact, WhatsAppGroup, WhatsAppMessage
from whatsapp.conversations.consent import refuse_opted_out
from whatsapp.conversations.contacts import find_contact
from whatsapp.conversations.groups import find_group, require_group_window
from whatsapp.conversations.windows import require_open_window
from whatsapp.kit.errors import ErrorCode, ProblemCollector, WagraphError, invalid
from whatsapp.kit.recipients import Recipient, parse_recipient
from whatsapp.messages import payloads
from whatsapp.runtime import Runtime

AUTHENTICATION = "AUTHENTICATION"


@dataclass(frozen=True, slots=True)
class Addressee:
    """Who a send goes to: a customer (their id, and their contact when a check found it), or
    a group."""

    recipient: Recipient
    contact: WhatsAppContact | None = None
    group: WhatsAppGroup | None = None

    @property
    def address(self) -> str:
        """What goes in the Graph API body: the group's id, else the customer's."""
        return self.group.meta_id if self.group else self.recipient.address


async def addressee(to: str | None, group: str | None, *, at: datetime | None = None) -> Addressee:
    """`to` or `group`, exactly one: the customer's id parsed, or the group found (a send to
    a group goes now: `at`, a scheduled time, is refused for one)."""
    if to is not None and group is not None:
        raise invalid("Give either a customer or a group, not both", "to")
    if group is not None:
        if at is not None:
            raise invalid(
                "Scheduled sends to a group are not supported: send it when it is due",
                "scheduleFor",
            )
        return Addressee(Recipient(), group=await find_group(group, "to"))
    if to is None:
        raise invalid("Give to: a customer's number or BSUID, or a group's id", "to")
    return Addressee(parse_recipient(to))


async def free_form_addressee(
    rt: Runtime,
    phone_number_id: str,
    to: str | None,
    group: str | None,
    *,
    kind: str,
    at: datetime | None,
) -> Addressee:
    """Who free-form content of this kind goes to, its window checked (at `at`, for a
    scheduled send). A kind Meta refuses in groups (interactive…) is refused first."""
    if group is not None:
        problems = ProblemCollector()
        payloads.check_group_kind(problems, kind)
        problems.raise_if_any()
    found = await addressee(to, group, at=at)
    if found.group is not None:
        if rt.enforce_service_window:
            require_group_window(found.group, at=at)
        return found
    contact = await require_window(rt, phone_number_id, found.recipient, at=at)
    return Addressee(found.recipient, contact)


async def check_template_addressee(found: Addressee, category: str | None) -> Addressee:
    """A template of this category may go to this customer or group (`check_template_recipient`
    for a customer)."""
    if found.group is None:
        return Addressee(found.recipient, await check_template_recipient(found.recipient, category))
    if category == AUTHENTICATION:
        raise invalid(
            "Authentication templates cannot be sent to a group (Meta does not deliver them in "
            "groups): send it to the customer",
            "to",
        )
    return found


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
