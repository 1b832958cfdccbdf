"""Call records: each thing Meta says about a call (a fact) folded into one row, with its event.

Meta's call webhooks arrive in any order and any number of times: a terminate may come before
its connect, a RINGING after the ACCEPTED. So a row is never patched field by field; it is
recomputed from its whole `history` (`summarise`), which makes the record the same whatever
order the facts came in. Each fact has a key in Meta's terms (the call id, the event and its
time); its event's id is derived from that key and written in the transaction that updates the
row, so a second copy of a fact finds the event already there and changes nothing, and two
copies racing in two processes collide on the event's primary key (the loser reruns and finds
the winner's work).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models import (
    CallKind,
    MessageDirection,
    WhatsAppAnalyticsEvent,
    WhatsAppCall,
    WhatsAppContact,
    WhatsAppMessage,
)
from whatsapp.conversations.identities import Identity, identify, identity_transaction
from whatsapp.events.log import emit_events
from whatsapp.kit.clock import utcnow

# Names the ids of call events (derived from the fact's key).
_NAMESPACE = uuid.UUID("2f6c1d8e-93a4-4b57-8e0f-6a1c7d2b9e45")

CONNECT, TERMINATE, STATUS, PERMISSION_REPLY = "connect", "terminate", "status", "permission_reply"
EVENT_NAMES = {
    CONNECT: "call.connected",
    TERMINATE: "call.ended",
    STATUS: "call.status",
    PERMISSION_REPLY: "call.permission_replied",
}
OTHER_EVENT = "call.updated"  # a call event Meta may add later: kept, not dropped
CONNECTED = "CONNECTED"
# How far along a call a status says it is: a later word never loses to an earlier one that
# arrives after it. A terminate's status (COMPLETED, FAILED) is Meta's last word on a call.
_RANK = {"RINGING": 1, "ACCEPTED": 2, CONNECTED: 3, "REJECTED": 4}
_FINAL = 5


@dataclass(frozen=True, slots=True)
class CallFact:
    """One thing Meta said about a call (or a permission reply), read from its webhook."""

    meta_id: str
    kind: CallKind
    event: str  # connect, terminate, status, permission_reply, or another word of Meta's
    key: str  # the fact's identity in Meta's terms: the same fact always has the same key
    at: datetime
    who: Identity
    phone_number_id: str | None = None
    direction: MessageDirection | None = None
    status: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: int | None = None
    said: Mapping[str, Any] = field(default_factory=dict)  # Meta's object, SDP bodies left out
    extra: Mapping[str, Any] = field(default_factory=dict)  # what the event carries besides

    def entry(self) -> dict[str, Any]:
        """The fact as a history entry (what `summarise` reads back)."""
        return {
            "key": self.key,
            "event": self.event,
            "at": self.at.isoformat(),
            "direction": self.direction.value if self.direction else None,
            "status": self.status,
            "startTime": _iso(self.start_time),
            "endTime": _iso(self.end_time),
            "duration": self.duration,
            "said": dict(self.said),
        }


def event_id(key: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, key)


async def apply_fact(fact: CallFact) -> bool:
    """Fold one fact into its call record and record its event; False for a copy of a fact
    already applied (nothing changes)."""
    ident = event_id(fact.key)

    async def apply(conn: BaseDBAsyncClient) -> bool:
        if await WhatsAppAnalyticsEvent.filter(id=ident).using_db(conn).exists():
            return False
        contact = await identify(fact.who, conn, source="webhook") if fact.who else None
        call = await _record(fact, contact, conn)
        links = await _message_links(fact, conn)
        event = WhatsAppAnalyticsEvent(
            id=ident,
            created_at=utcnow(),
            name=EVENT_NAMES.get(fact.event, OTHER_EVENT),
            source="webhook",
            properties=_properties(fact, call),
            contact_id=call.contact_id,
            **links,
        )
        await emit_events([event], using_db=conn)
        return True

    return await identity_transaction(apply)


async def _record(
    fact: CallFact, contact: WhatsAppContact | None, conn: BaseDBAsyncClient
) -> WhatsAppCall:
    """The call's row with this fact folded in (created by the first fact heard of)."""
    call = (
        await WhatsAppCall.filter(meta_id=fact.meta_id).select_for_update().using_db(conn).first()
    )
    if call is None:
        call = WhatsAppCall(
            meta_id=fact.meta_id,
            kind=fact.kind,
            direction=fact.direction or MessageDirection.INBOUND,
            status=fact.status or fact.event.upper(),
            history=[],
        )
    call.history = [*(call.history or []), fact.entry()]
    call.phone_number_id = call.phone_number_id or fact.phone_number_id
    if contact is not None and call.contact_id is None:
        call.contact_id = contact.id
    call.customer_wa_id = call.customer_wa_id or fact.who.wa_id
    call.customer_bsuid = call.customer_bsuid or fact.who.bsuid
    if fact.kind == CallKind.PERMISSION_REPLY:
        call.status = fact.status or call.status
        call.started_at = fact.at
        call.permission_expires_at = fact.extra.get("expires_at")
        call.permanent_permission = fact.extra.get("permanent")
    else:
        call.update_from_dict(summarise(call.history))
    await call.save(using_db=conn)
    return call


def summarise(history: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A call's state from everything Meta said about it, whatever order it came in.

    status: the furthest word (a terminate's status is final; among equals the latest).
    started_at: the earliest time the call was heard of. connected_at: the connect, else the
    terminate's start time (when it was picked up). ended_at: the terminate's end time (its
    own time when it has none), else a rejection. duration: Meta's, else end minus start.
    """
    entries = list(history)
    if not entries:
        return {}
    facts = sorted(entries, key=lambda e: (_rank(e), _time(e["at"])))
    summary: dict[str, Any] = {"status": _status(facts[-1])}
    directions = [e["direction"] for e in entries if e.get("direction")]
    if directions:
        summary["direction"] = MessageDirection(directions[0])
    terminate = _latest(entries, TERMINATE)
    connect = _earliest(entries, CONNECT)
    start = _time(terminate["startTime"]) if terminate and terminate.get("startTime") else None
    end = _time(terminate["endTime"]) if terminate and terminate.get("endTime") else None
    starts = [_time(e["at"]) for e in entries if e["event"] != TERMINATE]
    starts += [start] if start else []
    summary["started_at"] = min(starts) if starts else min(_time(e["at"]) for e in entries)
    summary["connected_at"] = _time(connect["at"]) if connect else start
    rejected = [_time(e["at"]) for e in entries if e.get("status") == "REJECTED"]
    if terminate is not None:
        summary["ended_at"] = end or _time(terminate["at"])
    else:
        summary["ended_at"] = min(rejected, default=None)
    duration = terminate.get("duration") if terminate else None
    if duration is None and start and end:
        duration = max(0, int((end - start).total_seconds()))
    summary["duration_seconds"] = duration
    return summary


def _rank(entry: Mapping[str, Any]) -> int:
    if entry["event"] == TERMINATE:
        return _FINAL
    if entry["event"] == CONNECT:
        return _RANK[CONNECTED]
    return _RANK.get(str(entry.get("status")), 0)


def _status(entry: Mapping[str, Any]) -> str:
    if entry["event"] == CONNECT:
        return CONNECTED
    return str(entry.get("status") or entry["event"]).upper()


def _latest(entries: Sequence[Mapping[str, Any]], event: str) -> Mapping[str, Any] | None:
    found = [e for e in entries if e["event"] == event]
    return max(found, key=lambda e: _time(e["at"])) if found else None


def _earliest(entries: Sequence[Mapping[str, Any]], event: str) -> Mapping[str, Any] | None:
    found = [e for e in entries if e["event"] == event]
    return min(found, key=lambda e: _time(e["at"])) if found else None


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def _message_links(fact: CallFact, conn: BaseDBAsyncClient) -> dict[str, Any]:
    """A permission reply's event points at the stored reply message and its session."""
    if fact.kind != CallKind.PERMISSION_REPLY:
        return {}
    found = (
        await WhatsAppMessage.filter(wamid=fact.meta_id)
        .using_db(conn)
        .values_list("id", "session_id")
    )
    if not found:
        return {}
    message_id, session_id = found[0]
    return {"message_id": message_id, "session_id": session_id}


def _properties(fact: CallFact, call: WhatsAppCall) -> dict[str, Any]:
    common: dict[str, Any] = {
        "callId": call.meta_id,
        "direction": call.direction.value,
        "phoneNumberId": call.phone_number_id,
        "waId": fact.who.wa_id,
        "bsuid": fact.who.bsuid,
        "at": fact.at.isoformat(),
    }
    if fact.event == TERMINATE:
        return {
            **common,
            "status": fact.status,
            "durationSeconds": call.duration_seconds,
            "connectedAt": _iso(call.connected_at),
            "endedAt": _iso(call.ended_at),
        }
    if fact.event == STATUS:
        return {**common, "status": fact.status}
    if fact.event == PERMISSION_REPLY:
        expires = fact.extra.get("expires_at")
        return {
            **common,
            "wamid": call.meta_id,
            "status": fact.status,
            "response": fact.extra.get("response"),
            "expiresAt": _iso(expires) if isinstance(expires, datetime) else None,
            "permanent": fact.extra.get("permanent"),
            "responseSource": fact.extra.get("source"),
        }
    if fact.event == CONNECT:
        return common
    return {**common, "event": fact.event, "said": dict(fact.said)}
