"""Resolvers for API key management (admin)."""

from __future__ import annotations

from schema.context import Info
from schema.enums import ApiKeyScope
from schema.errors import UserError
from schema.payloads import ApiKeyInfo, CreateApiKeyPayload
from whatsapp import api_keys
from whatsapp.errors import ErrorCode


async def create_api_key(info: Info, name: str, scope: ApiKeyScope) -> CreateApiKeyPayload:
    if not name.strip() or len(name) > 128:
        return CreateApiKeyPayload(
            errors=[
                UserError(
                    code=ErrorCode.INVALID_INPUT,
                    message="name must be 1-128 characters",
                    field=["name"],
                )
            ]
        )
    row, key = await api_keys.create_api_key(name=name.strip(), scope=scope)
    info_ = ApiKeyInfo(id=str(row.id), name=row.name, prefix=row.prefix, scope=row.scope.value)
    return CreateApiKeyPayload(api_key=info_, key=key)
