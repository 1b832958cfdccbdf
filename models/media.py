"""Media we uploaded to Meta (ids are valid there for 30 days)."""

from __future__ import annotations

from tortoise import fields

from models.base import BaseModel


class WhatsAppMedia(BaseModel):
    meta_id = fields.CharField(max_length=64, db_index=True)
    phone_number_id = fields.CharField(max_length=32)
    kind = fields.CharField(max_length=16)
    mime_type = fields.CharField(max_length=128)
    file_name = fields.CharField(max_length=256, null=True)
    file_size = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "whatsapp_media"
