"""Shared model pieces: UUID keys and UTC timestamps."""

from __future__ import annotations

import uuid

from tortoise import fields
from tortoise.models import Model


class BaseModel(Model):
    """UUID primary keys let us create rows in bulk and reference them before they are saved."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        abstract = True


class TimestampedModel(BaseModel):
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True
