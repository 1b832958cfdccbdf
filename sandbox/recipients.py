"""Who a send is for: `to` (a phone number) or `recipient` (a BSUID), and how Meta echoes them.

Meta (2026, §11.2): a send names the user by `to`, by `recipient` (BSUID or parent BSUID), or by
both, in which case `to` takes precedence. The response's `contacts[]` echoes `input` and adds
`wa_id` when the phone number was used and `user_id` when a BSUID was given. Statuses name the
recipient by `recipient_id` (the number, unless it was not used and is hidden),
`recipient_user_id` and `parent_recipient_user_id`, and carry a `contacts[]` entry except on
`failed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.customers import Customer
from sandbox.state import Sandbox
from sandbox.validation import Outgoing

NOT_ON_WHATSAPP_PREFIX = "999"  # reserved rule: such numbers "do not use WhatsApp" (131026)


@dataclass(frozen=True, slots=True)
class Target:
    """The resolved recipient of one accepted send."""

    chat: str  # key of windows, pair limits and reactions: the customer's number (or the BSUID)
    customer: Customer | None  # None: not on WhatsApp / a BSUID nobody in this portfolio has
    by_phone: bool  # the number was used (`to` given); False: BSUID only
    input: Any  # what the request named the user by (echoed as contacts[].input)
    stats_key: str  # `sends_per_recipient` key: the number sent to, or the BSUID


def resolve(sb: Sandbox, request: Outgoing) -> Target:
    """The customer a valid send addresses; numbers seen for the first time become customers."""
    if request.wa_id is not None:
        wa_id = request.wa_id
        customer = None
        if not wa_id.startswith(NOT_ON_WHATSAPP_PREFIX):
            customer = sb.customers.get_or_create(wa_id)
        return Target(wa_id, customer, True, request.to_raw, wa_id)
    bsuid = request.recipient
    assert bsuid is not None  # parse_send guarantees one of them
    customer = sb.customers.get(bsuid)
    chat = customer.wa_id if customer is not None else bsuid
    return Target(chat, customer, False, bsuid, bsuid)


def wamid_key(target: Target) -> str:
    """What the wamid embeds: the number, unless only the BSUID may be known (never leak it)."""
    customer = target.customer
    if customer is None:
        return target.chat
    if target.by_phone or customer.number_visible:
        return customer.wa_id
    return customer.user_id


def response_contact(target: Target, request: Outgoing) -> dict[str, Any]:
    """`contacts[0]` of the send response (Meta's BSUID page: `input`, `wa_id?`, `user_id?`)."""
    contact: dict[str, Any] = {"input": target.input}
    if target.by_phone:
        contact["wa_id"] = request.wa_id
    if request.recipient is not None:
        contact["user_id"] = request.recipient
    return contact


def shown_number(target: Target) -> str | None:
    """The recipient's number in statuses: always when it was used, else per visibility."""
    customer = target.customer
    if target.by_phone:
        return target.chat
    if customer is None:
        return None
    return customer.shown_number()


def status_recipient(target: Target) -> dict[str, str]:
    """`recipient_id` (may be left out or `""`), `recipient_user_id`, `parent_recipient_user_id`."""
    out: dict[str, str] = {}
    number = shown_number(target)
    if number is not None:
        out["recipient_id"] = number
    customer = target.customer
    if customer is not None:
        out["recipient_user_id"] = customer.user_id
        if customer.parent_user_id:
            out["parent_recipient_user_id"] = customer.parent_user_id
    elif not target.by_phone:
        out["recipient_user_id"] = target.chat
    return out


def status_contact(target: Target, status: str) -> dict[str, Any] | None:
    """The `contacts[0]` of a sent/delivered/read status (none on failed; no username on sent)."""
    customer = target.customer
    if customer is None or status == "failed":
        return None
    return contact_json(
        customer,
        name=customer.display_name(),
        number=shown_number(target),
        with_username=status != "sent",
    )


def contact_json(
    customer: Customer, *, name: str, number: str | None, with_username: bool = True
) -> dict[str, Any]:
    """A webhook `contacts[]` entry: profile (name, username), wa_id?, user_id, parent_user_id?."""
    profile: dict[str, Any] = {"name": name}
    if with_username and customer.username:
        profile["username"] = customer.username
    contact: dict[str, Any] = {"profile": profile}
    if number is not None:
        contact["wa_id"] = number
    contact["user_id"] = customer.user_id
    if customer.parent_user_id:
        contact["parent_user_id"] = customer.parent_user_id
    return contact


def sender_fields(customer: Customer) -> dict[str, Any]:
    """`from` (left out or `""` when hidden), `from_user_id`, `from_parent_user_id?`."""
    out: dict[str, Any] = {}
    number = customer.shown_number()
    if number is not None:
        out["from"] = number
    out["from_user_id"] = customer.user_id
    if customer.parent_user_id:
        out["from_parent_user_id"] = customer.parent_user_id
    return out
