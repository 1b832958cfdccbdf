"""Every message we sent, scheduled or received, with the exact Graph API payload."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index

from models.base import TimestampedModel
from models.enums import MessageDirection, MessageOrigin, MessageStatus, MessageType

if TYPE_CHECKING:
    from models.contact import WhatsAppContact
    from models.group import WhatsAppGroup
    from models.session import WhatsAppSession
    from models.template import WhatsAppTemplate


class WhatsAppMessage(TimestampedModel):
    direction = fields.CharEnumField(MessageDirection, max_length=8)
    type = fields.CharEnumField(MessageType, max_length=24)
    status = fields.CharEnumField(MessageStatus, max_length=16)
    phone_number_id = fields.CharField(max_length=32)
    # Who it was for or from, as given (a send's `to`, a webhook's `from`): a phone number
    # and/or a business-scoped user id. The contact is the person, whatever ids they use.
    customer_wa_id = fields.CharField(max_length=32, null=True)
    customer_bsuid = fields.CharField(max_length=160, null=True)
    wamid = fields.CharField(max_length=191, unique=True, null=True)
    contact: fields.ForeignKeyNullableRelation[WhatsAppContact] = fields.ForeignKeyField(
        "models.WhatsAppContact", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    contact_id: uuid.UUID | None
    session: fields.ForeignKeyNullableRelation[WhatsAppSession] = fields.ForeignKeyField(
        "models.WhatsAppSession", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    session_id: uuid.UUID | None
    template: fields.ForeignKeyNullableRelation[WhatsAppTemplate] = fields.ForeignKeyField(
        "models.WhatsAppTemplate", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    template_id: uuid.UUID | None
    template_name = fields.CharField(max_length=512, null=True)
    template_language = fields.CharField(max_length=16, null=True)
    reply_to: fields.ForeignKeyNullableRelation[WhatsAppMessage] = fields.ForeignKeyField(
        "models.WhatsAppMessage", related_name="replies", null=True, on_delete=fields.SET_NULL
    )
    reply_to_id: uuid.UUID | None
    reply_to_wamid = fields.CharField(max_length=191, null=True)
    text = fields.TextField(null=True)
    content: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    metadata: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    payload: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    error_code = fields.IntField(null=True)
    error_title = fields.CharField(max_length=512, null=True)
    error_details = fields.TextField(null=True)
    scheduled_for = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    read_at = fields.DatetimeField(null=True)
    failed_at = fields.DatetimeField(null=True)
    received_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    lease_expires_at = fields.DatetimeField(null=True)
    idempotency_key = fields.CharField(max_length=128, unique=True, null=True)
    request_hash = fields.CharField(max_length=64, null=True)
    conversation: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    pricing: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    # A group message: the group it was sent to or in (the contact is then the participant).
    group: fields.ForeignKeyNullableRelation[WhatsAppGroup] = fields.ForeignKeyField(
        "models.WhatsAppGroup", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    group_id: uuid.UUID | None
    # Outbound only: written through wagraph (API) or in the WhatsApp Business app (an echo).
    origin = fields.CharEnumField(MessageOrigin, max_length=16, null=True)
    # A customer's edit replaces the text and content; what it replaced is kept in `revisions`
    # ([{"text", "content", "replacedAt", "editWamid"}], oldest first). A revoke sets deleted_at.
    edited_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)
    revisions: fields.JSONField[list[dict[str, Any]] | None] = fields.JSONField(null=True)

    class Meta:
        table = "whatsapp_message"
        indexes = (
            Index(fields=("status", "scheduled_for"), name="idx_message_status_scheduled"),
            # Due work: SCHEDULED rows by when they are next due (first time or retry), and
            # SENDING rows by lease expiry for crash recovery.
            Index(fields=("status", "next_attempt_at"), name="idx_message_status_due"),
            Index(fields=("status", "lease_expires_at"), name="idx_message_status_lease"),
            Index(fields=("created_at", "id"), name="idx_message_created"),
            Index(fields=("customer_wa_id", "created_at"), name="idx_message_customer_created"),
            Index(fields=("customer_bsuid", "created_at"), name="idx_message_bsuid_created"),
            Index(fields=("contact_id", "created_at"), name="idx_message_contact_created"),
            Index(fields=("session_id", "created_at"), name="idx_message_session_created"),
            Index(fields=("status", "created_at"), name="idx_message_status_created"),
            Index(fields=("group_id", "created_at"), name="idx_message_group_created"),
            # The messages list's other filters, each with the page's order.
            Index(fields=("type", "created_at"), name="idx_message_type_created"),
            Index(fields=("direction", "created_at"), name="idx_message_direction_created"),
            Index(fields=("phone_number_id", "created_at"), name="idx_message_number_created"),
            Index(fields=("template_name", "created_at"), name="idx_message_template_created"),
            # The 24-hour service window: the customer's last message to one business number.
            Index(
                fields=("contact_id", "phone_number_id", "direction", "received_at"),
                name="idx_message_contact_window",
            ),
        )
