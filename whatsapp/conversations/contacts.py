"""Customers: found or created by their WhatsApp id."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models import WhatsAppContact


async def get_or_create_contact(wa_id: str, profile_name: str | None = None) -> WhatsAppContact:
    """One query in the common case; the unique wa_id settles races between processes."""
    contact = await WhatsAppContact.get_or_none(wa_id=wa_id)
    if contact is None:
        try:
            contact = await WhatsAppContact.create(wa_id=wa_id, profile_name=profile_name)
        except IntegrityError:
            contact = await WhatsAppContact.get(wa_id=wa_id)
    elif profile_name and contact.profile_name != profile_name:
        contact.profile_name = profile_name
        await contact.save(update_fields=["profile_name", "updated_at"])
    return contact
