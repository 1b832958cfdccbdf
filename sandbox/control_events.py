"""`/_sandbox/…`: events that are not a customer's doing — the business writing from the
WhatsApp Business app, account and phone-number events, template changes upstream, and any raw
change for fields wagraph does not know.

Each answer carries what was posted: `payload` (and `webhooks` when one request posts several,
one per template language). Errors are `{"error": …}`: 404 unknown customer or template, 400
for a body the sandbox cannot turn into Meta's webhook.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from sandbox import account_events, echoes, payloads, template_events
from sandbox.control import ControlError, control_endpoint, read_body, template_targets
from sandbox.control_customers import customer_ref, pnid_of
from sandbox.state import Sandbox


async def business_app_message(request: Request, sb: Sandbox) -> Any:
    """`{"to": ref, "type", "<type>": {…}, "phone_number_id"?}`: `smb_message_echoes`."""
    body = await read_body(request)
    customer = customer_ref(sb, body.get("to"))
    content = {k: v for k, v in body.items() if k != "to"}
    return echoes.echo(sb, customer, content)


async def account_event(request: Request, sb: Sandbox) -> Any:
    """`{"field": F, …keys of its value}`: account and phone-number fields (WABA level)."""
    body = await read_body(request)
    return account_events.post(sb, pnid_of(sb, body), body)


async def template_status(request: Request, sb: Sandbox) -> Any:
    """`{"event", "reason"?, "disable_info"?, "other_info"?, "rejection_info"?, "language"?}`."""
    body = await read_body(request)
    targets = template_targets(sb, request.path_params["name"], body.get("language"))
    webhooks = template_events.status_update(sb, targets, body)
    return _answer(sb, request.path_params["name"], body.get("language"), webhooks)


async def template_components(request: Request, sb: Sandbox) -> Any:
    """`{"body"?, "header"?, "footer"?, "buttons"?, "language"?}`: the template is edited."""
    body = await read_body(request)
    targets = template_targets(sb, request.path_params["name"], body.get("language"))
    webhooks = template_events.components_update(sb, targets, body)
    return _answer(sb, request.path_params["name"], body.get("language"), webhooks)


def _answer(sb: Sandbox, name: str, language: Any, webhooks: list[Any]) -> dict[str, Any]:
    templates = [t.data for t in template_targets(sb, name, language)]
    return {"templates": templates, "payload": webhooks[0], "webhooks": webhooks}


async def raw_webhook(request: Request, sb: Sandbox) -> Any:
    """`{"field", "value", "time"?}`: exactly that change, signed — for fields wagraph does not
    know (or malformed items: dead-letter demos)."""
    body = await read_body(request)
    field = body.get("field")
    if not isinstance(field, str) or not field:
        raise ControlError("field (a non-empty string) is required")
    if "value" not in body:
        raise ControlError("value (any JSON) is required")
    unknown = sorted(set(body) - {"field", "value", "time"})
    if unknown:
        raise ControlError(f"unknown keys {unknown}; known: ['field', 'time', 'value']")
    time = body.get("time")
    if time is not None and (isinstance(time, bool) or not isinstance(time, int)):
        raise ControlError("time must be unix seconds")
    payload = payloads.envelope(sb.config.waba_id, field, body["value"], time=time)
    return {"payload": sb.post(payload)}


def event_routes() -> list[BaseRoute]:
    def route(path: str, handler: Any, *methods: str) -> Route:
        return Route(path, control_endpoint(handler), methods=list(methods))

    return [
        route("/business-app/messages", business_app_message, "POST"),
        route("/account/events", account_event, "POST"),
        route("/templates/{name}/status", template_status, "POST"),
        route("/templates/{name}/components", template_components, "POST"),
        route("/webhooks/raw", raw_webhook, "POST"),
    ]
