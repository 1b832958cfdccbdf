"""`/_sandbox/…/calls`: customers call the business, the business calls them (Calling API).

`POST /customers/{ref}/calls` starts a call (a customer's by default; `"direction":
"BUSINESS_INITIATED"` for one the business placed) and may run it to its end in one request;
`/calls/{id}/status` and `/calls/{id}/terminate` move a call on later. A call permission reply
is `POST /customers/{ref}/call-permission`. Answers carry the webhooks posted, in order.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from sandbox import call_events
from sandbox.calls import BUSINESS_INITIATED, USER_INITIATED, Call
from sandbox.control import ControlError, control_endpoint, read_body
from sandbox.control_customers import customer_ref, pnid_of
from sandbox.state import Sandbox

START_KEYS = frozenset(
    {"direction", "statuses", "status", "duration", "phone_number_id", "biz_opaque_callback_data"}
)


def _call(request: Request, sb: Sandbox) -> Call:
    call_id = request.path_params["call_id"]
    call = sb.calls.get(call_id)
    if call is None:
        raise ControlError(f"no call {call_id!r}", 404)
    return call


def _advance(sb: Sandbox, call: Call, status: Any) -> list[Any]:
    """One business-call status; ACCEPTED also connects the media session."""
    webhooks = [call_events.set_status(sb, call, status)]
    if status == "ACCEPTED":
        webhooks.append(call_events.connect(sb, call))
    return webhooks


def _answer(call: Call, webhooks: list[Any]) -> dict[str, Any]:
    return {
        "call_id": call.id,
        "call": call.public(),
        "payload": webhooks[-1],
        "webhooks": webhooks,
    }


async def start_call(request: Request, sb: Sandbox) -> Any:
    """`{"direction"?, "statuses"?: [...], "status"?: COMPLETED|FAILED, "duration"?,
    "biz_opaque_callback_data"?}`."""
    customer = customer_ref(sb, request.path_params["ref"])
    body = await read_body(request)
    unknown = sorted(set(body) - START_KEYS)
    if unknown:
        raise ControlError(f"unknown keys {unknown}; known: {sorted(START_KEYS)}")
    direction = body.get("direction", USER_INITIATED)
    statuses = body.get("statuses", ["RINGING"] if direction == BUSINESS_INITIATED else [])
    call_events.check_plan(direction, statuses, body.get("status"), body.get("duration"))
    callback = body.get("biz_opaque_callback_data")
    if callback is not None and (direction == USER_INITIATED or not isinstance(callback, str)):
        raise ControlError("biz_opaque_callback_data: a string, for business-initiated calls")
    call = call_events.start(sb, customer, pnid_of(sb, body), direction)
    call.callback_data = callback
    webhooks: list[Any] = []
    if direction == USER_INITIATED:
        webhooks.append(call_events.connect(sb, call))
    for status in statuses:
        webhooks.extend(_advance(sb, call, status))
    if body.get("status") is not None:
        webhooks.append(call_events.terminate(sb, call, body["status"], body.get("duration")))
    return _answer(call, webhooks)


async def list_calls(request: Request, sb: Sandbox) -> Any:
    items = [c.public() for c in sb.calls.all()]
    return {"calls": items, "count": len(items)}


async def call_status(request: Request, sb: Sandbox) -> Any:
    """`{"status": "RINGING" | "ACCEPTED" | "REJECTED"}` for a business-initiated call."""
    call = _call(request, sb)
    body = await read_body(request)
    return _answer(call, _advance(sb, call, body.get("status")))


async def terminate_call(request: Request, sb: Sandbox) -> Any:
    """`{"status"?: "COMPLETED" (default) | "FAILED", "duration"?: seconds}`."""
    call = _call(request, sb)
    body = await read_body(request)
    status = body.get("status", "COMPLETED")
    return _answer(call, [call_events.terminate(sb, call, status, body.get("duration"))])


async def call_permission(request: Request, sb: Sandbox) -> Any:
    """`{"response": "accept" | "reject", "is_permanent"?, "expiration_timestamp"?,
    "response_source"?, "context"?}`: an interactive `call_permission_reply` message."""
    customer = customer_ref(sb, request.path_params["ref"])
    body = await read_body(request)
    return call_events.permission_reply(sb, customer, pnid_of(sb, body), body)


def call_routes() -> list[BaseRoute]:
    def route(path: str, handler: Any, *methods: str) -> Route:
        return Route(path, control_endpoint(handler), methods=list(methods))

    return [
        route("/customers/{ref}/calls", start_call, "POST"),
        route("/customers/{ref}/call-permission", call_permission, "POST"),
        route("/calls", list_calls, "GET"),
        # call ids are base64 and may hold "/": `path` lets an encoded one through
        route("/calls/{call_id:path}/status", call_status, "POST"),
        route("/calls/{call_id:path}/terminate", terminate_call, "POST"),
    ]
