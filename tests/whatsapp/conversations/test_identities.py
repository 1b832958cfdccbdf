"""Who a customer is: found by BSUID, else by number; created, completed, merged, re-keyed."""

from __future__ import annotations

import asyncio

from models import (
    MessageDirection,
    MessageStatus,
    MessageType,
    WhatsAppAnalyticsEvent,
    WhatsAppContact,
    WhatsAppContactIdentity,
    WhatsAppMessage,
    WhatsAppSession,
)
from whatsapp.conversations.contacts import find_contact, get_or_create_contact
from whatsapp.conversations.identities import Identity, identify, identity_transaction, rekey

BSUID = "US.13491208655302741918"
OTHER_BSUID = "US.18402957316640219381"
NUMBER = "15551234567"


async def seen(**ids: str | None) -> WhatsAppContact:
    """As a webhook would: identify whoever these ids name, in its own transaction."""
    who = Identity.of(**ids)
    return await identity_transaction(lambda conn: identify(who, conn, source="webhook"))


async def identities(contact: WhatsAppContact) -> dict[str, bool]:
    rows = await WhatsAppContactIdentity.filter(contact_id=contact.id)
    return {row.value: row.retired_at is None for row in rows}


async def test_a_bsuid_alone_is_a_contact_without_a_number() -> None:
    contact = await seen(bsuid=BSUID, username="@pablo", profile_name="Pablo")

    assert (contact.bsuid, contact.wa_id, contact.username) == (BSUID, None, "@pablo")
    assert await identities(contact) == {BSUID: True}
    assert (await seen(bsuid=BSUID)).id == contact.id


async def test_two_username_only_customers_are_two_contacts() -> None:
    one = await seen(bsuid=BSUID, wa_id="")
    two = await seen(bsuid=OTHER_BSUID)

    assert one.id != two.id
    assert await WhatsAppContact.all().count() == 2


async def test_a_contact_known_by_number_gains_its_bsuid_the_first_time_meta_sends_it() -> None:
    before = await get_or_create_contact(NUMBER)

    after = await seen(bsuid=BSUID, wa_id=NUMBER, profile_name="Sheena")

    assert after.id == before.id
    assert (after.bsuid, after.wa_id, after.profile_name) == (BSUID, NUMBER, "Sheena")
    assert await identities(after) == {NUMBER: True, BSUID: True}


async def test_a_number_appears_on_a_contact_known_by_bsuid() -> None:
    contact = await seen(bsuid=BSUID)

    again = await seen(bsuid=BSUID, wa_id=NUMBER)

    assert (again.id, again.wa_id) == (contact.id, NUMBER)
    assert await WhatsAppAnalyticsEvent.filter(name="contact.number_changed").count() == 0


async def test_a_hidden_number_does_not_erase_the_known_one() -> None:
    contact = await seen(bsuid=BSUID, wa_id=NUMBER)

    again = await seen(bsuid=BSUID, wa_id="")

    assert (again.id, again.wa_id) == (contact.id, NUMBER)


async def test_number_and_bsuid_of_two_contacts_merge_into_the_older() -> None:
    # given: known once by number (a send), once by BSUID (a username-only message)
    by_number = await get_or_create_contact(NUMBER)
    by_number.tags = ["vip"]
    await by_number.save()
    by_bsuid = await seen(bsuid=BSUID, username="@sheena")
    session = await WhatsAppSession.create(contact=by_bsuid, phone_number_id="1")
    message = await WhatsAppMessage.create(
        direction=MessageDirection.INBOUND,
        type=MessageType.TEXT,
        status=MessageStatus.RECEIVED,
        phone_number_id="1",
        customer_bsuid=BSUID,
        contact=by_bsuid,
        session=session,
    )

    # when: one webhook shows both
    merged = await seen(bsuid=BSUID, wa_id=NUMBER)

    # then
    assert merged.id == by_number.id
    assert await WhatsAppContact.all().count() == 1
    contact = await WhatsAppContact.get(id=by_number.id)
    assert (contact.bsuid, contact.wa_id, contact.username, contact.tags) == (
        BSUID,
        NUMBER,
        "@sheena",
        ["vip"],
    )
    assert (await WhatsAppMessage.get(id=message.id)).contact_id == contact.id
    assert (await WhatsAppSession.get(id=session.id)).contact_id == contact.id
    assert await identities(contact) == {NUMBER: True, BSUID: True}
    event = await WhatsAppAnalyticsEvent.get(name="contact.merged")
    assert event.contact_id == contact.id
    assert event.properties["mergedContactId"] == str(by_bsuid.id)


async def test_a_number_seen_with_another_persons_bsuid_moves_to_them() -> None:
    # given: the number belonged to someone who has a BSUID of their own
    former = await seen(bsuid=OTHER_BSUID, wa_id=NUMBER)

    # when: the number is seen with a new BSUID (a recycled number)
    newcomer = await seen(bsuid=BSUID, wa_id=NUMBER)

    # then: two people, the number is the newcomer's
    assert newcomer.id != former.id
    assert newcomer.wa_id == NUMBER
    await former.refresh_from_db()
    assert (former.bsuid, former.wa_id) == (OTHER_BSUID, None)
    assert await identities(newcomer) == {NUMBER: True, BSUID: True}
    released = await WhatsAppAnalyticsEvent.get(name="contact.number_changed")
    assert released.contact_id == former.id


async def test_rekey_retires_the_old_ids_which_still_find_the_contact() -> None:
    contact = await seen(bsuid=BSUID, wa_id=NUMBER)
    new = Identity(bsuid=OTHER_BSUID, wa_id="15559990000")

    async def change(conn: object) -> WhatsAppContact:
        return await rekey(contact, new, conn, event="contact.number_changed", source="webhook")  # type: ignore[arg-type]

    await identity_transaction(change)  # type: ignore[arg-type]

    await contact.refresh_from_db()
    assert (contact.bsuid, contact.wa_id) == (OTHER_BSUID, "15559990000")
    assert await identities(contact) == {
        BSUID: False,
        NUMBER: False,
        OTHER_BSUID: True,
        "15559990000": True,
    }
    for old in ({"bsuid": BSUID}, {"wa_id": NUMBER}):
        found = await find_contact(**old)
        assert found is not None and found.id == contact.id
    # a late message under the old ids still lands on the same contact, unchanged
    late = await seen(bsuid=BSUID, wa_id=NUMBER)
    assert (late.id, late.bsuid) == (contact.id, OTHER_BSUID)


async def test_concurrent_first_messages_of_one_customer_make_one_contact() -> None:
    contacts = await asyncio.gather(*(seen(bsuid=BSUID, wa_id=NUMBER) for _ in range(8)))

    assert len({contact.id for contact in contacts}) == 1
    assert await WhatsAppContact.all().count() == 1
    assert await WhatsAppContactIdentity.all().count() == 2


async def test_concurrent_merges_of_the_same_pair_merge_once() -> None:
    await get_or_create_contact(NUMBER)
    await seen(bsuid=BSUID)

    contacts = await asyncio.gather(*(seen(bsuid=BSUID, wa_id=NUMBER) for _ in range(6)))

    assert len({contact.id for contact in contacts}) == 1
    assert await WhatsAppContact.all().count() == 1
    assert await WhatsAppAnalyticsEvent.filter(name="contact.merged").count() == 1
