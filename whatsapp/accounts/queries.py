"""Reading the account's state back: its business accounts and numbers as Meta last described
them, and the history of what Meta said (the `account.*` and `phone_number.*` events)."""

from __future__ import annotations

from models import WhatsAppAnalyticsEvent, WhatsAppBusinessAccount, WhatsAppPhoneNumber
from whatsapp.events.queries import named
from whatsapp.kit.paging import Page, keyset_page

EVENT_PATTERNS = ("account.*", "phone_number.*")


async def list_business_accounts(
    *, first: int | None = None, after: str | None = None
) -> Page[WhatsAppBusinessAccount]:
    """Faces: GraphQL `businessAccounts`."""
    return await keyset_page(WhatsAppBusinessAccount.all(), first=first, after=after)


async def list_phone_numbers(
    *, first: int | None = None, after: str | None = None
) -> Page[WhatsAppPhoneNumber]:
    """Faces: GraphQL `phoneNumbers`."""
    return await keyset_page(WhatsAppPhoneNumber.all(), first=first, after=after)


async def list_account_events(
    *, first: int | None = None, after: str | None = None
) -> Page[WhatsAppAnalyticsEvent]:
    """What Meta said about the account and its numbers, newest first (`accountEvents`)."""
    account, number = (named(pattern) for pattern in EVENT_PATTERNS)
    return await keyset_page(
        WhatsAppAnalyticsEvent.filter(account | number), first=first, after=after
    )
