"""Access: API keys (admin)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models import ApiKeyScope
from schema.access import ApiKeyInfo, ApiKeyPayload, CreateApiKeyPayload
from schema.fields import mutation, query
from whatsapp.access import api_keys


async def create_api_key(
    name: str,
    scope: ApiKeyScope,
    expires_at: datetime | None = strawberry.UNSET,
) -> CreateApiKeyPayload:
    row, key = await api_keys.create_api_key(name=name, scope=scope, expires_at=expires_at or None)
    return CreateApiKeyPayload(api_key=ApiKeyInfo.from_model(row), key=key)


async def revoke_api_key(prefix: str) -> ApiKeyPayload:
    return ApiKeyPayload(api_key=ApiKeyInfo.from_model(await api_keys.revoke_api_key(prefix)))


async def set_api_key_scope(prefix: str, scope: ApiKeyScope) -> ApiKeyPayload:
    row = await api_keys.set_api_key_scope(prefix, scope)
    return ApiKeyPayload(api_key=ApiKeyInfo.from_model(row))


async def api_keys_list() -> list[ApiKeyInfo]:
    return [ApiKeyInfo.from_model(row) for row in await api_keys.list_api_keys()]


@strawberry.type
class AccessQuery:
    api_keys: list[ApiKeyInfo] = query(
        api_keys_list,
        scope=ApiKeyScope.ADMIN,
        description="Every API key, revoked ones included (never the keys). Admin scope.",
    )


@strawberry.type
class AccessMutation:
    create_api_key: CreateApiKeyPayload = mutation(
        create_api_key,
        scope=ApiKeyScope.ADMIN,
        description="Create an API key, optionally expiring at `expiresAt`; the key is in the "
        "payload, once. Admin scope.",
    )
    revoke_api_key: ApiKeyPayload = mutation(
        revoke_api_key,
        scope=ApiKeyScope.ADMIN,
        description="Revoke the active key with this prefix: refused by every server process "
        "within seconds, and its open websockets closed (4401). Admin scope.",
    )
    set_api_key_scope: ApiKeyPayload = mutation(
        set_api_key_scope,
        scope=ApiKeyScope.ADMIN,
        description="Change an active key's scope (lower it to take rights away); every "
        "process and open websocket applies it within seconds. Admin scope.",
    )
