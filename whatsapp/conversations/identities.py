"""Who a customer is: Meta's ids for them, matched to one contact.

A contact is identified by its business-scoped user id (BSUID); its phone number (`wa_id`) is
an attribute that may appear, change or disappear. Every id a contact ever had is a row of
`whatsapp_contact_identity` (value unique), so old ids keep finding it. `identify` finds the
contact a webhook (or a send) names by BSUID, else by phone number, creates it when new,
brings it up to date, and merges two contacts that one webhook shows to be the same person.

Concurrency: everything happens in the caller's transaction. The identity rows and then the
contact rows involved are locked (`SELECT … FOR UPDATE`, contacts in creation order, so two
transactions take their locks in the same order); a new contact or a new id races on unique
constraints (`contact.bsuid`, `contact.wa_id`, `identity.value`), and the loser's transaction
fails with IntegrityError — `identity_transaction` runs it again, and it then finds what the
winner committed. SQLite serialises writers, so there the locks are not needed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import IdentityKind, WhatsAppContact, WhatsAppContactIdentity
from whatsapp.conversations.merging import merge_contacts, settle_identities
from whatsapp.events.log import emit_event
from whatsapp.kit.clock import utcnow
from whatsapp.kit.ids import from_db
from whatsapp.kit.sql import Params, dialect, fetch_models

log = logging.getLogger(__name__)

T = TypeVar("T")
ATTEMPTS = 4
# PostgreSQL's "deadlock detected" and "could not serialize": the transaction may simply rerun.
_RERUNNABLE_SQLSTATES = frozenset({"40P01", "40001"})


@dataclass(frozen=True, slots=True)
class Identity:
    """Who Meta says someone is, as one webhook item (or one send) tells it."""

    bsuid: str | None = None
    wa_id: str | None = None
    parent_bsuid: str | None = None
    username: str | None = None
    profile_name: str | None = None

    @classmethod
    def of(
        cls,
        *,
        bsuid: Any = None,
        wa_id: Any = None,
        parent_bsuid: Any = None,
        username: Any = None,
        profile_name: Any = None,
    ) -> Identity:
        """From a webhook's loose values: missing, `""` and non-strings all mean absent."""
        return cls(
            bsuid=_text(bsuid),
            wa_id=_text(wa_id),
            parent_bsuid=_text(parent_bsuid),
            username=_text(username),
            profile_name=_text(profile_name),
        )

    def __bool__(self) -> bool:
        return bool(self.bsuid or self.wa_id)

    def properties(self) -> dict[str, Any]:
        return {"bsuid": self.bsuid, "waId": self.wa_id}


def _text(value: Any) -> str | None:
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


async def identity_transaction(work: Callable[[BaseDBAsyncClient], Awaitable[T]]) -> T:
    """Run `work` in a transaction, again when it lost a race for a new contact or id."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with in_transaction() as conn:
                return await work(conn)
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
            log.debug("identity race lost (attempt %d); running again", attempt)
        except Exception as exc:
            if getattr(exc, "sqlstate", None) not in _RERUNNABLE_SQLSTATES or attempt == ATTEMPTS:
                raise
            log.info("identity transaction rolled back by the database (%s); again", exc)
    raise AssertionError("unreachable")


async def identify(who: Identity, conn: BaseDBAsyncClient, *, source: str) -> WhatsAppContact:
    """The contact `who` is, locked until the caller's transaction ends.

    Found by BSUID, else by phone number (old ids included); created when new; given what it
    lacked (its BSUID the first time Meta sends one, its number, username, parent, name).
    When the BSUID and the number belong to two contacts and the number's contact has no
    BSUID, they are one person known twice: merged into the older. When the number's contact
    has another BSUID, the number has passed to someone else: it moves to `who`.
    """
    if not who:
        raise ValueError("an identity needs a BSUID or a phone number")
    holders = await _holders(conn, who.bsuid, who.wa_id)
    by_bsuid, by_phone = holders.get(who.bsuid or ""), holders.get(who.wa_id or "")
    if by_bsuid is not None and by_bsuid.bsuid != who.bsuid:
        return by_bsuid  # a late message under an id the customer has changed since
    if by_bsuid is None and by_phone is None:
        return await _create(who, conn)
    if by_bsuid is None:
        assert by_phone is not None
        if who.bsuid is None:  # a number alone (a send, an older payload): whoever had it
            if by_phone.wa_id != who.wa_id:
                return by_phone
            return await _absorb(by_phone, who, conn, source=source)
        if by_phone.bsuid is None and by_phone.wa_id == who.wa_id:
            return await _absorb(by_phone, who, conn, source=source)  # its BSUID, at last
        await release_number(by_phone, who.wa_id, conn, source=source)
        return await _create(who, conn)  # someone else has that number now
    if by_phone is not None and by_phone.id != by_bsuid.id:
        if by_phone.bsuid is None and by_phone.wa_id == who.wa_id:
            by_bsuid = await merge_contacts([by_bsuid, by_phone], conn, source=source, cause=who)
        else:
            await release_number(by_phone, who.wa_id, conn, source=source)
    return await _absorb(by_bsuid, who, conn, source=source)


async def rekey(
    contact: WhatsAppContact,
    new: Identity,
    conn: BaseDBAsyncClient,
    *,
    event: str,
    source: str,
    properties: Mapping[str, Any] | None = None,
) -> WhatsAppContact:
    """The customer's ids changed (a new number, a new BSUID): the new ones become current,
    the old ones are retired and keep finding the contact. A contact that already holds a
    new id (a message from the new number came first) is merged, so history stays together;
    a contact of someone else holding the new number loses it.
    """
    previous = Identity(bsuid=contact.bsuid, wa_id=contact.wa_id)
    holders = {row.id: row for row in (await _holders(conn, new.bsuid, new.wa_id)).values()}
    holders.pop(contact.id, None)
    same_person = [
        row
        for row in holders.values()
        if (new.bsuid is not None and row.bsuid == new.bsuid)
        or (row.bsuid is None and new.wa_id is not None and row.wa_id == new.wa_id)
    ]
    for row in holders.values():
        if row not in same_person:
            await release_number(row, new.wa_id, conn, source=source)
    if same_person:
        contact = await merge_contacts([contact, *same_person], conn, source=source, cause=new)
    changes: dict[str, Any] = {}
    for kind, attribute in ((IdentityKind.BSUID, "bsuid"), (IdentityKind.WA_ID, "wa_id")):
        value = getattr(new, attribute)
        if value is not None and value != getattr(contact, attribute):
            changes[attribute] = value
            await claim(contact, kind, value, conn)
    if new.parent_bsuid and new.parent_bsuid != contact.parent_bsuid:
        changes["parent_bsuid"] = new.parent_bsuid
    await _save(contact, changes, conn)
    await settle_identities(contact, conn)  # the ids it had before are old ones now
    await _changed(contact, event, previous, conn, source=source, **(properties or {}))
    return contact


async def release_number(
    contact: WhatsAppContact, wa_id: str | None, conn: BaseDBAsyncClient, *, source: str
) -> None:
    """`wa_id` was seen with another person's BSUID: it is no longer this contact's number."""
    if wa_id is None or contact.wa_id != wa_id:
        return
    previous = Identity(bsuid=contact.bsuid, wa_id=wa_id)
    await _save(contact, {"wa_id": None}, conn)
    await _retire(contact, wa_id, conn)
    await _changed(
        contact,
        "contact.number_changed",
        previous,
        conn,
        source=source,
        reason="number_used_by_another_customer",
    )


async def claim(
    contact: WhatsAppContact, kind: IdentityKind, value: str, conn: BaseDBAsyncClient
) -> None:
    """Make `value` one of `contact`'s current ids (taking it from whoever held it before)."""
    moved = (
        await WhatsAppContactIdentity.filter(value=value)
        .using_db(conn)
        .update(contact_id=contact.id, retired_at=None)
    )
    if not moved:
        await WhatsAppContactIdentity.create(
            contact_id=contact.id, kind=kind, value=value, using_db=conn
        )


async def _retire(contact: WhatsAppContact, value: str, conn: BaseDBAsyncClient) -> None:
    await (
        WhatsAppContactIdentity.filter(contact_id=contact.id, value=value)
        .using_db(conn)
        .update(retired_at=utcnow())
    )


def _claimed(p: Params, values: list[str]) -> str:
    """PostgreSQL: a condition that first takes a transaction-level advisory lock on each id,
    in sorted order (an InitPlan, run once before the scan, in the same round trip).

    Row locks alone let two messages of one person deadlock: each locks the identity rows that
    exist when it starts, and one then inserts or claims an id row the other created meanwhile
    (a first BSUID beside a known number), while the other waits for a row the first holds;
    ten messages racing a merge deadlocked in 2 runs of 12, each costing a second before
    PostgreSQL noticed. Locks on the ids themselves, taken in one order, cover rows that do
    not exist yet: transactions about the same person simply queue."""
    if not p.postgres:
        return ""
    ids = p(sorted(set(values)))
    return (
        " AND (SELECT COUNT(pg_advisory_xact_lock(hashtextextended(v, 0))) "
        f"FROM unnest({ids}::text[]) AS v) >= 0"
    )


async def _holders(conn: BaseDBAsyncClient, *values: str | None) -> dict[str, WhatsAppContact]:
    """The contact holding each of these ids, locked: its current holder (the contact's own
    `bsuid` / `wa_id` columns), else whoever held it before (an identity row). Every customer
    message asks, so its two statements are written once, not built by Tortoise per call."""
    wanted = [value for value in values if value]
    if not wanted:
        return {}
    p = Params(dialect(conn))
    lock = " FOR UPDATE" if p.postgres else ""  # SQLite's one writer serialises them anyway
    held = ", ".join(p(value) for value in wanted)
    identities = await conn.execute_query_dict(
        "SELECT value, contact_id FROM whatsapp_contact_identity "
        f"WHERE value IN ({held}){_claimed(p, wanted)} ORDER BY value{lock}",
        p.values,
    )
    earlier = {row["value"]: from_db(row["contact_id"]) for row in identities}
    p = Params(dialect(conn))
    ids = ", ".join(p(contact_id) for contact_id in earlier.values())
    bsuids = ", ".join(p(value) for value in wanted)
    wa_ids = ", ".join(p(value) for value in wanted)
    by_earlier = f"id IN ({ids}) OR " if ids else ""
    contacts = await fetch_models(
        WhatsAppContact,
        f"SELECT * FROM whatsapp_contact WHERE {by_earlier}bsuid IN ({bsuids}) "
        f"OR wa_id IN ({wa_ids}) ORDER BY created_at, id{lock}",
        p.values,
        conn,
    )
    by_id = {contact.id: contact for contact in contacts}
    current = {contact.bsuid: contact for contact in contacts if contact.bsuid}
    current.update({contact.wa_id: contact for contact in contacts if contact.wa_id})
    found: dict[str, WhatsAppContact] = {}
    for value in wanted:
        holder = current.get(value) or by_id.get(earlier.get(value))  # type: ignore[arg-type]
        if holder is not None:
            found[value] = holder
    return found


async def create_unknown(who: Identity) -> WhatsAppContact | None:
    """A contact for ids nobody holds or held, in one short transaction (a send to a new
    customer, the hot path): no locks and no look-ups, since the caller just found none.

    None when a concurrent writer took one of the ids meanwhile (the unique values refuse the
    insert): the caller then goes through `identify`, which finds that writer's contact.
    """
    try:
        async with in_transaction() as conn:
            contact = await _insert_contact(who, conn)
            await WhatsAppContactIdentity.bulk_create(
                [
                    WhatsAppContactIdentity(contact_id=contact.id, kind=kind, value=value)
                    for kind, value in (
                        (IdentityKind.BSUID, who.bsuid),
                        (IdentityKind.WA_ID, who.wa_id),
                    )
                    if value
                ],
                using_db=conn,
            )
    except IntegrityError:
        return None
    return contact


async def _insert_contact(who: Identity, conn: BaseDBAsyncClient) -> WhatsAppContact:
    return await WhatsAppContact.create(
        bsuid=who.bsuid,
        wa_id=who.wa_id,
        parent_bsuid=who.parent_bsuid,
        username=who.username,
        profile_name=who.profile_name,
        using_db=conn,
    )


async def _create(who: Identity, conn: BaseDBAsyncClient) -> WhatsAppContact:
    contact = await _insert_contact(who, conn)
    if who.bsuid:
        await claim(contact, IdentityKind.BSUID, who.bsuid, conn)
    if who.wa_id:
        await claim(contact, IdentityKind.WA_ID, who.wa_id, conn)
    return contact


async def _absorb(
    contact: WhatsAppContact, who: Identity, conn: BaseDBAsyncClient, *, source: str
) -> WhatsAppContact:
    """What `who` adds to the contact: its BSUID the first time, a number seen with its own
    BSUID (appeared, or changed without a system message), a new username, parent or name."""
    changes: dict[str, Any] = {}
    if who.bsuid and contact.bsuid is None:
        changes["bsuid"] = who.bsuid
        await claim(contact, IdentityKind.BSUID, who.bsuid, conn)
    previous = Identity(bsuid=contact.bsuid, wa_id=contact.wa_id)
    if who.bsuid and who.wa_id and who.wa_id != contact.wa_id:
        if contact.wa_id is not None:
            await _retire(contact, contact.wa_id, conn)
        changes["wa_id"] = who.wa_id
        await claim(contact, IdentityKind.WA_ID, who.wa_id, conn)
    for attribute in ("parent_bsuid", "username", "profile_name"):
        value = getattr(who, attribute)
        if value and value != getattr(contact, attribute):
            changes[attribute] = value
    await _save(contact, changes, conn)
    if previous.wa_id is not None and "wa_id" in changes:
        await _changed(contact, "contact.number_changed", previous, conn, source=source)
    return contact


async def _changed(
    contact: WhatsAppContact,
    event: str,
    previous: Identity,
    conn: BaseDBAsyncClient,
    *,
    source: str,
    **properties: Any,
) -> None:
    await emit_event(
        event,
        source=source,
        properties={
            "previous": previous.properties(),
            "current": {"bsuid": contact.bsuid, "waId": contact.wa_id},
            **properties,
        },
        contact_id=contact.id,
        using_db=conn,
    )


async def _save(contact: WhatsAppContact, changes: dict[str, Any], conn: BaseDBAsyncClient) -> None:
    if not changes:
        return
    contact.update_from_dict(changes)
    await contact.save(update_fields=[*changes, "updated_at"], using_db=conn)
