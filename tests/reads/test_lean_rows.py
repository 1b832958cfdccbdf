"""Rows decoded by `whatsapp.kit.rows` (list pages, timelines, by-id loaders) equal Tortoise's own,
and pages that leave JSON unread (events, timelines) answer every field as whole pages do.

`whatsapp.kit.rows` writes the decoded values straight into model instances, so a row must hold
exactly what Tortoise would have given, on both dialects (SQLite hands back text, asyncpg typed
values); a lean page's node must answer each field as a page that reads everything."""

from __future__ import annotations

from typing import Any

import pytest
from tortoise.exceptions import IncompleteInstanceError

from models import (
    MessageDirection,
    MessageOrigin,
    MessageStatus,
    MessageType,
    WhatsAppAnalyticsEvent,
    WhatsAppMessage,
    WhatsAppSession,
)
from tests.conftest import PHONE_NUMBER_ID, GraphQL
from tests.reads.test_lean_pages_guard import selections
from whatsapp.conversations.contacts import get_or_create_contact
from whatsapp.kit import rows
from whatsapp.kit.clock import utcnow

WA_ID = "15557770002"
EVERYTHING = "... on Message { content } ... on Event { properties }"


@pytest.fixture
async def session() -> WhatsAppSession:
    """A session with a message whose every column holds something, and an event about it."""
    contact = await get_or_create_contact(WA_ID)
    row = await WhatsAppSession.create(
        contact=contact, phone_number_id=PHONE_NUMBER_ID, context={"note": "kept"}, tags=["vip"]
    )
    now = utcnow()
    message = await WhatsAppMessage.create(
        direction=MessageDirection.OUTBOUND,
        type=MessageType.TEXT,
        status=MessageStatus.READ,
        phone_number_id=PHONE_NUMBER_ID,
        customer_wa_id=WA_ID,
        wamid="wamid.lean-rows",
        contact=contact,
        session=row,
        text="Hello",
        content={"text": {"body": "Hello"}},
        metadata={"order": 42},
        payload={"messaging_product": "whatsapp", "to": WA_ID, "type": "text"},
        pricing={"pricing_model": "PMP", "category": "utility"},
        revisions=[{"text": "Hi", "content": {}, "replacedAt": now.isoformat()}],
        origin=MessageOrigin.API,
        attempts=2,
        error_code=131047,
        sent_at=now,
        delivered_at=now,
        read_at=now,
    )
    await WhatsAppAnalyticsEvent.create(
        name="message.read",
        source="webhook",
        properties={"wamid": "wamid.lean-rows", "n": [1, 2]},
        message=message,
        session=row,
        contact=contact,
    )
    return row


def _values(row: Any, model: type[Any]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in model._meta.fields_db_projection}


@pytest.mark.parametrize("model", [WhatsAppMessage, WhatsAppAnalyticsEvent, WhatsAppSession])
async def test_decoded_rows_equal_tortoise_rows(session: WhatsAppSession, model: Any) -> None:
    # given
    expected = [_values(row, model) for row in await model.all().order_by("id")]

    # when
    decoded = await rows.select(model.all().order_by("id"))

    # then
    assert [_values(row, model) for row in decoded] == expected
    assert all(
        type(a) is type(b)
        for a, b in zip(_values(decoded[0], model).values(), expected[0].values(), strict=True)
    )
    assert not decoded[0]._partial


async def test_a_lean_row_lacks_its_json_and_is_not_saved_whole(session: WhatsAppSession) -> None:
    # when
    (row,) = await rows.select(rows.without(WhatsAppMessage.all(), ("content", "payload")))

    # then
    assert row.text == "Hello" and row.status is MessageStatus.READ
    assert not hasattr(row, "content") and not hasattr(row, "payload")
    assert row.metadata == {"order": 42}
    with pytest.raises(IncompleteInstanceError):
        await row.save()


async def test_by_ids_reads_whole_rows_by_key(session: WhatsAppSession) -> None:
    # when
    found = await rows.by_ids(WhatsAppSession, [session.id])

    # then
    assert _values(found[session.id], WhatsAppSession) == _values(session, WhatsAppSession)


async def test_every_event_field_reads_the_same_on_a_lean_page(
    gql: GraphQL, session: WhatsAppSession
) -> None:
    for name, selection in (await selections(gql, "Event")).items():
        lean = await gql(f"{{ events(first: 5) {{ edges {{ node {{ {selection} }} }} }} }}")
        full = await gql(
            f"{{ events(first: 5) {{ edges {{ node {{ {selection} properties }} }} }} }}"
        )
        assert "errors" not in lean and "errors" not in full, (name, lean, full)
        assert _first(lean, "events")[name] == _first(full, "events")[name], name
    full = await gql("{ events(first: 5) { edges { node { properties } } } }")
    assert _first(full, "events")["properties"] == {"wamid": "wamid.lean-rows", "n": [1, 2]}


@pytest.mark.parametrize("type_name", ["Message", "Event"])
async def test_every_timeline_field_reads_the_same_on_a_lean_page(
    gql: GraphQL, session: WhatsAppSession, type_name: str
) -> None:
    for name, selection in (await selections(gql, type_name)).items():
        fragment = f"... on {type_name} {{ {selection} }}"
        lean = await _timeline(gql, f"__typename {fragment}")
        full = await _timeline(gql, f"__typename {fragment} {EVERYTHING}")
        assert "errors" not in lean and "errors" not in full, (name, lean, full)
        assert _entries(lean, type_name, name) == _entries(full, type_name, name), name


async def test_a_lean_timeline_answers_the_fields_asked(
    gql: GraphQL, session: WhatsAppSession
) -> None:
    # when
    lean = await _timeline(gql, "... on Message { id text status } ... on Event { name }")

    # then
    edges = lean["data"]["sessions"]["edges"][0]["node"]["timeline"]["edges"]
    assert [edge["node"] for edge in edges] == [
        {"id": edges[0]["node"]["id"], "text": "Hello", "status": "READ"},
        {"name": "message.read"},
    ]


async def _timeline(gql: GraphQL, selection: str) -> dict[str, Any]:
    timeline = f"timeline(first: 10) {{ edges {{ node {{ {selection} }} }} }}"
    return await gql(f"{{ sessions(first: 5) {{ edges {{ node {{ {timeline} }} }} }} }}")


def _entries(result: dict[str, Any], type_name: str, name: str) -> list[Any]:
    edges = result["data"]["sessions"]["edges"][0]["node"]["timeline"]["edges"]
    return [edge["node"][name] for edge in edges if edge["node"]["__typename"] == type_name]


def _first(result: dict[str, Any], relation: str) -> dict[str, Any]:
    node: dict[str, Any] = result["data"][relation]["edges"][0]["node"]
    return node
