"""The one way to declare a root field: `query(...)` or `mutation(...)`.

Each domain's `Query`/`Mutation` part (in `resolvers/<domain>.py`) is a list of these, so the
scope a field needs, its description and (for mutations) errors-as-data are never forgotten.
Fields of object types are plain `strawberry.field(description=...)` attributes or methods:
they are reached through a root field, whose scope already let the caller in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry

from models import ApiKeyScope
from schema.audit import AuditedMutation
from schema.errors import ErrorsAsData
from schema.permissions import NEEDS
from schema.validation import CheckedArguments


def query(
    resolver: Callable[..., Any], *, description: str, scope: ApiKeyScope = ApiKeyScope.READ
) -> Any:
    """A read: the key needs `scope` (read by default); its arguments are checked first
    (`schema.validation`)."""
    return strawberry.field(
        resolver=resolver,
        description=description,
        permission_classes=[NEEDS[scope]],
        extensions=[CheckedArguments(lookup=True)],
    )


def mutation(
    resolver: Callable[..., Any], *, description: str, scope: ApiKeyScope = ApiKeyScope.WRITE
) -> Any:
    """A change: the key needs `scope` (write by default); a `WagraphError` the resolver lets
    through becomes the payload's `errors` (`schema.errors.ErrorsAsData`), the refusals of
    the argument checks (`schema.validation`) included. Field extensions wrap from last to
    first, and the permission check is added last: scope, then errors-as-data, then checks.
    The audit trail (`schema.audit`) goes around them all, so a refused call is recorded too."""
    field = strawberry.mutation(
        resolver=resolver,
        description=description,
        permission_classes=[NEEDS[scope]],
        extensions=[CheckedArguments(lookup=False), ErrorsAsData()],
    )
    field.extensions.append(AuditedMutation())
    return field
