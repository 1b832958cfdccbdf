"""Sends to a group: `POST /{PNID}/messages` with `"recipient_type": "group", "to": <group id>`.

Meta's Groups API: text, media and (non-authentication) templates can be sent; interactive
messages cannot. Synchronous refusals use the Groups error codes: 131041 unknown group (or one of
another number), 131020 a group with no participant but the business, 131207 a suspended group;
an interactive or authentication message is 131051 "Unsupported message type" (the Groups pages
list them as non-supported message types and name no code of their own).

Statuses are aggregated as Meta sends them: one webhook per status type (`sent`, `delivered`,
`read`) holding one status object per participant — `recipient_type: "group"`,
`recipient_id` = the group id, `recipient_participant_id` (their number, per visibility),
`recipient_participant_user_id`, `recipient_participant_parent_user_id?` and `pricing` in a
`group_*` category —, with a `contacts[]` entry per participant on `delivered` and `read`. A
participant's message opens the window of the whole group; a free-form message outside it fails
with one `failed` status (131047).
"""

from __future__ import annotations

from typing import Any

from sandbox import payloads
from sandbox.admission import admit, content_failure
from sandbox.customers import Customer
from sandbox.errors import GraphError, webhook_error
from sandbox.groups import Group
from sandbox.recipients import contact_json
from sandbox.state import KnownMessage, Sandbox
from sandbox.statuses import LaterFailure, post_later
from sandbox.template_send import check_template
from sandbox.templates import StoredTemplate
from sandbox.validation import Outgoing

NOT_IN_GROUPS = frozenset({"interactive"})


def send_to_group(
    sb: Sandbox, pnid: str, request: Outgoing
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Accept one group send: Meta's answer and the request log's note."""
    group = _group(sb, pnid, request)
    template = _template(sb, request)
    now = sb.now()
    admit(sb, pnid, group.id, now)
    wamid = sb.ids.wamid(group.id)
    sb.messages[wamid] = KnownMessage(
        pnid, group.id, inbound=False, type=request.type, sent_at=now, group_id=group.id
    )
    window = sb.windows.current(pnid, group.id, now, sb.config.window_hours)
    failure = _failure(sb, pnid, request, group, template, window is not None)
    sb.stats_counters.message_accepted(pnid, group.id, request.type, request.callback_data)
    if failure is not None:
        sb.stats_counters.failed_later += 1
    if sb.config.webhook_url is not None:
        category = template.data["category"] if template is not None else None
        pricing = payloads.group_pricing(category, window_open=window is not None)
        _schedule(sb, pnid, group, wamid, request.callback_data, pricing, failure, now)
    message: dict[str, str] = {"id": wamid}
    if template is not None:
        message["message_status"] = "accepted"
    answer = {
        "messaging_product": "whatsapp",
        "contacts": [{"input": group.id}],
        "messages": [message],
    }
    return answer, _note(request, group, template, wamid)


def _group(sb: Sandbox, pnid: str, request: Outgoing) -> Group:
    assert request.group_id is not None
    group = sb.groups.get(request.group_id)
    if group is None or group.phone_number_id != pnid:
        raise GraphError(
            131041,
            f"Group {request.group_id} was not found: it does not exist or you are not a member",
        )
    if request.type in NOT_IN_GROUPS:
        raise GraphError(131051, f"Message type '{request.type}' is not supported in groups")
    if group.suspended:
        raise GraphError(131207, "The group violates platform policies and is suspended")
    if not group.participants:
        raise GraphError(131020, "Cannot send messages to single member groups.")
    return group


def _template(sb: Sandbox, request: Outgoing) -> StoredTemplate | None:
    if request.type != "template":
        return None
    template = check_template(
        request.payload, sb.templates, kind_of=sb.media_kind, refs=request.refs
    )
    if template.data["category"] == "AUTHENTICATION":
        raise GraphError(131051, "Authentication templates are not supported in groups")
    return template


def _failure(
    sb: Sandbox,
    pnid: str,
    request: Outgoing,
    group: Group,
    template: StoredTemplate | None,
    window_open: bool,
) -> LaterFailure | None:
    if template is None and not window_open:
        return LaterFailure(
            131047,
            "Message failed to send because more than 24 hours have passed since a participant "
            "last wrote in this group.",
        )
    return content_failure(sb, pnid, request, group.id)


def _schedule(
    sb: Sandbox,
    pnid: str,
    group: Group,
    wamid: str,
    callback: str | None,
    pricing: payloads.Pricing,
    failure: LaterFailure | None,
    now: float,
) -> None:
    """Build every status webhook now (participants as of acceptance), post them later."""
    delays = sb.config.status_delays_s
    meta = payloads.metadata(pnid, sb.display_number(pnid))
    if failure is not None:
        item = _item(wamid, group, "failed", int(now + delays[0]))
        if callback is not None:
            item["biz_opaque_callback_data"] = callback
        item["errors"] = [webhook_error(failure.code, failure.details)]
        failed = {"messaging_product": "whatsapp", "metadata": meta, "statuses": [item]}
        post_later(sb, [(delays[0], payloads.envelope(sb.config.waba_id, "messages", failed))])
        return
    plan = [("sent", delays[0]), ("delivered", delays[1])]
    if sb.config.read_receipts:
        plan.append(("read", delays[2]))
    bodies = []
    stamp = 0
    participants = list(group.participants)
    for status, delay in plan:
        stamp = max(int(now + delay), stamp + 1)
        items = [
            _participant_status(wamid, group, c, status, stamp, callback, pricing)
            for c in participants
        ]
        value: dict[str, Any] = {"messaging_product": "whatsapp", "metadata": meta}
        if status != "sent":
            value["contacts"] = [
                contact_json(c, name=c.display_name(), number=c.shown_number())
                for c in participants
            ]
        value["statuses"] = items
        bodies.append((delay, payloads.envelope(sb.config.waba_id, "messages", value)))
    post_later(sb, bodies)


def _item(wamid: str, group: Group, status: str, stamp: int) -> dict[str, Any]:
    return {
        "id": wamid,
        "status": status,
        "timestamp": str(stamp),
        "recipient_id": group.id,
        "recipient_type": "group",
    }


def _participant_status(
    wamid: str,
    group: Group,
    customer: Customer,
    status: str,
    stamp: int,
    callback: str | None,
    pricing: payloads.Pricing,
) -> dict[str, Any]:
    item = _item(wamid, group, status, stamp)
    number = customer.shown_number()
    if number is not None:
        item["recipient_participant_id"] = number
    item["recipient_participant_user_id"] = customer.user_id
    if customer.parent_user_id:
        item["recipient_participant_parent_user_id"] = customer.parent_user_id
    if callback is not None:
        item["biz_opaque_callback_data"] = callback
    item["pricing"] = pricing.as_json()
    return item


def _note(
    request: Outgoing, group: Group, template: StoredTemplate | None, wamid: str
) -> dict[str, Any]:
    return {
        "endpoint": "messages",
        "to": group.id,
        "recipient": None,
        "wa_id": None,
        "user_id": None,
        "type": request.type,
        "template": template.data["name"] if template is not None else None,
        "category": template.data["category"] if template is not None else None,
        "wamid": wamid,
        "group_id": group.id,
    }
