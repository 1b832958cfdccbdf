"""`/_sandbox/customers/*`: create and configure simulated users, and make them act.

`{ref}` in a path is a number (digits; an unknown one becomes a customer), a BSUID, a parent
BSUID or a username (`@pablomorales`, or without the `@`). Bodies and answers are plain JSON;
errors are `{"error": "..."}`: 400 (including `CustomerError`), 404 for an unknown BSUID or
username.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from sandbox import customer_events
from sandbox.control import ControlError, control_endpoint, read_body
from sandbox.customers import Customer, configure
from sandbox.graph import ORJSONResponse
from sandbox.inbound import InboundError, UnknownCustomer, customer_for, phone_number_id, receive
from sandbox.state import Sandbox


def _customer(request: Request, sb: Sandbox) -> Customer:
    try:
        return customer_for(sb, request.path_params["ref"])
    except UnknownCustomer as exc:
        raise ControlError(str(exc), 404) from exc
    except InboundError as exc:
        raise ControlError(str(exc)) from exc


def _pnid(sb: Sandbox, body: dict[str, Any]) -> str:
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
    return customer_events.marketing_preference(sb, customer, body.get("value"), _pnid(sb, body))


async def change_number(request: Request, sb: Sandbox) -> Any:
    """`{"wa_id": new, "user_id"?, "parent_user_id"?}`: a new number and a new BSUID."""
    customer = _customer(request, sb)
    body = await read_body(request)
    return customer_events.change_number(sb, customer, body, _pnid(sb, body))


async def change_user_id(request: Request, sb: Sandbox) -> Any:
    """`{"user_id"?, "parent_user_id"?}`: a new BSUID, same number."""
    customer = _customer(request, sb)
    body = await read_body(request)
    return customer_events.change_user_id(sb, customer, body, _pnid(sb, body))


async def change_identity(request: Request, sb: Sandbox) -> Any:
    """`{}`: the customer's security code changed (`customer_identity_changed`)."""
    customer = _customer(request, sb)
    body = await read_body(request)
    return customer_events.change_identity(sb, customer, _pnid(sb, body))


def customer_routes() -> list[BaseRoute]:
    def route(path: str, handler: Any, *methods: str) -> Route:
        return Route(path, control_endpoint(handler), methods=list(methods))

    return [
        route("/customers", list_customers, "GET"),
        route("/customers", create_customer, "POST"),
        route("/customers/{ref}", get_customer, "GET"),
        route("/customers/{ref}", patch_customer, "PATCH"),
        route("/customers/{ref}/messages", customer_message, "POST"),
        route("/customers/{ref}/marketing-preference", marketing_preference, "POST"),
        route("/customers/{ref}/change-number", change_number, "POST"),
        route("/customers/{ref}/change-user-id", change_user_id, "POST"),
        route("/customers/{ref}/change-identity", change_identity, "POST"),
    ]
