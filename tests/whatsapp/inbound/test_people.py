"""Who a webhook item is about, read from the 2026 shapes (BSUID, parent, username)."""

from __future__ import annotations

import pytest

from whatsapp.inbound.people import recipient, sender

BSUID = "US.13491208655302741918"
PARENT = "US.ENT.11815799212886844830"


@pytest.mark.parametrize("key", ["parent_recipient_user_id", "recipient_parent_user_id"])
def test_a_status_names_its_recipients_parent_bsuid_under_either_spelling(key: str) -> None:
    # given
    status = {"recipient_id": "", "recipient_user_id": BSUID, key: PARENT}

    # when
    who = recipient(status, [])

    # then
    assert who.bsuid == BSUID
    assert who.wa_id is None
    assert who.parent_bsuid == PARENT


def test_a_message_without_a_number_is_known_by_its_bsuid_and_username() -> None:
    # given
    message = {"from": "", "from_user_id": BSUID, "id": "wamid.x", "type": "text"}
    contacts = [{"user_id": BSUID, "profile": {"name": "Pablo", "username": "@pablomorales"}}]

    # when
    who = sender(message, contacts)

    # then
    assert who.bsuid == BSUID
    assert who.wa_id is None
    assert who.username == "@pablomorales"
    assert who.profile_name == "Pablo"
