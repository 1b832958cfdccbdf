"""Reading messages: by id, filtered, cursor-paginated, with a constant number of queries."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest

from models import MessageDirection, MessageStatus, MessageType, WhatsAppMessage
from tests.conftest import PHONE_NUMBER_ID, GraphQL
from whatsapp.automations.enabled import ENABLED
from whatsapp.conversations.contacts import get_or_create_contact
from whatsapp.conversations.sessions import SessionHint, resolve_session
from whatsapp.kit.clock import utcnow

LIST = """
query L($filter: MessageFilter, $first: Int, $after: String) {
  messages(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { id status type to text contact { waId } session { id } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def make_messages(n: int, **fields: object) -> list[WhatsAppMessage]:
    contact = await get_or_create_contact("15550000001")
    session = await resolve_session(
        SessionHint(flow_token="s-1"), contact=contact, phone_number_id=PHONE_NUMBER_ID
    )
    base = utcnow() - timedelta(hours=1)
    rows = []
    for i in range(n):
        values = {
            "direction": MessageDirection.OUTBOUND,
            "type": MessageType.TEXT,
            "status": MessageStatus.SENT,
            "phone_number_id": PHONE_NUMBER_ID,
            "customer_wa_id": contact.wa_id,
            "contact": contact,
            "session": session,
            "text": f"m{i}",
            **fields,
        }
        row = await WhatsAppMessage.create(**values)
        row.created_at = base + timedelta(seconds=i)
        await row.save(update_fields=["created_at"])
        rows.append(row)
    return rows


async def test_pages_walk_every_message_newest_first(gql: GraphQL) -> None:
    rows = await make_messages(7)
    seen: list[str] = []
    after = None

    for _ in range(4):
        page = (await gql(LIST, {"first": 3, "after": after}))["data"]["messages"]
        seen += [edge["node"]["text"] for edge in page["edges"]]
        assert page["totalCount"] == 7
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break

    assert seen == [r.text for r in reversed(rows)]


async def test_filters(gql: GraphQL) -> None:
    await make_messages(2)
    await make_messages(1, status=MessageStatus.FAILED, type=MessageType.IMAGE)
    await make_messages(1, customer_wa_id="15559999999")

    async def texts(filter_: dict[str, object]) -> int:
        return (await gql(LIST, {"filter": filter_}))["data"]["messages"]["totalCount"]

    assert await texts({"status": ["FAILED"]}) == 1
    assert await texts({"status": ["SENT", "FAILED"]}) == 4
    assert await texts({"type": ["IMAGE"]}) == 1
    assert await texts({"to": "+1 555 999 9999"}) == 1
    assert await texts({"direction": "INBOUND"}) == 0
    assert await texts({"createdAfter": (utcnow() + timedelta(minutes=1)).isoformat()}) == 0


async def test_message_by_id_and_by_wamid(gql: GraphQL) -> None:
    [row] = await make_messages(1, wamid="wamid.ABC")
    query = "query($id: ID!) { message(id: $id) { id text } }"

    assert (await gql(query, {"id": str(row.id)}))["data"]["message"]["text"] == "m0"
    assert (await gql(query, {"id": "wamid.ABC"}))["data"]["message"]["id"] == str(row.id)
    assert (await gql(query, {"id": "nope"}))["data"]["message"] is None


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"first": 0}, "first"),
        ({"first": 101}, "first"),
        ({"after": "not-a-cursor"}, "after"),
    ],
)
async def test_bad_paging_arguments(gql: GraphQL, variables: dict[str, object], field: str) -> None:
    result = await gql(LIST, variables)

    assert result["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": [field]}


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """The statements run inside the block. The block starts with the enabled-automations
    cache cold, so an event recorded inside reads them once, whenever the block runs."""
    ENABLED.invalidate()
    queries: list[str] = []

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            queries.append(record.getMessage())

    logger = logging.getLogger("tortoise.db_client")
    handler, level = Handler(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield queries
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_sql_queries_do_not_grow_with_page_size(gql: GraphQL) -> None:
    await make_messages(30)
    await gql(LIST, {"first": 1})  # the key's last_used_at is written once, then cached

    with count_queries() as small:
        await gql(LIST, {"first": 2})
    with count_queries() as large:
        await gql(LIST, {"first": 30})

    assert len(small) == len(large), (small, large)
    assert len(large) <= 6
