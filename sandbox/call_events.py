"""Calls and call permissions, and the webhooks Meta sends for them (Calling API, §11.8).

Field `calls`, value `{messaging_product, metadata, contacts: [customer], calls: [...] or
statuses: [...]}`:

- a customer calls: `connect` (`direction: "USER_INITIATED"`, `from?`/`from_user_id` the
  customer, `to` the business number, `session: {sdp_type: "offer", sdp}`), later `terminate`
  with `status` (`COMPLETED`/`FAILED`) and, for a call that connected, `start_time`,
  `end_time` (strings) and `duration` (integer seconds);
- the business calls: call statuses `{id, type: "call", status: RINGING|ACCEPTED|REJECTED,
  timestamp, recipient_id?, recipient_user_id, recipient_parent_user_id?}`; on ACCEPTED also a
  `connect` (`direction: "BUSINESS_INITIATED"`, `from` the business, `to?`/`to_user_id` the
  customer, `session: {sdp_type: "answer", sdp}`), then `terminate`.

A call permission reply is a `messages` webhook: `type: "interactive"`, `interactive.type:
"call_permission_reply"`. The WebRTC media side is not simulated.
"""

from __future__ import annotations

from typing import Any

from sandbox import payloads
from sandbox.calls import (
    BUSINESS_INITIATED,
    CALL_STATUSES,
    END_STATUSES,
    USER_INITIATED,
    Call,
    CallError,
)
from sandbox.customers import Customer
from sandbox.inbound import reply_context, sender_key
from sandbox.recipients import contact_json, sender_fields
from sandbox.state import KnownMessage, Sandbox

SDP = (
    "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "a=group:BUNDLE audio\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
)
NEXT_STATUS = {"CREATED": ("RINGING",), "RINGING": ("ACCEPTED", "REJECTED")}
RESPONSES = ("accept", "reject")
RESPONSE_SOURCES = ("user_action", "automatic")
PERMISSION_TTL_S = 7 * 24 * 3600  # a temporary permission lasts 7 days


def check_plan(direction: Any, statuses: Any, end: Any, duration: Any) -> None:
    """Refuse a whole call script before any of it happens (no half-posted calls)."""
    if direction not in (USER_INITIATED, BUSINESS_INITIATED):
        raise CallError(f"direction must be {USER_INITIATED} or {BUSINESS_INITIATED}")
    if not isinstance(statuses, list) or (statuses and direction == USER_INITIATED):
        raise CallError("statuses: an array, for business-initiated calls only")
    state = "ONGOING" if direction == USER_INITIATED else "CREATED"
    for status in statuses:
        if status not in NEXT_STATUS.get(state, ()):
            raise CallError(f"a {state} call cannot become {status!r}")
        state = status
    if direction == BUSINESS_INITIATED and state == "CREATED":
        raise CallError("a business-initiated call needs at least one status (RINGING)")
    if end is None:
        return
    if end not in END_STATUSES:
        raise CallError(f"status must be one of {list(END_STATUSES)}")
    if state == "REJECTED":
        raise CallError("a rejected call has already ended")
    if end == "COMPLETED" and state not in ("ONGOING", "ACCEPTED"):
        raise CallError('the call never connected: end it with status "FAILED"')
    _check_duration(duration)


def _check_duration(duration: Any) -> None:
    if duration is not None and (
        isinstance(duration, bool) or not isinstance(duration, int) or duration < 0
    ):
        raise CallError("duration must be a non-negative integer (seconds)")


def start(sb: Sandbox, customer: Customer, pnid: str, direction: str) -> Call:
    call = Call(
        id=sb.ids.call_id(sender_key(customer), sb.display_number(pnid)),
        phone_number_id=pnid,
        customer=customer,
        direction=direction,
        created_at=sb.now(),
        status="CREATED",
    )
    return sb.calls.add(call)


def connect(sb: Sandbox, call: Call) -> dict[str, Any]:
    """The media session starts: an offer from the customer, or the answer to the business."""
    call.connected_at = sb.now()
    if call.direction == USER_INITIATED:
        call.status = "ONGOING"
    session = {"sdp_type": "offer" if call.direction == USER_INITIATED else "answer", "sdp": SDP}
    item = {**_parties(sb, call), "event": "connect", **_common(sb, call), "session": session}
    return _post(sb, call, "calls", item)


def set_status(sb: Sandbox, call: Call, status: Any) -> dict[str, Any]:
    """A business-initiated call's next status (RINGING -> ACCEPTED | REJECTED)."""
    if call.direction != BUSINESS_INITIATED:
        raise CallError("call statuses belong to business-initiated calls")
    if status not in CALL_STATUSES:
        raise CallError(f"status must be one of {list(CALL_STATUSES)}")
    if status not in NEXT_STATUS.get(call.status, ()):
        raise CallError(f"a {call.status} call cannot become {status}")
    call.status = status
    item: dict[str, Any] = {"id": call.id, "type": "call", "status": status}
    item["timestamp"] = str(int(sb.now()))
    number = call.customer.shown_number()
    if number is not None:
        item["recipient_id"] = number
    item["recipient_user_id"] = call.customer.user_id
    if call.customer.parent_user_id:
        item["recipient_parent_user_id"] = call.customer.parent_user_id
    if call.callback_data is not None:
        item["biz_opaque_callback_data"] = call.callback_data
    return _post(sb, call, "statuses", item)


def terminate(sb: Sandbox, call: Call, status: Any, duration: Any) -> dict[str, Any]:
    """The call ends: COMPLETED (it connected: with `start_time`, `end_time`, `duration`) or
    FAILED (missed, declined, dropped: no times)."""
    if call.ended:
        raise CallError(f"the call already ended ({call.status})")
    if status not in END_STATUSES:
        raise CallError(f"status must be one of {list(END_STATUSES)}")
    if status == "COMPLETED" and call.connected_at is None:
        raise CallError('the call never connected: end it with status "FAILED"')
    _check_duration(duration)
    now = sb.now()
    call.status = status
    item = {**_parties(sb, call), "event": "terminate", **_common(sb, call), "status": status}
    if status == "COMPLETED" and call.connected_at is not None:
        seconds = duration if duration is not None else int(now - call.connected_at)
        item["start_time"] = str(int(call.connected_at))
        item["end_time"] = str(int(call.connected_at) + seconds)
        item["duration"] = seconds
    return _post(sb, call, "calls", item)


def _parties(sb: Sandbox, call: Call) -> dict[str, Any]:
    """`from`/`to` and the customer's BSUIDs, on the side of the call the customer is on."""
    business = sb.display_number(call.phone_number_id)
    customer = call.customer
    if call.direction == USER_INITIATED:
        return {**sender_fields(customer), "id": call.id, "to": business}
    out: dict[str, Any] = {"from": business, "id": call.id}
    number = customer.shown_number()
    if number is not None:
        out["to"] = number
    out["to_user_id"] = customer.user_id
    if customer.parent_user_id:
        out["to_parent_user_id"] = customer.parent_user_id
    return out


def _common(sb: Sandbox, call: Call) -> dict[str, Any]:
    common: dict[str, Any] = {"timestamp": str(int(sb.now())), "direction": call.direction}
    if call.callback_data is not None:
        common["biz_opaque_callback_data"] = call.callback_data
    return common


def _post(sb: Sandbox, call: Call, key: str, item: dict[str, Any]) -> dict[str, Any]:
    pnid = call.phone_number_id
    customer = call.customer
    contact = contact_json(customer, name=customer.display_name(), number=customer.shown_number())
    value = payloads.number_value(pnid, sb.display_number(pnid), "contacts", [contact])
    value[key] = [item]
    return sb.post(payloads.envelope(sb.config.waba_id, "calls", value))


def permission_reply(
    sb: Sandbox, customer: Customer, pnid: str, body: dict[str, Any]
) -> dict[str, Any]:
    """The customer answers a call permission request: accept or reject, maybe permanently."""
    response = body.get("response")
    if response not in RESPONSES:
        raise CallError(f"response must be one of {list(RESPONSES)}")
    permanent = body.get("is_permanent", False)
    if not isinstance(permanent, bool):
        raise CallError("is_permanent must be true or false")
    source = body.get("response_source", "user_action")
    if source not in RESPONSE_SOURCES:
        raise CallError(f"response_source must be one of {list(RESPONSE_SOURCES)}")
    now = sb.now()
    reply: dict[str, Any] = {"response": response, "is_permanent": permanent}
    if response == "accept" and not permanent:
        expires = body.get("expiration_timestamp", int(now) + PERMISSION_TTL_S)
        if isinstance(expires, bool) or not isinstance(expires, int):
            raise CallError("expiration_timestamp must be unix seconds")
        reply["expiration_timestamp"] = expires
    reply["response_source"] = source
    wamid = sb.ids.wamid(sender_key(customer), inbound=True)
    message: dict[str, Any] = {**sender_fields(customer), "id": wamid}
    context = reply_context(sb, pnid, body.get("context"))
    if context is not None:
        message = {"context": context, **message}
    message.update({"timestamp": str(int(now)), "type": "interactive"})
    message["interactive"] = {"type": "call_permission_reply", "call_permission_reply": reply}
    sb.messages[wamid] = KnownMessage(pnid, customer.wa_id, inbound=True, sent_at=now)
    sb.windows.touch(pnid, customer.wa_id, now)  # a reply is a customer message: window opens
    contact = contact_json(customer, name=customer.display_name(), number=customer.shown_number())
    value = payloads.inbound_value(
        phone_number_id=pnid,
        display_number=sb.display_number(pnid),
        contact=contact,
        message=message,
    )
    payload = sb.post(payloads.envelope(sb.config.waba_id, "messages", value))
    return {"wamid": wamid, "payload": payload}
