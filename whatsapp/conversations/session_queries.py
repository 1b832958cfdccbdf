"""Reading sessions back: by id, filtered lists (most recently updated first), and a Flow
session's journey state as a dashboard reads it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from models import SessionStatus, WhatsAppContact, WhatsAppSession
from whatsapp.conversations.contact_queries import in_window, matching, tagged
from whatsapp.conversations.contacts import find_contact
from whatsapp.kit.clock import as_utc, utcnow
from whatsapp.kit.errors import invalid
from whatsapp.kit.paging import Count, Page, capped_counts, keyset_page, keyset_pages
from whatsapp.kit.phone import wa_id_digits
from whatsapp.kit.rows import without


def lean_or_whole(rows: QuerySet[WhatsAppSession], lean: bool) -> QuerySet[WhatsAppSession]:
    """`lean`: every column but `context`, the session's JSON document (a Flow's whole
    journey), for a page that shows neither it nor the Flow state; the rows then lack it."""
    return without(rows, ("context",)) if lean else rows


@dataclass(frozen=True, slots=True)
class SessionQuery:
    statuses: Sequence[SessionStatus] = ()
    contact_wa_id: str | None = None
    contact_id: uuid.UUID | None = None
    tag: str | None = None
    window_open: bool | None = None
    updated_since: datetime | None = None
    flow: str | None = None
    phone_number_id: str | None = None
    search: str | None = None


async def get_session(session_id: str) -> WhatsAppSession | None:
    """By our id; anything else simply matches nothing."""
    try:
        key = uuid.UUID(session_id)
    except ValueError:
        return None
    return await WhatsAppSession.get_or_none(id=key)


async def list_sessions(
    query: SessionQuery,
    *,
    first: int | None = None,
    after: str | None = None,
    now: datetime | None = None,
    lean: bool = False,
) -> Page[WhatsAppSession]:
    """A page of sessions matching `query`, most recently updated first (the seed's
    `getWhatsAppSessions()`, for session timelines in a dashboard).

    Faces: GraphQL `sessions(filter, first, after)`, each with its `timeline`.
    """
    rows = lean_or_whole(WhatsAppSession.all(), lean)
    if query.statuses:
        rows = rows.filter(status__in=list(query.statuses))
    if query.contact_wa_id is not None:
        digits = wa_id_digits(query.contact_wa_id)
        if digits is None:
            raise invalid("Not a WhatsApp id (a phone number)", "filter", "contactWaId")
        contact = await find_contact(wa_id=digits)  # old numbers find them too
        rows = rows.filter(contact_id__in=[contact.id] if contact else [])
    if query.contact_id is not None:
        rows = rows.filter(contact_id=query.contact_id)
    if query.tag is not None:
        rows = rows.filter(tagged(query.tag, "filter", "tag"))
    if query.window_open is not None:
        rows = rows.filter(in_window(query.window_open, now or utcnow()))
    if query.updated_since is not None:
        rows = rows.filter(updated_at__gte=as_utc(query.updated_since))
    if query.flow is not None:
        rows = rows.filter(flow=query.flow)
    if query.phone_number_id is not None:
        rows = rows.filter(phone_number_id=query.phone_number_id)
    if query.search:
        # One statement: the contacts the search finds (their indexes) as a subquery.
        found = WhatsAppContact.filter(matching(query.search)).values("id")
        rows = rows.filter(contact_id__in=Subquery(found))
    return await recently_updated_page(rows, first=first, after=after)


@dataclass(frozen=True, slots=True)
class FlowSessionQuery:
    flow: str | None = None
    statuses: Sequence[SessionStatus] = ()
    since: datetime | None = None  # updated at or after


async def list_flow_sessions(
    query: FlowSessionQuery, *, first: int | None = None, after: str | None = None
) -> Page[WhatsAppSession]:
    """A page of the sessions that run a Flow, most recently updated first: who is where in
    a Flow (each row carries its journey state, so reading every node's screen costs no
    further query).

    Faces: GraphQL `flowSessions(filter, first, after)`.
    """
    rows = WhatsAppSession.filter(flow__not_isnull=True)
    if query.flow is not None:
        rows = rows.filter(flow=query.flow)
    if query.statuses:
        rows = rows.filter(status__in=list(query.statuses))
    if query.since is not None:
        rows = rows.filter(updated_at__gte=as_utc(query.since))
    return await recently_updated_page(rows, first=first, after=after)


async def recently_updated_page(
    query: QuerySet[Any], *, first: int | None, after: str | None
) -> Page[Any]:
    """Keyset over (updated_at, id), newest first: what a dashboard of live sessions wants.

    A session updated while a client pages moves to the front: it is not repeated on a later
    page, and a walk that started before the update may miss it until the next refresh.
    """
    return await keyset_page(query, first=first, after=after, stamp="updated_at")


async def sessions_of_contacts(
    keys: Sequence[uuid.UUID], *, first: int | None, after: str | None, lean: bool = False
) -> dict[uuid.UUID, Page[WhatsAppSession]]:
    """The same page of sessions (most recently updated first) of each contact, in one
    statement whatever the number of contacts.

    Faces: GraphQL `Contact.sessions` (through a DataLoader).
    """
    rows = lean_or_whole(WhatsAppSession.all(), lean)
    return await keyset_pages(
        rows, "contact_id", keys, first=first, after=after, stamp="updated_at"
    )


async def session_counts(keys: Sequence[uuid.UUID]) -> dict[uuid.UUID, Count]:
    """How many sessions each contact has (capped; one statement)."""
    return await capped_counts(WhatsAppSession.all(), "contact_id", keys)


# -- a Flow session's journey state --------------------------------------------------------------
# Written by the Flow endpoint (whatsapp/flows/journeys.py) and the completion webhook
# (whatsapp/inbound/flow_replies.py) under Session.context["flowState"]; a send's session hint
# can merge anything into the context, so it is read without trusting its shape.


@dataclass(frozen=True, slots=True)
class FlowStepRecord:
    """One request of the journey: the action, the screen it came from and the one shown next."""

    action: str  # INIT, data_exchange or BACK
    screen: str | None  # null for INIT
    next: str | None
    error: str | None  # the validation message shown, when the handler refused the screen
    at: datetime | None


@dataclass(frozen=True, slots=True)
class FlowState:
    screen: str | None  # where the customer is now (null: the Flow was not opened yet)
    answers: Mapping[str, Any] = field(default_factory=dict)  # by screen
    history: Sequence[FlowStepRecord] = ()
    result: Any = None  # the completion's answers
    started_at: datetime | None = None  # the journey's first step
    completed_at: datetime | None = None


def flow_state(session: WhatsAppSession) -> FlowState | None:
    """The journey state of a session that runs a Flow; None for any other session."""
    context = session.context if isinstance(session.context, Mapping) else {}
    if session.flow is None and "flowState" not in context:
        return None
    state = context.get("flowState")
    if not isinstance(state, Mapping):
        state = {}
    answers = state.get("answers")
    history = state.get("history")
    return FlowState(
        screen=_text(state.get("screen")),
        answers=answers if isinstance(answers, Mapping) else {},
        history=_steps(history),
        result=state.get("result"),
        started_at=_moment(state.get("startedAt")),
        completed_at=session.completed_at,
    )


def _steps(history: Any) -> list[FlowStepRecord]:
    """The recorded steps, oldest first; an entry that names no action is no step."""
    if not isinstance(history, list):
        return []
    return [
        _step(entry)
        for entry in history
        if isinstance(entry, Mapping) and isinstance(entry.get("action"), str)
    ]


def _step(entry: Mapping[str, Any]) -> FlowStepRecord:
    return FlowStepRecord(
        action=str(entry["action"]),
        screen=_text(entry.get("screen")),
        next=_text(entry.get("next")),
        error=_text(entry.get("error")),
        at=_moment(entry.get("at")),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        return None
