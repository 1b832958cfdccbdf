"""Builders of the webhook bodies Meta POSTs (§6.4, §7.3-7.5); pure functions, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Pricing:
    """How a message is billed under per-message pricing (§9 mapping)."""

    category: str  # service, utility, marketing, authentication, referral_conversion
    type: str  # free_customer_service, regular, free_entry_point
    billable: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "billable": self.billable,
            "pricing_model": "PMP",
            "category": self.category,
            "type": self.type,
        }


def pricing_for(template_category: str | None, *, window_open: bool, via_referral: bool) -> Pricing:
    """§9: free inside an open window (utility templates too), template category outside."""
    if via_referral and window_open:
        return Pricing("referral_conversion", "free_entry_point", False)
    if template_category is None:
        return Pricing("service", "free_customer_service", False)
    category = template_category.lower()
    if category == "utility" and window_open:
        return Pricing("utility", "free_customer_service", False)
    return Pricing(category, "regular", True)


def envelope(
    waba_id: str, field: str, value: dict[str, Any], *, time: int | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": waba_id, "changes": [{"value": value, "field": field}]}
    if time is not None:
        entry["time"] = time
    return {"object": "whatsapp_business_account", "entry": [entry]}


def metadata(phone_number_id: str, display_number: str) -> dict[str, str]:
    return {"display_phone_number": display_number, "phone_number_id": phone_number_id}


def status_value(
    *,
    phone_number_id: str,
    display_number: str,
    wamid: str,
    status: str,
    timestamp: int,
    recipient_id: str,
    callback_data: str | None,
    conversation: dict[str, Any] | None = None,
    pricing: Pricing | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(timestamp),
        "recipient_id": recipient_id,
    }
    if callback_data is not None:
        item["biz_opaque_callback_data"] = callback_data
    if conversation is not None:
        item["conversation"] = conversation
    if pricing is not None:
        item["pricing"] = pricing.as_json()
    if errors is not None:
        item["errors"] = errors
    return {
        "messaging_product": "whatsapp",
        "metadata": metadata(phone_number_id, display_number),
        "statuses": [item],
    }


def inbound_value(
    *,
    phone_number_id: str,
    display_number: str,
    wa_id: str,
    profile_name: str,
    message: dict[str, Any],
) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "metadata": metadata(phone_number_id, display_number),
        "contacts": [{"profile": {"name": profile_name}, "wa_id": wa_id}],
        "messages": [message],
    }


def template_status_value(
    template: dict[str, Any], event: str, reason: str = "NONE"
) -> dict[str, Any]:
    return {
        "event": event,
        "message_template_id": int(template["id"]),
        "message_template_name": template["name"],
        "message_template_language": template["language"],
        "reason": reason,
        "message_template_category": template["category"],
    }
