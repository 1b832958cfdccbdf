"""A session's timeline: messages and events merged oldest first, one cursor across both."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import Any

import pytest

from models import WhatsAppAnalyticsEvent, WhatsAppMessage, WhatsAppSession
from tests.resolvers.test_conversations_sessions import make_event, make_message, make_session
from whatsapp.conversations.timeline import (
    EVENT,
    MESSAGE,
    Position,
    encode_cursor,
    session_timeline,
)
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, WagraphError


def expected_order(items: list[Any]) -> list[uuid.UUID]:
    kind = {WhatsAppMessage: MESSAGE, WhatsAppAnalyticsEvent: EVENT}
    return [i.id for i in sorted(items, key=lambda i: Position(i.created_at, kind[type(i)], i.id))]


async def walk(session: WhatsAppSession, first: int) -> list[uuid.UUID]:
    seen: list[uuid.UUID] = []
    after = None
    for _ in range(1000):
        page = await session_timeline(session.id, first=first, after=after)
        assert len(page.items) <= first
        seen += [item.id for item in page.items]
        if not page.has_next:
            assert len(page.items) > 0 or not seen
            return seen
        assert page.items, "a page that promises more must not be empty"
        after = page.end_cursor
    raise AssertionError("paging did not end")


async def test_equal_times_across_tables_page_without_gaps_or_repeats() -> None:
    # given: ties inside each table and across them, and times only one table has
    session = await make_session()
    t0 = utcnow().replace(microsecond=0) - timedelta(hours=1)
    t1, t2, t3 = (t0 + timedelta(seconds=s) for s in (1, 2, 3))
    items: list[Any] = []
    for at, messages, events in ((t0, 3, 3), (t1, 1, 1), (t2, 0, 2), (t3, 2, 0)):
        items += [await make_message(session, at=at) for _ in range(messages)]
        items += [await make_event("message.sent", at=at, session=session) for _ in range(events)]
    expected = expected_order(items)

    for first in range(1, len(items) + 2):
        # when
        seen = await walk(session, first)

        # then
        assert seen == expected, f"first={first}"


async def test_messages_come_before_events_at_the_same_time() -> None:
    session = await make_session()
    at = utcnow() - timedelta(minutes=5)
    # ids chosen so that id order alone would put the event first
    event = await make_event("message.sent", at=at, session=session, row_id=uuid.UUID(int=1))
    message = await make_message(session, at=at, row_id=uuid.UUID(int=2**128 - 1))

    page = await session_timeline(session.id, first=10)

    assert [i.id for i in page.items] == [message.id, event.id]


async def test_random_timelines_walk_completely() -> None:
    rng = random.Random(20261125)
    base = utcnow().replace(microsecond=0) - timedelta(days=1)
    for _ in range(4):
        session = await make_session()
        items: list[Any] = []
        for _ in range(rng.randint(0, 25)):
            at = base + timedelta(seconds=rng.randint(0, 5), microseconds=rng.choice([0, 7]))
            if rng.random() < 0.5:
                items.append(await make_message(session, at=at))
            else:
                items.append(await make_event("x.y", at=at, session=session))
        expected = expected_order(items)

        for first in (1, 2, 3, 5, 100):
            assert await walk(session, first) == expected


async def test_other_sessions_and_unattached_rows_stay_out() -> None:
    mine, other = await make_session(), await make_session()
    at = utcnow() - timedelta(minutes=1)
    keep = [await make_message(mine, at=at), await make_event("a.b", at=at, session=mine)]
    await make_message(other, at=at)
    await make_event("a.b", at=at, session=other)
    await make_event("a.b", at=at)

    page = await session_timeline(mine.id, first=10)

    assert [i.id for i in page.items] == expected_order(keep)
    assert await page.total_count() == 2
    assert page.has_next is False


async def test_a_cursor_survives_the_deletion_of_its_item() -> None:
    session = await make_session()
    at = utcnow() - timedelta(minutes=10)
    rows = [await make_message(session, at=at + timedelta(seconds=i)) for i in range(4)]
    page = await session_timeline(session.id, first=2)

    await WhatsAppMessage.filter(id=rows[1].id).delete()
    rest = await session_timeline(session.id, first=2, after=page.end_cursor)

    assert [i.id for i in rest.items] == [rows[2].id, rows[3].id]


async def test_empty_timeline() -> None:
    session = await make_session()

    page = await session_timeline(session.id, first=5)

    assert (list(page.items), page.has_next, page.end_cursor) == ([], False, None)
    assert await page.total_count() == 0


def _raw(text: str) -> str:
    import base64

    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("first", "after", "field"),
    [
        (0, None, ("first",)),
        (101, None, ("first",)),
        (10, "garbage!", ("after",)),
        (10, _raw(f"x|2026-01-01T00:00:00+00:00|{uuid.uuid4()}"), ("after",)),
        (10, _raw("m|yesterday|nope"), ("after",)),
        (10, _raw("m|2026-01-01T00:00:00+00:00"), ("after",)),
    ],
)
async def test_bad_paging_arguments(first: int, after: str | None, field: tuple[str, ...]) -> None:
    session = await make_session()

    with pytest.raises(WagraphError) as caught:
        await session_timeline(session.id, first=first, after=after)

    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert caught.value.problems[0].field == field


async def test_cursors_name_the_table_and_round_trip() -> None:
    session = await make_session()
    at = utcnow() - timedelta(minutes=1)
    message = await make_message(session, at=at)
    event = await make_event("a.b", at=at, session=session)

    page = await session_timeline(session.id, first=10)

    assert list(page.cursors) == [encode_cursor(message), encode_cursor(event)]
    assert page.cursors[0] != page.cursors[1]
