"""Customers: found by any id they have or had (a BSUID first, else a number), created when a
send names a new one. Webhooks go through `identities.identify`, which also completes,
re-keys and merges them."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from models import WhatsAppContact
from whatsapp.conversations.identities import (
    Identity,
    create_unknown,
    identify,
    identity_transaction,
)
from whatsapp.kit.recipients import Recipient
from whatsapp.kit.sql import Params, dialect, fetch_models


async def find_contact(
    *, bsuid: str | None = None, wa_id: str | None = None, using_db: BaseDBAsyncClient | None = None
) -> WhatsAppContact | None:
    """The contact holding this BSUID, else this number: its current holder (one query),
    else whoever had it before (a second one)."""
    for column, value in (("bsuid", bsuid), ("wa_id", wa_id)):
        if not value:
            continue
        current = await _current_holder(column, value, using_db)
        if current is not None:
            return current
        earlier = await WhatsAppContact.filter(identities__value=value).using_db(using_db).first()
        if earlier is not None:
            return earlier
    return None


async def _current_holder(
    column: str, value: str, using_db: BaseDBAsyncClient | None
) -> WhatsAppContact | None:
    """The contact whose `column` (bsuid or wa_id: a fixed name, never input) is `value`:
    every send asks, so its SQL is written once (`fetch_models`)."""
    p = Params(dialect(using_db))
    sql = f"SELECT * FROM whatsapp_contact WHERE {column} = {p(value)} LIMIT 1"
    found = await fetch_models(WhatsAppContact, sql, p.values, using_db)
    return found[0] if found else None


async def contact_for(recipient: Recipient, *, source: str = "api") -> WhatsAppContact:
    """The contact a send goes to: the one holding that id, or a new one (races settled by
    the unique ids, see `identities`)."""
    found = await find_contact(bsuid=recipient.bsuid, wa_id=recipient.wa_id)
    if found is not None:
        return found
    who = Identity(bsuid=recipient.bsuid, wa_id=recipient.wa_id)
    if (created := await create_unknown(who)) is not None:
        return created
    return await identity_transaction(lambda conn: identify(who, conn, source=source))


async def get_or_create_contact(wa_id: str, profile_name: str | None = None) -> WhatsAppContact:
    """By phone number (the form tests and scripts use), with its profile name when given."""
    who = Identity(wa_id=wa_id, profile_name=profile_name)
    return await identity_transaction(lambda conn: identify(who, conn, source="api"))
