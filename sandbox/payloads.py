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


def pricing_for(
    template_category: str | None, *, window_open: bool, via_referral: bool, lite: bool = False
) -> Pricing:
    """§9/§11.3: free inside an open window (utility templates too), template category outside.

    `lite`: sent through the Marketing Messages API, which Meta bills as `marketing_lite`.
    """
    if lite:
        return Pricing("marketing_lite", "regular", True)
    if via_referral and window_open:
        return Pricing("referral_conversion", "free_entry_point", False)
    if template_category is None:
        return Pricing("service", "free_customer_service", False)
    category = template_category.lower()
    if category == "utility" and window_open:
        return Pricing("utility", "free_customer_service", False)
    return Pricing(category, "regular", True)


def group_pricing(template_category: str | None, *, window_open: bool) -> Pricing:
    """Groups API pricing: `group_marketing|group_utility|group_service`, PMP.

    A participant's message opens the window for the whole group; inside it free-form and
    utility messages are free (Meta's Groups pricing page), marketing is billed.
    """
    if template_category is None:
        return Pricing("group_service", "free_customer_service", False)
    category = template_category.lower()
    if category == "utility" and window_open:
        return Pricing("group_utility", "free_customer_service", False)
    return Pricing(f"group_{category}", "regular", True)


def envelope(waba_id: str, field: str, value: Any, *, time: int | None = None) -> dict[str, Any]:
    """One change of `field`; `value` is normally an object (any JSON for raw demos)."""
    entry: dict[str, Any] = {"id": waba_id, "changes": [{"value": value, "field": field}]}
    if time is not None:
        entry["time"] = time
    return {"object": "whatsapp_business_account", "entry": [entry]}


def metadata(phone_number_id: str, display_number: str) -> dict[str, str]:
    return {"display_phone_number": display_number, "phone_number_id": phone_number_id}


def number_value(phone_number_id: str, display_number: str, key: str, items: Any) -> dict[str, Any]:
    """A phone-number-level value: `messaging_product`, `metadata`, then `key: items`
    (`groups`, `message_echoes`, …)."""
    return {
        "messaging_product": "whatsapp",
        "metadata": metadata(phone_number_id, display_number),
        key: items,
    }


def status_value(
    *,
    phone_number_id: str,
    display_number: str,
    wamid: str,
    status: str,
    timestamp: int,
    recipient: dict[str, str],
    callback_data: str | None,
    contact: dict[str, Any] | None = None,
    conversation: dict[str, Any] | None = None,
    pricing: Pricing | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`recipient`: `recipient_id?`, `recipient_user_id?`, `parent_recipient_user_id?` (§11.2);
    `contact`: the `contacts[0]` Meta adds to sent/delivered/read statuses since 2026."""
    item: dict[str, Any] = {"id": wamid, "status": status, "timestamp": str(timestamp)}
    item.update(recipient)
    if callback_data is not None:
        item["biz_opaque_callback_data"] = callback_data
    if conversation is not None:
        item["conversation"] = conversation
    if pricing is not None:
        item["pricing"] = pricing.as_json()
    if errors is not None:
        item["errors"] = errors
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": metadata(phone_number_id, display_number),
    }
    if contact is not None:
        value["contacts"] = [contact]
    value["statuses"] = [item]
    return value


def inbound_value(
    *,
    phone_number_id: str,
    display_number: str,
    contact: dict[str, Any] | None,
    message: dict[str, Any],
) -> dict[str, Any]:
    """A `messages` value; `contact` None for system messages, which carry no `contacts`."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": metadata(phone_number_id, display_number),
    }
    if contact is not None:
        value["contacts"] = [contact]
    value["messages"] = [message]
    return value


PREFERENCE_DETAILS = {
    "stop": "User requested to stop marketing messages",
    "resume": "User requested to resume marketing messages",
}


def user_preferences_value(
    *,
    phone_number_id: str,
    display_number: str,
    contact: dict[str, Any],
    value: str,
    timestamp: int,
) -> dict[str, Any]:
    """§11.5: the user pressed Stop/Resume on marketing messages (field `user_preferences`).

    The preference repeats the contact's identifiers (`wa_id?`, `user_id`, `parent_user_id?`);
    `timestamp` is an integer here, unlike in messages.
    """
    preference: dict[str, Any] = {
        key: contact[key] for key in ("wa_id", "user_id", "parent_user_id") if key in contact
    }
    preference.update(
        {
            "detail": PREFERENCE_DETAILS[value],
            "category": "marketing_messages",
            "value": value,
            "timestamp": timestamp,
        }
    )
    return {
        "messaging_product": "whatsapp",
        "metadata": metadata(phone_number_id, display_number),
        "contacts": [contact],
        "user_preferences": [preference],
    }


def category_update_value(
    template: dict[str, Any], *, new_category: str, impending_at: int | None = None
) -> dict[str, Any]:
    """§6.4/§11.6 `template_category_update`, in Meta's two shapes.

    Impending (`impending_at` given): `correct_category` is where it is going, `new_category`
    still the current one, `category_update_timestamp` when it will change. Completed:
    `previous_category` and `new_category`.
    """
    value: dict[str, Any] = {
        "message_template_id": int(template["id"]),
        "message_template_name": template["name"],
        "message_template_language": template["language"],
    }
    if impending_at is not None:
        value["correct_category"] = new_category
        value["new_category"] = template["category"]
        value["category_update_timestamp"] = impending_at
    else:
        value["previous_category"] = template["category"]
        value["new_category"] = new_category
    return value


def template_status_value(
    template: dict[str, Any],
    event: str,
    reason: str | None = "NONE",
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """§11.6 `message_template_status_update`; `extra`: `disable_info`, `other_info`,
    `rejection_info` as Meta adds them for some events."""
    value: dict[str, Any] = {
        "event": event,
        "message_template_id": int(template["id"]),
        "message_template_name": template["name"],
        "message_template_language": template["language"],
        "reason": reason,
        "message_template_category": template["category"],
    }
    value.update(extra or {})
    return value
