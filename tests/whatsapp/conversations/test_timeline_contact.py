"""A contact's timeline: the messages and events of all their sessions, and the events of no
session (calls, consent, id changes), merged oldest first with the session timeline's cursors."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from tests.resolvers.test_conversations_sessions import (
    make_contact,
    make_event,
    make_message,
    make_session,
)
from whatsapp.conversations.timeline import contact_timeline, session_timeline
from whatsapp.kit.clock import utcnow


async def walk(contact_id: uuid.UUID, first: int) -> list[uuid.UUID]:
    seen: list[uuid.UUID] = []
    after = None
    for _ in range(100):
        page = await contact_timeline(contact_id, first=first, after=after)
        seen += [item.id for item in page.items]
        if not page.has_next:
            return seen
        after = page.end_cursor
    raise AssertionError("paging did not end")


async def test_a_contact_s_timeline_spans_sessions_and_events_outside_them() -> None:
    # given: two sessions of one customer, a call event of no session, and someone else
    ana, bob = await make_contact("15550000001"), await make_contact("15550000002")
    first_visit, second_visit = await make_session(ana), await make_session(ana)
    t = utcnow().replace(microsecond=0) - timedelta(hours=1)
    items: list[Any] = [
        await make_message(first_visit, at=t, contact=ana, text="hello"),
        await make_event("message.sent", at=t, session=first_visit, contact=ana),
        await make_event("call.connected", at=t + timedelta(seconds=1), contact=ana),
        await make_event("call.ended", at=t + timedelta(seconds=2), contact=ana),
        await make_message(second_visit, at=t + timedelta(seconds=3), contact=ana, text="again"),
    ]
    await make_message(None, at=t + timedelta(seconds=1), contact=bob)
    await make_event("call.connected", at=t + timedelta(seconds=1), contact=bob)

    for first in (1, 2, 3, 5, 6):
        # when
        seen = await walk(ana.id, first)

        # then: everything of hers, in order, nothing of his
        assert seen == [item.id for item in items]
    page = await contact_timeline(ana.id, first=2)
    assert await page.total_count() == 5
    # and a session's timeline still holds only that session
    session_page = await session_timeline(first_visit.id, first=10)
    assert [item.id for item in session_page.items] == [items[0].id, items[1].id]
    assert await session_page.total_count() == 2


async def test_a_session_cursor_resumes_a_contact_timeline_at_the_same_place() -> None:
    # given: the cursor scheme is one: a position (time, kind, id)
    ana = await make_contact()
    session = await make_session(ana)
    t = utcnow().replace(microsecond=0) - timedelta(minutes=5)
    hello = await make_message(session, at=t, contact=ana)
    call = await make_event("call.ended", at=t + timedelta(seconds=1), contact=ana)
    cursor = (await session_timeline(session.id, first=1)).end_cursor

    # when
    page = await contact_timeline(ana.id, first=10, after=cursor)

    # then
    assert hello.id not in [item.id for item in page.items]
    assert [item.id for item in page.items] == [call.id]
