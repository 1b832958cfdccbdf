"""The per-request GraphQL context: who is calling, the core's runtime, and DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from schema.loaders import Loaders
from whatsapp.access.identity import KeyIdentity
from whatsapp.runtime import Runtime


@dataclass(slots=True)
class Context:
    request: Request | WebSocket
    response: Response | None
    runtime: Runtime
    # The authenticated key (a snapshot: id, prefix, name, scope, expiry). A websocket's is
    # replaced as its key is re-checked, so a revoke or a lowered scope reaches it.
    api_key: KeyIdentity | None
    max_upload_bytes: int
    loaders: Loaders = field(default_factory=Loaders)


Info = StrawberryInfo[Context, Any]
