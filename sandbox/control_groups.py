"""`/_sandbox/groups/*`: create groups and make things happen in them (Groups API webhooks).

Each answer carries the webhook posted (`payload`), or all of them in order (`webhooks`), and
the group as the sandbox now knows it. Participants are named like customers elsewhere:
number, BSUID, parent BSUID or username. Errors: 404 for an unknown group or customer, 400 for
anything Meta would refuse (more than 8 participants, a non-participant writing, …).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from sandbox import group_events
from sandbox.control import ControlError, control_endpoint, read_body
from sandbox.control_customers import customer_ref, pnid_of
from sandbox.customers import Customer
from sandbox.graph import ORJSONResponse
from sandbox.groups import Group
from sandbox.state import Sandbox


def _group(request: Request, sb: Sandbox) -> Group:
    group_id = request.path_params["group_id"]
    group = sb.groups.get(group_id)
    if group is None:
        raise ControlError(f"no group {group_id!r}", 404)
    return group


def _customers(sb: Sandbox, refs: Any, key: str) -> list[Customer]:
    if not isinstance(refs, list):
        raise ControlError(f"{key} must be an array of customer references")
    return [customer_ref(sb, ref) for ref in refs]


async def list_groups(request: Request, sb: Sandbox) -> Any:
    items = [g.public() for g in sb.groups.all()]
    return {"groups": items, "count": len(items)}


async def create_group(request: Request, sb: Sandbox) -> Any:
    """`{"subject", "description"?, "participants"?: [refs], "phone_number_id"?}`:
    `group_lifecycle_update` (group_create), then `group_participants_update` when
    participants join at once."""
    body = await read_body(request)
    pnid = pnid_of(sb, body)
    joining = _customers(sb, body.get("participants", []), "participants")
    if joining:
        group_events.check_joining(joining)
    group, created = group_events.create(sb, pnid, body.get("subject"), body.get("description"))
    webhooks = [created]
    if joining:
        webhooks.append(group_events.add_participants(sb, group, joining))
    answer = {"group": group.public(), "payload": created, "webhooks": webhooks}
    return ORJSONResponse(answer, status_code=201)


async def get_group(request: Request, sb: Sandbox) -> Any:
    return _group(request, sb).public()


async def update_group(request: Request, sb: Sandbox) -> Any:
    """`{"subject"?, "description"?}`: `group_settings_update`."""
    group = _group(request, sb)
    body = await read_body(request)
    payload = group_events.update_settings(sb, group, body.get("subject"), body.get("description"))
    return {"group": group.public(), "payload": payload}


async def delete_group(request: Request, sb: Sandbox) -> Any:
    """`group_lifecycle_update` (group_delete); later sends to it fail with 131041."""
    group = _group(request, sb)
    return {"payload": group_events.delete(sb, group)}


async def participants(request: Request, sb: Sandbox) -> Any:
    """`{"add": [refs]}` (joined by invite link) or `{"remove": [refs], "initiated_by"?:
    "business" | "participant"}`: `group_participants_update`."""
    group = _group(request, sb)
    body = await read_body(request)
    if ("add" in body) == ("remove" in body):
        raise ControlError('give either "add" or "remove"')
    if "add" in body:
        joining = _customers(sb, body["add"], "add")
        payload = group_events.add_participants(sb, group, joining)
    else:
        leaving = _customers(sb, body["remove"], "remove")
        initiated_by = body.get("initiated_by", "business")
        payload = group_events.remove_participants(sb, group, leaving, initiated_by)
    return {"group": group.public(), "payload": payload}


async def group_status(request: Request, sb: Sandbox) -> Any:
    """`{"type": "group_suspend" | "group_suspend_cleared"}`: `group_status_update`."""
    group = _group(request, sb)
    body = await read_body(request)
    payload = group_events.set_status(sb, group, body.get("type", "group_suspend"))
    return {"group": group.public(), "payload": payload}


async def group_message(request: Request, sb: Sandbox) -> Any:
    """`{"from": ref, "type", "<type>": {…}}` (as `/customers/{ref}/messages`): a participant
    writes in the group — a `messages` webhook with `group_id`."""
    group = _group(request, sb)
    body = await read_body(request)
    sender = customer_ref(sb, body.get("from"))
    content = {k: v for k, v in body.items() if k != "from"}
    return group_events.participant_writes(sb, group, sender, content)


def group_routes() -> list[BaseRoute]:
    def route(path: str, handler: Any, *methods: str) -> Route:
        return Route(path, control_endpoint(handler), methods=list(methods))

    return [
        route("/groups", list_groups, "GET"),
        route("/groups", create_group, "POST"),
        route("/groups/{group_id}", get_group, "GET"),
        route("/groups/{group_id}", update_group, "PATCH"),
        route("/groups/{group_id}", delete_group, "DELETE"),
        route("/groups/{group_id}/participants", participants, "POST"),
        route("/groups/{group_id}/status", group_status, "POST"),
        route("/groups/{group_id}/messages", group_message, "POST"),
    ]
