"""`/_sandbox/customers/*`: create and configure simulated users, and make them act.

`{ref}` in a path is a number (digits; an unknown one becomes a customer), a BSUID, a parent
BSUID or a username (`@pablomorales`, or without the `@`). Bodies and answers are plain JSON;
errors are `{"error": "..."}`: 400 (including `CustomerError`), 404 for an unknown BSUID or
username (or a wamid that is not in the customer's chat). Customers write, edit and delete
messages, and change identity or consent here; their calls are in `control_calls`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from sandbox import customer_events, edits
from sandbox.control import ControlError, control_endpoint, read_body
from sandbox.customers import Customer, configure
from sandbox.graph import ORJSONResponse
from sandbox.inbound import InboundError, UnknownCustomer, customer_for, phone_number_id, receive
from sandbox.state import Sandbox


def customer_ref(sb: Sandbox, ref: Any) -> Customer:
    """The customer a control body or path names (404 for an unknown BSUID or username)."""
    if not isinstance(ref, str) or not ref:
        raise ControlError("a customer reference (number, BSUID or username) is required")
    try:
        return customer_for(sb, ref)
    except UnknownCustomer as exc:
        raise ControlError(str(exc), 404) from exc
    except InboundError as exc:
        raise ControlError(str(exc)) from exc


def _customer(request: Request, sb: Sandbox) -> Customer:
    return customer_ref(sb, request.path_params["ref"])


def pnid_of(sb: Sandbox, body: dict[str, Any]) -> str:
    """The business number a control body names (`phone_number_id`, default the first)."""
    try:
        return phone_number_id(sb, body)
    except InboundError as exc:
        raise ControlError(str(exc)) from exc


async def list_customers(request: Request, sb: Sandbox) -> Any:
    items = [c.public() for c in sb.customers.all()]
    return {"customers": items, "count": len(items)}


async def create_customer(request: Request, sb: Sandbox) -> Any:
    """Create, or update by `wa_id`: `{wa_id, user_id?, parent_user_id?, username?, ...}`."""
    body = await read_body(request)
    wa_id = body.get("wa_id")
    existed = isinstance(wa_id, str) and sb.customers.by_wa_id(wa_id) is not None
    customer = configure(sb.customers, body)
    return ORJSONResponse(customer.public(), status_code=200 if existed else 201)


async def get_customer(request: Request, sb: Sandbox) -> Any:
    return _customer(request, sb).public()


async def patch_customer(request: Request, sb: Sandbox) -> Any:
    customer = _customer(request, sb)
    return configure(sb.customers, await read_body(request), customer).public()


async def customer_message(request: Request, sb: Sandbox) -> Any:
    """The customer writes in (every §7.4 type): `{wamid, payload}`."""
    body = await read_body(request)
    try:
        return receive(sb, request.path_params["ref"], body)
    except UnknownCustomer as exc:
        raise ControlError(str(exc), 404) from exc
    except InboundError as exc:
        raise ControlError(str(exc)) from exc


async def marketing_preference(request: Request, sb: Sandbox) -> Any:
    """`{"value": "stop" | "resume"}`: a `user_preferences` webhook."""
    customer = _customer(request, sb)
    body = await read_body(request)
    return customer_events.marketing_preference(sb, customer, body.get("value"), pnid_of(sb, body))


async def change_number(request: Request, sb: Sandbox) -> Any:
    """`{"wa_id": new, "user_id"?, "parent_user_id"?}`: a new number and a new BSUID."""
    customer = _customer(request, sb)
    body = await read_body(request)
    return customer_events.change_number(sb, customer, body, pnid_of(sb, body))


async def change_user_id(request: Request, sb: Sandbox) -> Any:
    """`{"user_id"?, "parent_user_id"?}`: a new BSUID, same number."""
    customer = _customer(request, sb)
    body = await read_body(request)
    return customer_events.change_user_id(sb, customer, body, pnid_of(sb, body))


async def change_identity(request: Request, sb: Sandbox) -> Any:
    """`{}`: the customer's security code changed (`customer_identity_changed`)."""
    customer = _customer(request, sb)
    body = await read_body(request)
    return customer_events.change_identity(sb, customer, pnid_of(sb, body))


async def edit_message(request: Request, sb: Sandbox) -> Any:
    """`{"text": …}` or `{"caption": …}`: the customer edits their message (within 15 min)."""
    customer = _customer(request, sb)
    body = await read_body(request)
    try:
        return edits.edit(sb, customer, request.path_params["wamid"], body)
    except edits.UnknownMessage as exc:
        raise ControlError(str(exc), 404) from exc


async def revoke_message(request: Request, sb: Sandbox) -> Any:
    """The customer deletes their message for everyone (within two days)."""
    customer = _customer(request, sb)
    await read_body(request)
    try:
        return edits.revoke(sb, customer, request.path_params["wamid"])
    except edits.UnknownMessage as exc:
        raise ControlError(str(exc), 404) from exc


def customer_routes() -> list[BaseRoute]:
    def route(path: str, handler: Any, *methods: str) -> Route:
        return Route(path, control_endpoint(handler), methods=list(methods))

    return [
        route("/customers", list_customers, "GET"),
        route("/customers", create_customer, "POST"),
        route("/customers/{ref}", get_customer, "GET"),
        route("/customers/{ref}", patch_customer, "PATCH"),
        route("/customers/{ref}/messages", customer_message, "POST"),
        # wamids are base64 and may hold "/": `path` lets an encoded one through
        route("/customers/{ref}/messages/{wamid:path}/edit", edit_message, "POST"),
        route("/customers/{ref}/messages/{wamid:path}/revoke", revoke_message, "POST"),
        route("/customers/{ref}/marketing-preference", marketing_preference, "POST"),
        route("/customers/{ref}/change-number", change_number, "POST"),
        route("/customers/{ref}/change-user-id", change_user_id, "POST"),
        route("/customers/{ref}/change-identity", change_identity, "POST"),
    ]
