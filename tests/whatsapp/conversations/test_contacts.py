"""Who a send goes to: the contact holding that id, or a new one created once."""

from __future__ import annotations

import asyncio

from models import IdentityKind, WhatsAppContact, WhatsAppContactIdentity
from whatsapp.conversations.contacts import contact_for
from whatsapp.conversations.identities import Identity, create_unknown
from whatsapp.kit.recipients import Recipient

NUMBER = "15557770001"
BSUID = "US.99887766554433221100"


async def test_a_send_to_a_new_number_creates_one_contact_with_its_identity(db: str) -> None:
    # when
    contact = await contact_for(Recipient(wa_id=NUMBER))

    # then
    assert contact.wa_id == NUMBER
    identity = await WhatsAppContactIdentity.get(value=NUMBER)
    assert identity.contact_id == contact.id
    assert identity.kind == IdentityKind.WA_ID
    assert identity.created_at is not None
    assert identity.retired_at is None


async def test_a_send_to_a_new_bsuid_creates_a_contact_known_by_it(db: str) -> None:
    # when
    contact = await contact_for(Recipient(bsuid=BSUID))

    # then
    assert contact.bsuid == BSUID
    assert contact.wa_id is None
    assert await WhatsAppContactIdentity.filter(contact_id=contact.id).count() == 1


async def test_concurrent_first_sends_to_one_number_share_one_contact(db: str) -> None:
    # when
    contacts = await asyncio.gather(*(contact_for(Recipient(wa_id=NUMBER)) for _ in range(5)))

    # then
    assert len({contact.id for contact in contacts}) == 1
    assert await WhatsAppContact.filter(wa_id=NUMBER).count() == 1
    assert await WhatsAppContactIdentity.filter(value=NUMBER).count() == 1


async def test_creating_an_id_someone_holds_gives_way_and_writes_nothing(db: str) -> None:
    # given
    holder = await contact_for(Recipient(wa_id=NUMBER))

    # when
    created = await create_unknown(Identity(wa_id=NUMBER))

    # then
    assert created is None
    assert await WhatsAppContact.all().count() == 1
    assert (await WhatsAppContactIdentity.get(value=NUMBER)).contact_id == holder.id


async def test_a_send_to_an_old_number_finds_the_contact_that_had_it(db: str) -> None:
    # given: the contact moved to another number; its old one stays findable
    contact = await contact_for(Recipient(wa_id=NUMBER))
    await WhatsAppContact.filter(id=contact.id).update(wa_id="15557770002")

    # when
    found = await contact_for(Recipient(wa_id=NUMBER))

    # then
    assert found.id == contact.id
    assert await WhatsAppContact.all().count() == 1
