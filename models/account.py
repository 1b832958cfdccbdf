"""What Meta says about the business account and its phone numbers, as an operator reads it.

Each row holds the latest state; the history is in the event log (`account.*`,
`phone_number.*` events).
"""

from __future__ import annotations

from typing import Any

from tortoise import fields

from models.base import TimestampedModel


class WhatsAppBusinessAccount(TimestampedModel):
    waba_id = fields.CharField(max_length=64, unique=True)
    # account_review_update: APPROVED, REJECTED, PENDING, DEFERRED.
    review_decision = fields.CharField(max_length=32, null=True)
    # account_update: the last event (VERIFIED_ACCOUNT, ACCOUNT_VIOLATION, BANNED, …).
    last_account_event = fields.CharField(max_length=64, null=True)
    ban_state = fields.CharField(max_length=64, null=True)
    ban_date = fields.CharField(max_length=64, null=True)
    violation_type = fields.CharField(max_length=128, null=True)
    restrictions: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    # business_capability_update: limits as Meta states them.
    capabilities: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    pricing_tier: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    details: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    last_event_at = fields.DatetimeField(null=True)

    class Meta:
        table = "whatsapp_business_account"


class WhatsAppPhoneNumber(TimestampedModel):
    # Meta's number webhooks name the number as displayed, not by its id.
    display_phone_number = fields.CharField(max_length=32, unique=True)
    phone_number_id = fields.CharField(max_length=32, null=True)
    waba_id = fields.CharField(max_length=64, null=True)
    # GREEN, YELLOW, RED (or UNKNOWN) and the quality event that set it.
    quality_rating = fields.CharField(max_length=16, null=True)
    quality_event = fields.CharField(max_length=32, null=True)
    messaging_limit = fields.CharField(max_length=64, null=True)
    # phone_number_name_update: the display name's review.
    name_decision = fields.CharField(max_length=32, null=True)
    requested_name = fields.CharField(max_length=256, null=True)
    name_rejection_reason = fields.CharField(max_length=256, null=True)
    details: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    last_event_at = fields.DatetimeField(null=True)

    class Meta:
        table = "whatsapp_phone_number"
