"""Groups (Groups API, §11.7): what the sandbox knows about each group the business created.

A group belongs to one business phone number, has a subject, a description, an invite link and
up to 8 participants (Meta's limit), and may be suspended. Participants are `Customer`s, so a
participant who changes number or BSUID stays in the group. The webhooks about groups are built
in `group_events`, sends to a group in `group_sends`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.customers import Customer

MAX_PARTICIPANTS = 8  # Meta: "Max group participants: 8"
SUBJECT_MAX = 128
DESCRIPTION_MAX = 2048


class GroupError(ValueError):
    """A group control request Meta's Groups API would refuse (400)."""


@dataclass(slots=True)
class Group:
    id: str
    phone_number_id: str
    subject: str
    description: str
    invite_link: str
    created_at: float
    participants: list[Customer] = field(default_factory=list)
    suspended: bool = False

    def has(self, customer: Customer) -> bool:
        return any(p is customer for p in self.participants)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "phone_number_id": self.phone_number_id,
            "subject": self.subject,
            "description": self.description,
            "invite_link": self.invite_link,
            "suspended": self.suspended,
            "participants": [participant_json(c) for c in self.participants],
        }


def participant_json(customer: Customer) -> dict[str, Any]:
    """A participant as group webhooks show them: `wa_id?` (per visibility), BSUIDs, username."""
    out: dict[str, Any] = {}
    number = customer.shown_number()
    if number is not None:
        out["wa_id"] = number
    out["user_id"] = customer.user_id
    if customer.parent_user_id:
        out["parent_user_id"] = customer.parent_user_id
    if customer.username:
        out["username"] = customer.username
    return out


class GroupRegistry:
    """Groups by id, in creation order."""

    def __init__(self) -> None:
        self._groups: dict[str, Group] = {}

    def __len__(self) -> int:
        return len(self._groups)

    def clear(self) -> None:
        self._groups.clear()

    def add(self, group: Group) -> Group:
        self._groups[group.id] = group
        return group

    def get(self, group_id: str) -> Group | None:
        return self._groups.get(group_id)

    def remove(self, group_id: str) -> None:
        self._groups.pop(group_id, None)

    def all(self) -> list[Group]:
        return list(self._groups.values())


def check_text(value: Any, name: str, max_len: int, *, required: bool) -> str | None:
    """A subject or description: a string within Meta's length limit."""
    if value is None:
        if required:
            raise GroupError(f"{name} is required")
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise GroupError(f"{name} must be a non-empty string")
    if len(value) > max_len:
        raise GroupError(f"{name} is longer than {max_len} characters")
    return value
