"""Scope checks: read < write < admin. A missing or bad key never gets this far (HTTP 401)."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from models import ApiKeyScope


class _ScopePermission(BasePermission):
    needed: ApiKeyScope = ApiKeyScope.READ
    error_extensions = {"code": "FORBIDDEN"}

    @property
    def message(self) -> str:  # type: ignore[override]
        return f"This API key lacks the {self.needed.value} scope"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        key = info.context.api_key
        return key is not None and key.allows(self.needed)


class CanRead(_ScopePermission):
    needed = ApiKeyScope.READ


class CanWrite(_ScopePermission):
    needed = ApiKeyScope.WRITE


class IsAdmin(_ScopePermission):
    needed = ApiKeyScope.ADMIN


NEEDS: dict[ApiKeyScope, type[BasePermission]] = {
    ApiKeyScope.READ: CanRead,
    ApiKeyScope.WRITE: CanWrite,
    ApiKeyScope.ADMIN: IsAdmin,
}
"""The permission class that lets a scope (or a wider one) through."""
