"""What happens to groups, and the webhooks Meta sends for it (Groups API webhook reference).

Every group field's value is `{messaging_product, metadata, groups: [{timestamp, group_id,
type, …}]}` with a string timestamp:

- `group_lifecycle_update`: `group_create` (`request_id`, `subject`, `description?`,
  `invite_link`, `join_approval_mode`) and `group_delete` (`request_id`);
- `group_participants_update`: `group_participants_add` (`reason: "invite_link"`,
  `added_participants: [{wa_id?, user_id, parent_user_id?, username?}]`) and
  `group_participants_remove` (`removed_participants`, `initiated_by`: by the business the
  items are `{input}` — the number or BSUID it used —, a participant leaving is named in full);
- `group_settings_update`: `group_subject` / `group_description` `{text, update_successful}`;
- `group_status_update`: `group_suspend` / `group_suspend_cleared`.

A participant's message in the group is an ordinary inbound message plus `group_id`.
"""

from __future__ import annotations

from typing import Any

from sandbox import payloads
from sandbox.customers import Customer
from sandbox.groups import (
    DESCRIPTION_MAX,
    MAX_PARTICIPANTS,
    SUBJECT_MAX,
    Group,
    GroupError,
    check_text,
    participant_json,
)
from sandbox.inbound import receive
from sandbox.state import Sandbox

STATUS_TYPES = ("group_suspend", "group_suspend_cleared")
INVITE_PREFIX = "https://chat.whatsapp.com/"


def _post(sb: Sandbox, group: Group, field: str, item: dict[str, Any]) -> dict[str, Any]:
    pnid = group.phone_number_id
    entry = {"timestamp": str(int(sb.now())), "group_id": group.id, **item}
    value = payloads.number_value(pnid, sb.display_number(pnid), "groups", [entry])
    return sb.post(payloads.envelope(sb.config.waba_id, field, value))


def create(sb: Sandbox, pnid: str, subject: Any, description: Any) -> tuple[Group, dict[str, Any]]:
    """A new group (no participants yet: users join through the invite link)."""
    checked_subject = check_text(subject, "subject", SUBJECT_MAX, required=True)
    checked_description = check_text(description, "description", DESCRIPTION_MAX, required=False)
    assert checked_subject is not None
    group = Group(
        id=sb.ids.group_id(pnid),
        phone_number_id=pnid,
        subject=checked_subject,
        description=checked_description or "",
        invite_link=INVITE_PREFIX + sb.ids.hex(22).upper(),
        created_at=sb.now(),
    )
    sb.groups.add(group)
    item: dict[str, Any] = {
        "type": "group_create",
        "request_id": sb.ids.hex(32),
        "subject": group.subject,
    }
    if group.description:
        item["description"] = group.description
    item["invite_link"] = group.invite_link
    item["join_approval_mode"] = "auto_approve"
    return group, _post(sb, group, "group_lifecycle_update", item)


def delete(sb: Sandbox, group: Group) -> dict[str, Any]:
    sb.groups.remove(group.id)
    item = {"type": "group_delete", "request_id": sb.ids.hex(32)}
    return _post(sb, group, "group_lifecycle_update", item)


def add_participants(sb: Sandbox, group: Group, customers: list[Customer]) -> dict[str, Any]:
    """Users joined through the invite link."""
    check_joining(customers, already=len(group.participants))
    for customer in customers:
        if group.has(customer):
            raise GroupError(f"{customer.user_id} is already a participant")
    group.participants.extend(customers)
    item = {
        "type": "group_participants_add",
        "reason": "invite_link",
        "added_participants": [participant_json(c) for c in customers],
    }
    return _post(sb, group, "group_participants_update", item)


def remove_participants(
    sb: Sandbox, group: Group, customers: list[Customer], initiated_by: Any
) -> dict[str, Any]:
    """The business removes them (`initiated_by: "business"`), or one leaves (`"participant"`)."""
    if initiated_by not in ("business", "participant"):
        raise GroupError('initiated_by must be "business" or "participant"')
    _check_distinct(customers)
    if initiated_by == "participant" and len(customers) != 1:
        raise GroupError("a participant leaves alone: name exactly one")
    for customer in customers:
        if not group.has(customer):
            raise GroupError(f"{customer.user_id} is not a participant of the group")
    group.participants = [p for p in group.participants if all(p is not c for c in customers)]
    item: dict[str, Any] = {"type": "group_participants_remove"}
    if initiated_by == "business":
        item["request_id"] = sb.ids.hex(32)
        removed = [{"input": c.wa_id if c.number_visible else c.user_id} for c in customers]
    else:
        removed = [participant_json(c) for c in customers]
    item["removed_participants"] = removed
    item["initiated_by"] = initiated_by
    return _post(sb, group, "group_participants_update", item)


def update_settings(sb: Sandbox, group: Group, subject: Any, description: Any) -> dict[str, Any]:
    """A new subject and/or description, reported as successful updates."""
    new_subject = check_text(subject, "subject", SUBJECT_MAX, required=False)
    new_description = check_text(description, "description", DESCRIPTION_MAX, required=False)
    if new_subject is None and new_description is None:
        raise GroupError("give a subject and/or a description")
    item: dict[str, Any] = {"type": "group_settings_update", "request_id": sb.ids.hex(32)}
    if new_subject is not None:
        group.subject = new_subject
        item["group_subject"] = {"text": new_subject, "update_successful": True}
    if new_description is not None:
        group.description = new_description
        item["group_description"] = {"text": new_description, "update_successful": True}
    return _post(sb, group, "group_settings_update", item)


def set_status(sb: Sandbox, group: Group, kind: Any) -> dict[str, Any]:
    """WhatsApp suspends the group (policy) or clears the suspension."""
    if kind not in STATUS_TYPES:
        raise GroupError(f"type must be one of {list(STATUS_TYPES)}")
    suspended = kind == "group_suspend"
    if group.suspended == suspended:
        raise GroupError("the group is already " + ("suspended" if suspended else "active"))
    group.suspended = suspended
    return _post(sb, group, "group_status_update", {"type": kind})


def participant_writes(
    sb: Sandbox, group: Group, customer: Customer, body: dict[str, Any]
) -> dict[str, Any]:
    """A participant's message in the group (any inbound type), with `group_id`."""
    if not group.has(customer):
        raise GroupError(f"{customer.user_id} is not a participant of the group")
    if group.suspended:
        raise GroupError("the group is suspended: nobody can write in it")
    ref = customer.wa_id
    return receive(sb, ref, body, group=group)


def check_joining(customers: list[Customer], *, already: int = 0) -> None:
    """At least one participant, each named once, at most 8 in the group."""
    _check_distinct(customers)
    if already + len(customers) > MAX_PARTICIPANTS:
        raise GroupError(f"a group has at most {MAX_PARTICIPANTS} participants")


def _check_distinct(customers: list[Customer]) -> None:
    if not customers:
        raise GroupError("name at least one participant")
    if len({id(c) for c in customers}) != len(customers):
        raise GroupError("the same participant is named twice")
