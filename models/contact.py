"""A customer: identified by Meta's business-scoped user id (BSUID), their phone number an
optional attribute that may appear, change or disappear; every id they ever had is kept
findable, and their marketing consent is kept with its history.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index

from models.base import BaseModel, TimestampedModel
from models.enums import ConsentState, IdentityKind

if TYPE_CHECKING:
    from models.message import WhatsAppMessage


class WhatsAppContact(TimestampedModel):
    # Current ids, unique: two processes learning the same person race on these constraints.
    bsuid = fields.CharField(max_length=160, null=True, unique=True)
    parent_bsuid = fields.CharField(max_length=160, null=True)
    username = fields.CharField(max_length=128, null=True)
    wa_id = fields.CharField(max_length=32, null=True, unique=True)
    profile_name = fields.CharField(max_length=256, null=True)
    tags: fields.JSONField[list[str]] = fields.JSONField(default=list)
    last_inbound_at = fields.DatetimeField(null=True)
    marketing_consent = fields.CharEnumField(
        ConsentState, max_length=16, default=ConsentState.UNKNOWN
    )
    marketing_consent_at = fields.DatetimeField(null=True)
    marketing_consent_source = fields.CharField(max_length=32, null=True)

    class Meta:
        table = "whatsapp_contact"
        indexes = (
            Index(fields=("created_at", "id"), name="idx_contact_created"),
            Index(fields=("last_inbound_at",), name="idx_contact_last_inbound"),
        )
        # PostgreSQL also has, hand-written in migrations/postgres: a GIN index on tags
        # (containment) and trigram GIN indexes on profile_name and username (search by any
        # part). SQLite scans for those two filters.


class WhatsAppContactIdentity(BaseModel):
    """An id a contact has or had: a BSUID or a phone number, each naming one contact.

    `retired_at` is set when the contact moved on to another id (a new number, a new BSUID);
    the row stays, so the old id still finds them, until someone else is seen holding it.
    """

    contact: fields.ForeignKeyRelation[WhatsAppContact] = fields.ForeignKeyField(
        "models.WhatsAppContact", related_name="identities", on_delete=fields.CASCADE
    )
    contact_id: uuid.UUID
    kind = fields.CharEnumField(IdentityKind, max_length=8)
    value = fields.CharField(max_length=160, unique=True)
    retired_at = fields.DatetimeField(null=True)

    class Meta:
        table = "whatsapp_contact_identity"
        indexes = (Index(fields=("contact_id", "created_at"), name="idx_identity_contact"),)


class WhatsAppConsentChange(BaseModel):
    """One change of a contact's marketing consent, with when, where from and in what words.

    Sources: `user_preferences` (Meta's Stop/Resume buttons), `keyword` (the customer wrote
    STOP or START), `cloud_api` (Meta refused a send with 131050).

    `dedupe_key` makes a webhook item that is delivered twice record one change.
    """

    contact: fields.ForeignKeyRelation[WhatsAppContact] = fields.ForeignKeyField(
        "models.WhatsAppContact", related_name="consent_changes", on_delete=fields.CASCADE
    )
    contact_id: uuid.UUID
    message: fields.ForeignKeyNullableRelation[WhatsAppMessage] = fields.ForeignKeyField(
        "models.WhatsAppMessage",
        related_name="consent_changes",
        null=True,
        on_delete=fields.SET_NULL,
    )
    message_id: uuid.UUID | None
    state = fields.CharEnumField(ConsentState, max_length=16)
    source = fields.CharField(max_length=32)
    detail = fields.TextField(null=True)
    occurred_at = fields.DatetimeField()
    dedupe_key = fields.CharField(max_length=255, unique=True, null=True)

    class Meta:
        table = "whatsapp_consent_change"
        indexes = (Index(fields=("contact_id", "created_at"), name="idx_consent_contact_created"),)
