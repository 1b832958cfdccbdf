"""The audit trail: every mutation field that runs leaves an `audit.mutation` event naming the
acting key and how it ended.

One place for all of them (a schema extension around root mutation fields), so a new mutation
is audited without a line of its own: messages, tags, mark-as-read, automations, key
management, webhook replays alike. The event says which field (and alias), which key (id,
prefix, name, scope — never the key or its digest), over which transport, and the outcome:
`ok`; `rejected` with the payload's error codes (INVALID_INPUT, NOT_FOUND, …); `refused`
(FORBIDDEN: the key lacks the scope); `failed` (an unexpected error). Arguments are not
recorded: they may hold message text or secrets.

Recording happens after the field resolved, in a transaction of its own; if it fails, the
mutation's answer is unchanged and the failure is logged.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, OperationType
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension

from whatsapp.events.log import emit_event
from whatsapp.kit.errors import WagraphError
from whatsapp.kit.outages import is_database_outage

log = logging.getLogger("wagraph.audit")

EVENT = "audit.mutation"


class AuditMutations(SchemaExtension):
    def resolve(
        self, _next: Any, root: Any, info: GraphQLResolveInfo, *args: Any, **kwargs: Any
    ) -> Any:
        # Every field passes here: anything but a root mutation field goes straight through.
        if info.path.prev is not None or info.operation.operation is not OperationType.MUTATION:
            return _next(root, info, *args, **kwargs)
        return _audited(_next, root, info, *args, **kwargs)


async def _audited(
    _next: Any, root: Any, info: GraphQLResolveInfo, *args: Any, **kwargs: Any
) -> Any:
    try:
        result = _next(root, info, *args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
    except Exception as exc:
        await _record(info, *_refusal(exc))
        raise
    errors = getattr(result, "errors", None) or []
    codes = sorted({str(getattr(e, "code", "")) for e in errors})
    await _record(info, "rejected" if errors else "ok", codes)
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
