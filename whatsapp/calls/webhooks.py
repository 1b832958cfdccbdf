"""Meta's call webhooks read into facts (`records.CallFact`) and applied.

Three shapes (reference §11.8): `calls[]` items (`connect` with an SDP offer, `terminate` with
status, start/end times and duration) in a `calls` or a `messages` change; a status with
`type: "call"` (RINGING, ACCEPTED, REJECTED of a business-initiated call); and a customer's
answer to a call-permission request, an interactive message (stored as a message by the
normal inbound path first). A missing id, event or timestamp, or a value of the wrong type,
raises: the dispatcher sets the item aside as a dead letter.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from models import CallKind, MessageDirection
from whatsapp.calls.records import PERMISSION_REPLY, STATUS, TERMINATE, CallFact, apply_fact
from whatsapp.conversations.identities import Identity
from whatsapp.inbound import people
from whatsapp.inbound.items import WebhookItem
from whatsapp.kit.phone import wa_id_digits
from whatsapp.messages.statuses import meta_time

PERMISSION_REPLY_TYPE = "call_permission_reply"
DIRECTIONS = {
    "USER_INITIATED": MessageDirection.INBOUND,
    "BUSINESS_INITIATED": MessageDirection.OUTBOUND,
}
RESPONSES = {"accept": "ACCEPTED", "reject": "REJECTED"}


def is_permission_reply(message: Mapping[str, Any]) -> bool:
    """An interactive message answering a call-permission request."""
    interactive = message.get("interactive")
    return (
        message.get("type") == "interactive"
        and isinstance(interactive, Mapping)
        and interactive.get("type") == PERMISSION_REPLY_TYPE
    )


def is_call_status(status: Mapping[str, Any]) -> bool:
    """A status about a business-initiated call, not about a message."""
    return status.get("type") == "call"


async def apply_call(item: WebhookItem) -> str:
    """A `calls[]` item: connect, terminate, or an event Meta adds later (kept in the call's
    history with its words, as a `call.updated` event)."""
    body = _object(item)
    call_id, event, stamp = _text(body["id"]), _text(body["event"]).lower(), body["timestamp"]
    direction = _direction(body.get("direction"))
    fact = CallFact(
        meta_id=call_id,
        kind=CallKind.CALL,
        event=event,
        key=f"call:{call_id}:{event}:{stamp}",
        at=meta_time(stamp),
        who=_customer(body, item, direction),
        phone_number_id=item.phone_number_id or None,
        direction=direction,
        status=_upper(body.get("status")) if event == TERMINATE else None,
        start_time=_optional_time(body.get("start_time")),
        end_time=_optional_time(body.get("end_time")),
        duration=_duration(body.get("duration")),
        said=_without_sdp(body),
    )
    return "calls" if await apply_fact(fact) else "duplicates"


async def apply_call_status(item: WebhookItem) -> str:
    """A status of a business-initiated call (RINGING, ACCEPTED, REJECTED)."""
    body = _object(item)
    call_id, stamp = _text(body["id"]), body["timestamp"]
    status = _upper(body["status"])
    fact = CallFact(
        meta_id=call_id,
        kind=CallKind.CALL,
        event=STATUS,
        key=f"call:{call_id}:status:{status}:{stamp}",
        at=meta_time(stamp),
        who=people.recipient(body, item.contacts),
        phone_number_id=item.phone_number_id or None,
        direction=MessageDirection.OUTBOUND,  # Meta reports these for the business's calls
        status=status,
        said=dict(body),
    )
    return "calls" if await apply_fact(fact) else "duplicates"


async def apply_permission_reply(item: WebhookItem) -> str:
    """The customer accepted or refused to be called (for a while, or for good)."""
    body = _object(item)
    wamid, stamp = _text(body["id"]), body["timestamp"]
    reply = body["interactive"][PERMISSION_REPLY_TYPE]
    if not isinstance(reply, Mapping):
        raise TypeError("call_permission_reply is not an object")
    response = _text(reply["response"]).lower()
    expires = reply.get("expiration_timestamp")
    fact = CallFact(
        meta_id=wamid,
        kind=CallKind.PERMISSION_REPLY,
        event=PERMISSION_REPLY,
        key=f"permission:{wamid}",
        at=meta_time(stamp),
        who=people.sender(body, item.contacts),
        phone_number_id=item.phone_number_id or None,
        direction=MessageDirection.INBOUND,
        status=RESPONSES.get(response, response.upper()),
        said=dict(reply),
        extra={
            "response": response,
            "expires_at": None if expires is None else meta_time(expires),
            "permanent": _flag(reply.get("is_permanent")),
            "source": reply.get("response_source"),
        },
    )
    return "calls" if await apply_fact(fact) else "duplicates"


def _customer(
    body: Mapping[str, Any], item: WebhookItem, direction: MessageDirection | None
) -> Identity:
    """The customer's side of the call: whichever of `from` / `to` is not our number (the
    caller of a user-initiated call, the callee of a business-initiated one)."""
    caller = {
        "from": body.get("from"),
        "from_user_id": body.get("from_user_id"),
        "from_parent_user_id": body.get("from_parent_user_id"),
    }
    callee = {
        "from": body.get("to"),
        "from_user_id": body.get("to_user_id"),
        "from_parent_user_id": body.get("to_parent_user_id"),
    }
    ours = wa_id_digits(item.display_phone_number)
    if ours is not None and wa_id_digits(body.get("from")) == ours:
        side = callee
    elif ours is not None and wa_id_digits(body.get("to")) == ours:
        side = caller
    else:
        side = callee if direction == MessageDirection.OUTBOUND else caller
    return people.sender(side, item.contacts)


def _object(item: WebhookItem) -> Mapping[str, Any]:
    if not isinstance(item.body, Mapping):
        raise TypeError(f"a {item.kind} item is not an object: {type(item.body).__name__}")
    return item.body


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty string, got {value!r}")
    return value.strip()


def _upper(value: Any) -> str:
    return _text(value).upper()


def _direction(value: Any) -> MessageDirection | None:
    if value is None:
        return None
    return DIRECTIONS.get(_upper(value))


def _optional_time(value: Any) -> datetime | None:
    return None if value in (None, "") else meta_time(value)


def _duration(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError("duration is a boolean")
    seconds = int(value)
    if seconds < 0:
        raise ValueError(f"a negative call duration: {seconds}")
    return seconds


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _without_sdp(body: Mapping[str, Any]) -> dict[str, Any]:
    """Meta's words without the SDP body (large, and media plumbing, not a record)."""
    said = dict(body)
    session = said.get("session")
    if isinstance(session, Mapping):
        said["session"] = {key: value for key, value in session.items() if key != "sdp"}
    return said
