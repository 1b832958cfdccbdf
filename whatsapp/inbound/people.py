"""Who a webhook item is about, read the way Meta writes it since the BSUID rollout (§11.2).

Every id is optional: `from`, `wa_id` and `recipient_id` may be missing or `""` for customers
who hide their number behind a username; the BSUID (`from_user_id`, `user_id`,
`recipient_user_id`) is there since 2026-04, and older payloads have only the number. The
`contacts[]` of the same change completes what an item leaves out (name, username, parent).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from whatsapp.conversations.identities import Identity

Contacts = Sequence[Mapping[str, Any]]


def sender(item: Mapping[str, Any], contacts: Contacts) -> Identity:
    """The customer who sent a message (`messages[]`)."""
    return _person(
        contacts,
        bsuid=item.get("from_user_id"),
        wa_id=item.get("from"),
        parent=item.get("from_parent_user_id"),
    )


def recipient(item: Mapping[str, Any], contacts: Contacts) -> Identity:
    """The customer a status is about (`statuses[]`)."""
    return _person(
        contacts,
        bsuid=item.get("recipient_user_id"),
        wa_id=item.get("recipient_id"),
        # Meta's pages spell it both ways; either may arrive.
        parent=item.get("parent_recipient_user_id") or item.get("recipient_parent_user_id"),
    )


def subject(item: Mapping[str, Any], contacts: Contacts) -> Identity:
    """The customer of a `user_preferences` item (or any item with `user_id` / `wa_id`)."""
    return _person(
        contacts,
        bsuid=item.get("user_id"),
        wa_id=item.get("wa_id"),
        parent=item.get("parent_user_id"),
    )


def _person(contacts: Contacts, *, bsuid: Any, wa_id: Any, parent: Any) -> Identity:
    entry = _entry(contacts, bsuid, wa_id)
    profile = entry.get("profile") or {}
    return Identity.of(
        bsuid=bsuid or entry.get("user_id"),
        wa_id=wa_id or entry.get("wa_id"),
        parent_bsuid=parent or entry.get("parent_user_id"),
        username=profile.get("username"),
        profile_name=profile.get("name"),
    )


def _entry(contacts: Contacts, bsuid: Any, wa_id: Any) -> Mapping[str, Any]:
    """The `contacts[]` entry for these ids; the only one when the item names nobody."""
    entries = [entry for entry in contacts if isinstance(entry, Mapping)]
    for key, value in (("user_id", bsuid), ("wa_id", wa_id)):
        if value:
            for entry in entries:
                if entry.get(key) and str(entry.get(key)) == str(value):
                    return entry
    if not bsuid and not wa_id and len(entries) == 1:
        return entries[0]
    return {}
