"""Resolvers for API key management (admin)."""

from __future__ import annotations

from resolvers.errors import user_errors
from schema.context import Info
from schema.enums import ApiKeyScope
from schema.payloads import ApiKeyInfo, CreateApiKeyPayload
from whatsapp.access import api_keys
from whatsapp.kit.errors import WagraphError


async def create_api_key(info: Info, name: str, scope: ApiKeyScope) -> CreateApiKeyPayload:
    try:
        row, key = await api_keys.create_api_key(name=name, scope=scope)
    except WagraphError as exc:
        return CreateApiKeyPayload(errors=user_errors(exc, prefix=()))
    info_ = ApiKeyInfo(id=str(row.id), name=row.name, prefix=row.prefix, scope=row.scope.value)
    return CreateApiKeyPayload(api_key=info_, key=key)
