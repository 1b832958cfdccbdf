"""The audit trail: every mutation field that runs leaves an `audit.mutation` event naming the
acting key and how it ended.

One place for all of them (a field extension every root mutation gets from
`schema.fields.mutation`, outermost, so it sees the scope check's refusals too), so a new
mutation is audited without a line of its own: messages, tags, mark-as-read, automations, key
management, webhook replays alike. The event says which field (and alias), which key (id,
prefix, name, scope — never the key or its digest), over which transport, and the outcome:
`ok`; `rejected` with the payload's error codes (INVALID_INPUT, NOT_FOUND, …); `refused`
(FORBIDDEN: the key lacks the scope); `failed` (an unexpected error). Arguments are not
recorded: they may hold message text or secrets.

Recording happens after the field resolved, in a transaction of its own; if it fails, the
mutation's answer is unchanged and the failure is logged. (It was a schema extension's
`resolve` hook, which graphql-core then ran around every field of every request — a nested
page's thousands of fields each paid for a check that only root mutations pass.)
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo
from starlette.websockets import WebSocket
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from whatsapp.events.log import emit_event
from whatsapp.kit.errors import WagraphError
from whatsapp.kit.outages import is_database_outage

log = logging.getLogger("wagraph.audit")

EVENT = "audit.mutation"


class AuditedMutation(FieldExtension):
    """Records the mutation it wraps, however it ends (see the module docstring)."""

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        raw = info._raw_info
        try:
            result = await next_(source, info, **kwargs)
        except Exception as exc:
            await _record(raw, *_refusal(exc))
            raise
        errors = getattr(result, "errors", None) or []
        codes = sorted({str(getattr(e, "code", "")) for e in errors})
        await _record(raw, "rejected" if errors else "ok", codes)
        return result


def _refusal(exc: Exception) -> tuple[str, list[str]]:
    if isinstance(exc, WagraphError):
        return "rejected", sorted({p.code.value for p in exc.problems})
    if isinstance(exc, GraphQLError):
        code = str((exc.extensions or {}).get("code") or "GRAPHQL_ERROR")
        return ("refused" if code == "FORBIDDEN" else "rejected"), [code]
    return "failed", ["INTERNAL_SERVER_ERROR"]


async def _record(info: GraphQLResolveInfo, outcome: str, codes: list[str]) -> None:
    context = info.context
    key = getattr(context, "api_key", None)
    alias = info.path.key
    properties: dict[str, Any] = {
        "field": info.field_name,
        "key": key.describe() if key is not None else None,
        "outcome": outcome,
        "codes": codes,
        "transport": "websocket" if isinstance(context.request, WebSocket) else "http",
    }
    if alias != info.field_name:
        properties["alias"] = alias
    if info.operation.name is not None:
        properties["operation"] = info.operation.name.value
    try:
        await emit_event(EVENT, source="api", properties=properties)
    except Exception as exc:
        if not is_database_outage(exc):
            who = key and key.prefix
            log.exception("audit event for %s by %s not recorded", info.field_name, who)
        # else: the request answers 503 and the outage is reported once, not per request
