"""GraphQL face of the business account and its numbers, as Meta last described them."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from models import WhatsAppBusinessAccount, WhatsAppPhoneNumber
from schema.connection import Connection


@strawberry.type(
    description="A WhatsApp Business Account: its review, bans, violations, restrictions, "
    "pricing tier and limits, as Meta's webhooks last said (history: accountEvents)."
)
class BusinessAccount:
    waba_id: str = strawberry.field(description="Meta's business account id.")
    review_decision: str | None = strawberry.field(
        description="The account's review: APPROVED, REJECTED, PENDING or DEFERRED."
    )
    last_account_event: str | None = strawberry.field(
        description="The last account_update event (VERIFIED_ACCOUNT, ACCOUNT_VIOLATION, "
        "DISABLED_UPDATE, ACCOUNT_RESTRICTION, VOLUME_BASED_PRICING_TIER_UPDATE, ...)."
    )
    ban_state: str | None = strawberry.field(description="Meta's waba_ban_state, if banned.")
    ban_date: str | None = strawberry.field(description="Meta's waba_ban_date, as given.")
    violation_type: str | None = strawberry.field(description="The last violation's type.")
    restrictions: JSON = strawberry.field(
        description="The restrictions in force: [{restriction_type, expiration}], as Meta's."
    )
    capabilities: JSON = strawberry.field(
        description="Limits as Meta states them (max_daily_conversation_per_phone, ...)."
    )
    pricing_tier: JSON | None = strawberry.field(
        description="The volume pricing tier: {tier_update_time, pricing_category, tier, "
        "effective_month, region}, as Meta's."
    )
    details: JSON = strawberry.field(description="The last value of each field, as Meta sent it.")
    last_event_at: datetime | None = strawberry.field(description="When Meta last said something.")
    created_at: datetime = strawberry.field(description="When we first heard of it.")

    @classmethod
    def from_model(cls, row: WhatsAppBusinessAccount) -> BusinessAccount:
        return cls(
            waba_id=row.waba_id,
            review_decision=row.review_decision,
            last_account_event=row.last_account_event,
            ban_state=row.ban_state,
            ban_date=row.ban_date,
            violation_type=row.violation_type,
            restrictions=JSON(list(row.restrictions or [])),
            capabilities=JSON(dict(row.capabilities or {})),
            pricing_tier=JSON(row.pricing_tier) if row.pricing_tier is not None else None,
            details=JSON(dict(row.details or {})),
            last_event_at=row.last_event_at,
            created_at=row.created_at,
        )


@strawberry.type(
    description="A business phone number: its quality rating, messaging limit and display "
    "name review, as Meta's webhooks last said (history: accountEvents)."
)
class PhoneNumber:
    display_phone_number: str = strawberry.field(description="As Meta displays it (digits).")
    phone_number_id: str | None = strawberry.field(description="Meta's id for it, when known.")
    waba_id: str | None = strawberry.field(description="Its business account.")
    quality_rating: str | None = strawberry.field(
        description="GREEN, YELLOW or RED (FLAGGED means RED, UNFLAGGED GREEN when Meta gives "
        "no rating)."
    )
    quality_event: str | None = strawberry.field(
        description="The quality event that set it: FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE, ..."
    )
    messaging_limit: str | None = strawberry.field(description="e.g. TIER_1K, as Meta names it.")
    name_decision: str | None = strawberry.field(
        description="The display name's review: APPROVED, REJECTED, DEFERRED or PENDING."
    )
    requested_name: str | None = strawberry.field(description="The display name requested.")
    name_rejection_reason: str | None = strawberry.field(description="Why Meta refused it.")
    details: JSON = strawberry.field(description="The last value of each field, as Meta sent it.")
    last_event_at: datetime | None = strawberry.field(description="When Meta last said something.")
    created_at: datetime = strawberry.field(description="When we first heard of it.")

    @classmethod
    def from_model(cls, row: WhatsAppPhoneNumber) -> PhoneNumber:
        return cls(
            display_phone_number=row.display_phone_number,
            phone_number_id=row.phone_number_id,
            waba_id=row.waba_id,
            quality_rating=row.quality_rating,
            quality_event=row.quality_event,
            messaging_limit=row.messaging_limit,
            name_decision=row.name_decision,
            requested_name=row.requested_name,
            name_rejection_reason=row.name_rejection_reason,
            details=JSON(dict(row.details or {})),
            last_event_at=row.last_event_at,
            created_at=row.created_at,
        )


@strawberry.type(description="A page of business accounts, newest first.")
class BusinessAccountConnection(Connection[BusinessAccount]):
    pass


@strawberry.type(description="A page of business phone numbers, newest first.")
class PhoneNumberConnection(Connection[PhoneNumber]):
    pass
