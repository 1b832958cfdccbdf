"""Sessions: customer journeys that messages and events attach to."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from models import SessionStatus, WhatsAppContact, WhatsAppSession
from whatsapp.conversations.windows import SERVICE_WINDOW
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, WagraphError, invalid
from whatsapp.kit.sql import Params, dialect, fetch_models


@dataclass(frozen=True, slots=True)
class SessionHint:
    """What a send says about the session it belongs to (the seed's "session hints")."""

    id: uuid.UUID | None = None
    flow_token: str | None = None
    tags: Sequence[str] = ()
    context: Mapping[str, Any] | None = None


def new_flow_token() -> str:
    return f"wg-{secrets.token_urlsafe(18)}"


async def resolve_session(
    hint: SessionHint | None,
    *,
    contact: WhatsAppContact,
    phone_number_id: str,
    flow: str | None = None,
    flow_token: str | None = None,
) -> WhatsAppSession | None:
    """The session a send belongs to: the hinted one, the flow token's (started if new), or
    the customer's live conversation on this number; then the hint's tags and context."""
    token = (hint.flow_token if hint else None) or flow_token
    session: WhatsAppSession | None = None
    if hint and hint.id:
        session = await WhatsAppSession.get_or_none(id=hint.id)
        if session is None:
            raise WagraphError.of(ErrorCode.NOT_FOUND, "No session with that id", ("session", "id"))
    elif token:
        session = await _session_for_token(token, contact, phone_number_id, flow)
    else:
        session = await active_session(contact.id, phone_number_id)
    if session is None:
        return None
    if session.contact_id not in (None, contact.id):
        raise invalid("That session belongs to another contact", "session", "id")
    await _apply_hint(session, hint)
    return session


async def active_session(
    contact_id: uuid.UUID,
    phone_number_id: str,
    *,
    at: datetime | None = None,
    ordinary: bool = False,
    using_db: BaseDBAsyncClient | None = None,
) -> WhatsAppSession | None:
    """The conversation a message without hints joins: the customer's live session on this
    number, touched within the 24-hour window before `at` (now); `ordinary` leaves out Flow
    sessions (those with a flow token). Every send and every customer message asks, so its
    SQL is written once (`fetch_models`)."""
    p = Params(dialect(using_db))
    since = (at or utcnow()) - SERVICE_WINDOW
    sql = (
        f"SELECT * FROM whatsapp_session WHERE contact_id = {p(contact_id)} "
        f"AND phone_number_id = {p(phone_number_id)} "
        f"AND status = {p(SessionStatus.ACTIVE.value)} AND updated_at >= {p(since)}"
        + (" AND flow_token IS NULL" if ordinary else "")
        + " ORDER BY updated_at DESC LIMIT 1"
    )
    found = await fetch_models(WhatsAppSession, sql, p.values, using_db)
    return found[0] if found else None


async def _session_for_token(
    token: str, contact: WhatsAppContact, phone_number_id: str, flow: str | None
) -> WhatsAppSession:
    session = await WhatsAppSession.get_or_none(flow_token=token)
    if session is not None:
        return session
    try:
        return await WhatsAppSession.create(
            contact=contact, phone_number_id=phone_number_id, flow=flow, flow_token=token
        )
    except IntegrityError:
        return await WhatsAppSession.get(flow_token=token)


async def _apply_hint(session: WhatsAppSession, hint: SessionHint | None) -> None:
    if hint is None or (not hint.tags and not hint.context):
        return
    if hint.tags:
        session.tags = sorted(set(session.tags or []) | set(hint.tags))
    if hint.context:
        session.context = {**(session.context or {}), **hint.context}
    await session.save(update_fields=["tags", "context", "updated_at"])
