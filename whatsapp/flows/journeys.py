"""A customer's journey through a Flow, kept on their session as it happens.

Every step the endpoint answers is written in one transaction with its events: the journey
state (`Session.context["flowState"]`, shape in `handlers.py`), the `flow.*` events the endpoint
and the handler name, and — when the handler completes the Flow — the session COMPLETED with
`flow.completed`. The session row is locked for the step, so two requests of one journey (a
WhatsApp retry racing the original) are applied one after the other, and a step for a session
that is no longer active is refused as the endpoint refuses a stale token.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from models import SessionStatus, WhatsAppSession
from whatsapp.events.log import emit_event
from whatsapp.flows.handlers import Complete, FlowStep, NextScreen, Reply, ScreenError
from whatsapp.kit.clock import as_utc, utcnow

STATE = "flowState"
HISTORY_MAX = 200  # steps kept per journey; older ones drop off (the events keep them all)
HISTORY_PAGE = 50  # steps a read returns unless it asks for more (sizes its query cost)


class StaleToken(Exception):
    """The flow token names no session that can go on (427 for WhatsApp)."""


@dataclass(frozen=True, slots=True)
class Journey:
    """The session a flow token names, checked to be able to go on."""

    session: WhatsAppSession
    state: Mapping[str, Any]


async def find(flow_token: str, *, ttl: timedelta) -> Journey:
    """The live session of a flow token; StaleToken when it is unknown, finished or expired
    (`ttl` after the token was issued)."""
    session = await WhatsAppSession.get_or_none(flow_token=flow_token)
    if session is None:
        raise StaleToken("unknown flow token")
    _check_live(session, ttl)
    return Journey(session, dict((session.context or {}).get(STATE) or {}))


def _check_live(session: WhatsAppSession, ttl: timedelta) -> None:
    if session.status != SessionStatus.ACTIVE:
        raise StaleToken(f"this flow is {session.status.value.lower()}")
    if utcnow() - as_utc(session.started_at) > ttl:
        raise StaleToken("this flow token has expired")


async def record(journey: Journey, step: FlowStep, reply: Reply, *, ttl: timedelta) -> None:
    """Write the step: the journey state, its events, and the completion if it completes."""
    at = utcnow()
    async with in_transaction() as conn:
        session = (
            await WhatsAppSession.filter(id=journey.session.id)
            .select_for_update()
            .using_db(conn)
            .get()
        )
        _check_live(session, ttl)
        state = _next_state(dict((session.context or {}).get(STATE) or {}), step, reply, at)
        session.context = {**(session.context or {}), STATE: state}
        fields = ["context", "updated_at"]
        if session.flow is None:
            session.flow = step.flow
            fields.append("flow")
        if isinstance(reply, Complete):
            session.status = SessionStatus.COMPLETED
            session.completed_at = at
            fields += ["status", "completed_at"]
        await session.save(update_fields=fields, using_db=conn)
        for name, properties in _events(step, reply):
            await emit_event(
                name,
                source="flow",
                properties={"flow": step.flow, "flowToken": step.flow_token, **properties},
                session_id=session.id,
                contact_id=session.contact_id,
                using_db=conn,
            )


def _next_state(
    state: dict[str, Any], step: FlowStep, reply: Reply, at: datetime
) -> dict[str, Any]:
    answers = dict(state.get("answers") or {})
    if step.action == "data_exchange" and step.screen:
        answers[step.screen] = dict(step.data)
    entry: dict[str, Any] = {"action": step.action, "screen": step.screen, "at": at.isoformat()}
    if step.token_signature != "absent":
        entry["tokenSignature"] = step.token_signature
    if isinstance(reply, NextScreen):
        entry["next"] = reply.screen
        state["screen"] = reply.screen
    elif isinstance(reply, ScreenError):
        entry["next"] = step.screen
        entry["error"] = reply.message
    else:
        entry["next"] = reply.screen
        state["screen"] = reply.screen
        state["result"] = dict(reply.params)
    if not state.get("startedAt"):
        state["startedAt"] = at.isoformat()
    state["answers"] = answers
    state["history"] = [*(state.get("history") or []), entry][-HISTORY_MAX:]
    return state


def _events(step: FlowStep, reply: Reply) -> list[tuple[str, Mapping[str, Any]]]:
    """The endpoint's own events around the handler's: started, each screen, errors, done."""
    events: list[tuple[str, Mapping[str, Any]]] = []
    if step.action == "INIT":
        events.append(("flow.started", {}))
    elif step.action == "data_exchange":
        events.append(("flow.screen.submitted", {"screen": step.screen, "data": dict(step.data)}))
    elif step.action == "BACK":
        events.append(("flow.screen.back", {"screen": step.screen}))
    if isinstance(reply, ScreenError):
        events.append(("flow.screen.rejected", {"screen": step.screen, "error": reply.message}))
    events.extend((name, dict(properties)) for name, properties in reply.events)
    if isinstance(reply, Complete):
        events.append(("flow.completed", {"response": dict(reply.params), "via": "endpoint"}))
    return events
