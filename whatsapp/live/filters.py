"""What a live subscription asks for, as a condition on a committed event (and its message).

Conditions are resolved once, when a subscription starts (a customer's number to their
contact), so matching an update is a few comparisons in memory, with no query per update.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from models import WhatsAppAnalyticsEvent, WhatsAppContact, WhatsAppMessage
from whatsapp.kit.errors import ErrorCode, Problem, WagraphError
from whatsapp.kit.phone import wa_id_digits

MESSAGE_CHANGES: tuple[str, ...] = (
    "message.sent",
    "message.delivered",
    "message.read",
    "message.failed",
    "message.edited",
    "message.deleted",
    "message.received",
)
"""The events that change a message's status or content (`messageUpdated`)."""

WILDCARD = "*"


@dataclass(frozen=True, slots=True)
class LiveItem:
    """One committed event, with the message it is about as it is after the commit."""

    event: WhatsAppAnalyticsEvent
    message: WhatsAppMessage | None


@dataclass(frozen=True, slots=True)
class Conditions:
    """Every condition given must hold; `None` means any."""

    names: frozenset[str] | None = None
    pattern: re.Pattern[str] | None = None
    source: str | None = None
    session_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    contact_digits: str | None = None
    message_ref: str | None = None

    def __call__(self, item: LiveItem) -> bool:
        event = item.event
        return (
            (self.names is None or event.name in self.names)
            and (self.pattern is None or self.pattern.fullmatch(event.name) is not None)
            and (self.source is None or event.source == self.source)
            and (self.session_id is None or event.session_id == self.session_id)
            and self._about_contact(item)
            and self._about_message(item)
        )

    def _about_contact(self, item: LiveItem) -> bool:
        if self.contact_digits is None:
            return True
        if self.contact_id is not None and item.event.contact_id == self.contact_id:
            return True
        return item.message is not None and item.message.customer_wa_id == self.contact_digits

    def _about_message(self, item: LiveItem) -> bool:
        if self.message_ref is None:
            return True
        message = item.message
        return message is not None and self.message_ref in (str(message.id), message.wamid)


def name_pattern(pattern: str) -> re.Pattern[str]:
    """An exact name, or a pattern where `*` matches any run of characters (as `events`)."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split(WILDCARD)))


async def conditions(
    *,
    name: str | None = None,
    names: frozenset[str] | None = None,
    source: str | None = None,
    session_id: str | None = None,
    contact_wa_id: str | None = None,
    message_id: str | None = None,
) -> Conditions:
    """Resolve what a subscriber gave; a malformed id or number is a WagraphError."""
    digits = None
    contact_id = None
    if contact_wa_id is not None:
        digits = wa_id_digits(contact_wa_id)
        if digits is None:
            raise _invalid("Not a WhatsApp number", "contactWaId")
        contact = await WhatsAppContact.filter(wa_id=digits).only("id").first()
        contact_id = contact.id if contact else None
    return Conditions(
        names=names,
        pattern=name_pattern(name) if name else None,
        source=source,
        session_id=_uuid(session_id, "sessionId") if session_id is not None else None,
        contact_id=contact_id,
        contact_digits=digits,
        message_ref=message_id,
    )


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise _invalid("Not an id", field) from None


def _invalid(message: str, field: str) -> WagraphError:
    return WagraphError([Problem(ErrorCode.INVALID_INPUT, message, (field,))])
