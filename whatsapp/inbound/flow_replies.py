"""A customer's finished Flow (`nfm_reply`): matched to its session by flow token, or not at all.

WhatsApp sends the completion message when a customer submits a Flow's last screen; its
`response_json` (a JSON string) carries the flow token and the Flow's params. The token names
the session `sendMessage` created for the Flow. What happens, decided inside the message's
transaction with that session's row locked (the endpoint locks it too for each step):

- the token names an ACTIVE session of this customer: it COMPLETES, its answers are stored
  (`context.flowState.result`, and the raw response as `context.flowResponse`) and
  `flow.completed` is emitted;
- it names a session of this customer the endpoint already completed (the handler's final
  screen): the message joins it and the raw response is kept, nothing else (the endpoint
  emitted `flow.completed`; one per session);
- anything else closes nothing, and a `flow.reply_unmatched` event says why: no readable
  response (`unreadable response_json`), no token (`no token`), a token we never issued
  (`unknown token`) or another customer's (`token of another contact`) — the message is then
  stored in the customer's ordinary conversation, as any message; a token of this customer's
  session that already received its completion (`already completed`) or was expired or
  cancelled (`session expired`, `session cancelled`) — the message joins that session,
  which stays as it is.

A copy of the same message (same wamid) is refused before any of this runs
(`customer_messages`), so a redelivery changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from tortoise.backends.base.client import BaseDBAsyncClient

from models import SessionStatus, WhatsAppContact, WhatsAppSession
from whatsapp.events.log import emit_event
from whatsapp.kit.clock import utcnow

log = logging.getLogger(__name__)

STATE = "flowState"  # the journey state's key in Session.context (whatsapp/flows/handlers.py)
RESPONSE = "flowResponse"  # the completion's raw response_json, once received
UNMATCHED = "flow.reply_unmatched"
UNREADABLE = "unreadable response_json"
NO_TOKEN = "no token"
UNKNOWN_TOKEN = "unknown token"
OTHER_CONTACT = "token of another contact"
ALREADY_COMPLETED = "already completed"


@dataclass(frozen=True, slots=True)
class FlowReply:
    """An `nfm_reply` as read off the message, before the transaction."""

    response: dict[str, Any] | None  # the response_json object; None when unreadable
    raw: Any  # response_json as received (a JSON string, per Meta)
    token: str | None

    @property
    def reported(self) -> Any:
        """What events carry as the response: the object, or the raw text it was not."""
        return self.response if self.response is not None else self.raw


@dataclass(frozen=True, slots=True)
class FlowMatch:
    """What a Flow reply belongs to: a session of the customer's (None: their ordinary
    conversation), whether it completes it, and why it matched no live session otherwise."""

    reply: FlowReply
    session: WhatsAppSession | None = None
    completes: bool = False
    reason: str | None = None


def read_flow_reply(item: Mapping[str, Any]) -> FlowReply | None:
    """The message's Flow reply, or None when it is not an `nfm_reply`.

    Meta sends `response_json` as a JSON string; an object (as some tools write it) is taken
    as it is. Anything else, or text that is not a JSON object, is unreadable.
    """
    interactive = item.get("interactive") or {}
    if item.get("type") != "interactive" or interactive.get("type") != "nfm_reply":
        return None
    raw = (interactive.get("nfm_reply") or {}).get("response_json")
    response = _parse(raw)
    token = (response or {}).get("flow_token")
    return FlowReply(
        response=response, raw=raw, token=token if isinstance(token, str) and token else None
    )


def _parse(raw: Any) -> dict[str, Any] | None:
    if isinstance(raw, dict):
        return dict(raw)
    if not isinstance(raw, str):
        return None
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError:
        log.warning("nfm_reply with unreadable response_json")
        return None
    return parsed if isinstance(parsed, dict) else None


async def match_flow_reply(
    reply: FlowReply, contact: WhatsAppContact, conn: BaseDBAsyncClient
) -> FlowMatch:
    """The session `reply` belongs to, its row locked until the transaction ends."""
    if reply.response is None:
        return FlowMatch(reply, reason=UNREADABLE)
    if reply.token is None:
        return FlowMatch(reply, reason=NO_TOKEN)
    session = (
        await WhatsAppSession.filter(flow_token=reply.token)
        .select_for_update()
        .using_db(conn)
        .first()
    )
    if session is None:
        return FlowMatch(reply, reason=UNKNOWN_TOKEN)
    if session.contact_id != contact.id:
        return FlowMatch(reply, reason=OTHER_CONTACT)
    if session.status == SessionStatus.ACTIVE:
        return FlowMatch(reply, session, completes=True)
    if session.status == SessionStatus.COMPLETED and RESPONSE not in (session.context or {}):
        return FlowMatch(reply, session)  # completed by the endpoint: this is its message
    reason = ALREADY_COMPLETED
    if session.status != SessionStatus.COMPLETED:
        reason = f"session {session.status.value.lower()}"
    return FlowMatch(reply, session, reason=reason)


async def settle_flow_reply(
    match: FlowMatch,
    session: WhatsAppSession | None,
    links: Mapping[str, Any],
    conn: BaseDBAsyncClient,
) -> None:
    """After the message is stored in `session`: complete the Flow's session, keep the answers
    of one the endpoint completed, or say why the reply matched nothing."""
    if match.reason is not None:
        await emit_event(
            UNMATCHED,
            source="webhook",
            properties={
                "flowToken": match.reply.token,
                "reason": match.reason,
                "response": match.reply.reported,
            },
            using_db=conn,
            **links,
        )
    elif match.completes and session is not None:
        await _complete(session, match.reply, links, conn)
    elif session is not None:
        await _keep_response(session, match.reply, conn)


async def _complete(
    session: WhatsAppSession, reply: FlowReply, links: Mapping[str, Any], conn: BaseDBAsyncClient
) -> None:
    """ACTIVE → COMPLETED with the answers, and `flow.completed` once: the UPDATE only applies
    to a session still ACTIVE, whatever completed it meanwhile."""
    now = utcnow()
    context = _with_response(session.context, reply, overwrite=True)
    done = (
        await WhatsAppSession.filter(id=session.id, status=SessionStatus.ACTIVE)
        .using_db(conn)
        .update(status=SessionStatus.COMPLETED, completed_at=now, context=context, updated_at=now)
    )
    if not done:
        return
    session.status, session.completed_at, session.context = SessionStatus.COMPLETED, now, context
    await emit_event(
        "flow.completed",
        source="webhook",
        properties={
            "flow": session.flow,
            "flowToken": reply.token,
            "response": reply.response,
            "via": "webhook",
        },
        using_db=conn,
        **links,
    )


async def _keep_response(
    session: WhatsAppSession, reply: FlowReply, conn: BaseDBAsyncClient
) -> None:
    """The completion message of a Flow the endpoint completed: keep its raw response (and its
    answers, if the endpoint recorded none); the session and its events stay as they are."""
    session.context = _with_response(session.context, reply, overwrite=False)
    await session.save(update_fields=["context", "updated_at"], using_db=conn)


def _with_response(
    context: Mapping[str, Any] | None, reply: FlowReply, *, overwrite: bool
) -> dict[str, Any]:
    """The context with the raw response and the answers (the response without its token)."""
    merged = dict(context or {})
    found = merged.get(STATE)
    state = dict(found) if isinstance(found, Mapping) else {}
    answers = {k: v for k, v in (reply.response or {}).items() if k != "flow_token"}
    if overwrite or state.get("result") is None:
        state["result"] = answers
    merged[STATE] = state
    merged[RESPONSE] = reply.response
    return merged
