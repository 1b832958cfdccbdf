"""API keys: only a SHA-256 of the key is stored; the key itself is shown once."""

from __future__ import annotations

from tortoise import fields

from models.base import BaseModel
from models.enums import ApiKeyScope


class ApiKey(BaseModel):
    name = fields.CharField(max_length=128)
    prefix = fields.CharField(max_length=16)
    key_hash = fields.CharField(max_length=64, unique=True)
    scope = fields.CharEnumField(ApiKeyScope, max_length=8)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    # Refused from this moment on, like a revoked key; null = never expires.
    expires_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key"
