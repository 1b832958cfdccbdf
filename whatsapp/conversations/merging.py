"""Two contacts found to be one person: everything moves to the older one, in one transaction.

The caller holds both rows locked (`identities.identify` / `rekey`), so nothing can attach to
the younger contact while its messages, sessions, events, automation runs, ids and consent
history move; it is deleted before the older one takes over its ids, because those are unique.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from tortoise.backends.base.client import BaseDBAsyncClient

from models import (
    WhatsAppAnalyticsEvent,
    WhatsAppAutomationRun,
    WhatsAppConsentChange,
    WhatsAppContact,
    WhatsAppContactIdentity,
    WhatsAppMessage,
    WhatsAppSession,
)
from whatsapp.events.log import emit_event
from whatsapp.kit.clock import utcnow

# Everything that points at a contact.
_OWNED = (
    WhatsAppMessage,
    WhatsAppSession,
    WhatsAppAnalyticsEvent,
    WhatsAppAutomationRun,
    WhatsAppContactIdentity,
    WhatsAppConsentChange,
)
_KEPT_IF_MISSING = ("bsuid", "wa_id", "parent_bsuid", "username", "profile_name")


class _Cause(Protocol):
    def properties(self) -> dict[str, Any]: ...


async def merge_contacts(
    contacts: Sequence[WhatsAppContact],
    conn: BaseDBAsyncClient,
    *,
    source: str,
    cause: _Cause,
) -> WhatsAppContact:
    """Merge `contacts` (locked by the caller) into the oldest; returns it."""
    keeper, *others = sorted(contacts, key=lambda row: (row.created_at, str(row.id)))
    for other in others:
        for model in _OWNED:
            await model.filter(contact_id=other.id).using_db(conn).update(contact_id=keeper.id)
        changes = _takeover(keeper, other)
        await other.delete(using_db=conn)
        if changes:
            keeper.update_from_dict(changes)
            await keeper.save(update_fields=[*changes, "updated_at"], using_db=conn)
        await settle_identities(keeper, conn)
        await emit_event(
            "contact.merged",
            source=source,
            properties={
                "mergedContactId": str(other.id),
                "merged": {"bsuid": other.bsuid, "waId": other.wa_id},
                "current": {"bsuid": keeper.bsuid, "waId": keeper.wa_id},
                "seenTogether": cause.properties(),
            },
            contact_id=keeper.id,
            using_db=conn,
        )
    return keeper


async def settle_identities(contact: WhatsAppContact, conn: BaseDBAsyncClient) -> None:
    """Only the contact's current BSUID and number are current ids; the rest are old ones."""
    current = [value for value in (contact.bsuid, contact.wa_id) if value]
    await (
        WhatsAppContactIdentity.filter(contact_id=contact.id, retired_at__isnull=True)
        .exclude(value__in=current)
        .using_db(conn)
        .update(retired_at=utcnow())
    )


def _takeover(keeper: WhatsAppContact, other: WhatsAppContact) -> dict[str, Any]:
    """What the keeper takes from the merged contact: ids and names it lacks, the union of
    tags, the later of the last messages, and the more recent consent."""
    changes: dict[str, Any] = {
        name: getattr(other, name)
        for name in _KEPT_IF_MISSING
        if getattr(keeper, name) is None and getattr(other, name) is not None
    }
    tags = sorted(set(keeper.tags or []) | set(other.tags or []))
    if tags != list(keeper.tags or []):
        changes["tags"] = tags
    if other.last_inbound_at and (
        keeper.last_inbound_at is None or other.last_inbound_at > keeper.last_inbound_at
    ):
        changes["last_inbound_at"] = other.last_inbound_at
    if other.marketing_consent_at and (
        keeper.marketing_consent_at is None
        or other.marketing_consent_at > keeper.marketing_consent_at
    ):
        changes.update(
            marketing_consent=other.marketing_consent,
            marketing_consent_at=other.marketing_consent_at,
            marketing_consent_source=other.marketing_consent_source,
        )
    return changes
