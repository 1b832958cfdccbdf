"""Accounts: the business accounts and numbers as Meta last described them, and its events."""

from __future__ import annotations

import strawberry

from schema.accounts import (
    BusinessAccount,
    BusinessAccountConnection,
    PhoneNumber,
    PhoneNumberConnection,
)
from schema.events import Event, EventConnection
from schema.fields import query
from whatsapp.accounts import queries as account_queries


async def business_accounts(
    first: int | None = 20, after: str | None = None
) -> BusinessAccountConnection:
    page = await account_queries.list_business_accounts(first=first, after=after)
    return BusinessAccountConnection.from_page(page, BusinessAccount.from_model)


async def phone_numbers(first: int | None = 20, after: str | None = None) -> PhoneNumberConnection:
    page = await account_queries.list_phone_numbers(first=first, after=after)
    return PhoneNumberConnection.from_page(page, PhoneNumber.from_model)


async def account_events(first: int | None = 20, after: str | None = None) -> EventConnection:
    page = await account_queries.list_account_events(first=first, after=after)
    return EventConnection.from_page(page, Event.from_model)


@strawberry.type
class AccountQuery:
    business_accounts: BusinessAccountConnection = query(
        business_accounts,
        description="The business accounts Meta's webhooks told us about, with their latest "
        "review, ban, violation, restriction, pricing tier and limits.",
    )
    phone_numbers: PhoneNumberConnection = query(
        phone_numbers,
        description="The business numbers Meta's webhooks told us about, with their latest "
        "quality rating, messaging limit and display name review.",
    )
    account_events: EventConnection = query(
        account_events,
        description="What Meta said about the account and its numbers (account.* and "
        "phone_number.* events), newest first.",
    )
