"""Access: API keys (admin)."""

from __future__ import annotations

import strawberry

from models import ApiKeyScope
from schema.access import ApiKeyInfo, CreateApiKeyPayload
from schema.fields import mutation
from whatsapp.access import api_keys


async def create_api_key(name: str, scope: ApiKeyScope) -> CreateApiKeyPayload:
    row, key = await api_keys.create_api_key(name=name, scope=scope)
    return CreateApiKeyPayload(api_key=ApiKeyInfo.from_model(row), key=key)


@strawberry.type
class AccessMutation:
    create_api_key: CreateApiKeyPayload = mutation(
        create_api_key,
        scope=ApiKeyScope.ADMIN,
        description="Create an API key; the key is in the payload, once. Admin scope.",
    )
