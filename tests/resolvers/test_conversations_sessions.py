"""Reading sessions: by id, filtered, newest-updated first, with a constant number of queries.

The factories here create rows directly (no webhook processing); the contact, event and
timeline tests use them too.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from models import (
    MessageDirection,
    MessageStatus,
    MessageType,
    SessionStatus,
    WhatsAppAnalyticsEvent,
    WhatsAppContact,
    WhatsAppMessage,
    WhatsAppSession,
)
from tests.conftest import PHONE_NUMBER_ID, GraphQL
from tests.resolvers.test_messages_query import count_queries
from whatsapp.conversations.session_queries import SessionQuery, list_sessions
from whatsapp.conversations.windows import SERVICE_WINDOW
from whatsapp.kit.clock import utcnow

SESSION = """
query S($id: ID!) {
  session(id: $id) {
    id status flow flowToken tags context lastInboundAt windowOpen windowExpiresAt
    startedAt completedAt createdAt updatedAt
    contact { waId profileName }
    messages(first: 10) { totalCount edges { node { text } } }
  }
}"""

LIST = """
query L($filter: SessionFilter, $first: Int, $after: String) {
  sessions(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { id flow windowOpen contact { waId } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


# -- factories ---------------------------------------------------------------------------------


async def make_contact(
    wa_id: str = "15550000001",
    *,
    profile_name: str | None = None,
    tags: Sequence[str] = (),
    last_inbound_at: datetime | None = None,
    created_at: datetime | None = None,
) -> WhatsAppContact:
    return await WhatsAppContact.create(
        wa_id=wa_id,
        profile_name=profile_name,
        tags=list(tags),
        last_inbound_at=last_inbound_at,
        created_at=created_at or utcnow(),
    )


async def make_session(
    contact: WhatsAppContact | None = None,
    *,
    status: SessionStatus = SessionStatus.ACTIVE,
    flow: str | None = None,
    tags: Sequence[str] = (),
    phone_number_id: str = PHONE_NUMBER_ID,
    last_inbound_at: datetime | None = None,
    updated_at: datetime | None = None,
) -> WhatsAppSession:
    row = await WhatsAppSession.create(
        contact=contact,
        status=status,
        flow=flow,
        flow_token=f"tok-{uuid.uuid4().hex[:12]}",
        tags=list(tags),
        phone_number_id=phone_number_id,
        last_inbound_at=last_inbound_at,
    )
    if updated_at is not None:
        # updated_at is auto_now on save(); a queryset update writes the value as given.
        await WhatsAppSession.filter(id=row.id).update(updated_at=updated_at)
        row.updated_at = updated_at
    return row


async def make_message(
    session: WhatsAppSession | None,
    *,
    at: datetime,
    text: str = "hi",
    contact: WhatsAppContact | None = None,
    direction: MessageDirection = MessageDirection.OUTBOUND,
    wamid: str | None = None,
    row_id: uuid.UUID | None = None,
) -> WhatsAppMessage:
    wa_id = contact.wa_id if contact else "15550000001"
    return await WhatsAppMessage.create(
        id=row_id or uuid.uuid4(),
        direction=direction,
        type=MessageType.TEXT,
        status=MessageStatus.SENT,
        phone_number_id=PHONE_NUMBER_ID,
        customer_wa_id=wa_id,
        contact=contact,
        session=session,
        text=text,
        wamid=wamid,
        created_at=at,
    )


async def make_event(
    name: str,
    *,
    at: datetime,
    session: WhatsAppSession | None = None,
    contact: WhatsAppContact | None = None,
    message: WhatsAppMessage | None = None,
    source: str = "test",
    row_id: uuid.UUID | None = None,
    caused_by_automation_run_id: uuid.UUID | None = None,
) -> WhatsAppAnalyticsEvent:
    return await WhatsAppAnalyticsEvent.create(
        id=row_id or uuid.uuid4(),
        name=name,
        source=source,
        properties={"n": name},
        session=session,
        contact=contact,
        message=message,
        caused_by_automation_run_id=caused_by_automation_run_id,
        created_at=at,
    )


def ids(page: dict[str, object]) -> list[str]:
    return [edge["node"]["id"] for edge in page["edges"]]  # type: ignore[index]


async def walk(gql: GraphQL, document: str, field: str, first: int, **variables: object) -> list:
    """Every node of a connection, page by page, checking the cursors on the way."""
    nodes: list = []
    after = None
    for _ in range(100):
        result = await gql(document, {**variables, "first": first, "after": after})
        assert "errors" not in result, result
        page = result["data"][field]
        nodes += [edge["node"] for edge in page["edges"]]
        assert len(page["edges"]) <= first
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("paging did not end")


# -- one session -------------------------------------------------------------------------------


async def test_session_by_id_with_contact_window_and_messages(gql: GraphQL) -> None:
    # given
    now = utcnow()
    contact = await make_contact(profile_name="Ada")
    row = await make_session(
        contact, flow="signup", tags=["vip"], last_inbound_at=now - timedelta(hours=2)
    )
    await make_message(row, at=now - timedelta(minutes=2), text="first", contact=contact)
    await make_message(row, at=now - timedelta(minutes=1), text="second", contact=contact)

    # when
    session = (await gql(SESSION, {"id": str(row.id)}))["data"]["session"]

    # then
    assert session["flow"] == "signup"
    assert session["tags"] == ["vip"]
    assert session["contact"] == {"waId": "15550000001", "profileName": "Ada"}
    assert session["windowOpen"] is True
    expires = datetime.fromisoformat(session["windowExpiresAt"])
    assert expires == row.last_inbound_at + SERVICE_WINDOW
    assert session["messages"]["totalCount"] == 2
    assert [e["node"]["text"] for e in session["messages"]["edges"]] == ["second", "first"]


async def test_unknown_or_malformed_session_id_is_null(gql: GraphQL) -> None:
    for value in (str(uuid.uuid4()), "nope"):
        assert (await gql(SESSION, {"id": value}))["data"]["session"] is None


async def test_window_fields_without_inbound_or_after_24_hours(gql: GraphQL) -> None:
    never = await make_session()
    stale = await make_session(last_inbound_at=utcnow() - timedelta(hours=25))

    a = (await gql(SESSION, {"id": str(never.id)}))["data"]["session"]
    b = (await gql(SESSION, {"id": str(stale.id)}))["data"]["session"]

    assert (a["windowOpen"], a["windowExpiresAt"]) == (False, None)
    assert b["windowOpen"] is False
    assert datetime.fromisoformat(b["windowExpiresAt"]) < utcnow()


# -- lists and paging --------------------------------------------------------------------------


async def test_pages_walk_every_session_most_recently_updated_first(gql: GraphQL) -> None:
    # given: seven sessions, three of them updated at the very same instant
    base = utcnow() - timedelta(hours=1)
    stamps = [base, base + timedelta(seconds=1)] + [base + timedelta(seconds=2)] * 3
    stamps += [base + timedelta(seconds=3), base + timedelta(seconds=4)]
    rows = [await make_session(updated_at=stamp) for stamp in stamps]
    expected = [str(r.id) for r in sorted(rows, key=lambda r: (r.updated_at, r.id), reverse=True)]

    for first in (1, 2, 3, 7, 100):
        # when
        nodes = await walk(gql, LIST, "sessions", first)

        # then: nothing missed or repeated, whatever the page size
        assert [n["id"] for n in nodes] == expected


async def test_a_session_updated_while_paging_is_not_repeated(gql: GraphQL) -> None:
    base = utcnow() - timedelta(hours=1)
    rows = [await make_session(updated_at=base + timedelta(seconds=i)) for i in range(4)]
    first = (await gql(LIST, {"first": 2}))["data"]["sessions"]
    assert ids(first) == [str(rows[3].id), str(rows[2].id)]

    await WhatsAppSession.filter(id=rows[3].id).update(updated_at=utcnow())
    rest = (await gql(LIST, {"first": 2, "after": first["pageInfo"]["endCursor"]}))["data"]

    assert ids(rest["sessions"]) == [str(rows[1].id), str(rows[0].id)]


async def count(gql: GraphQL, filter_: dict[str, object]) -> int:
    result = await gql(LIST, {"filter": filter_})
    assert "errors" not in result, result
    return result["data"]["sessions"]["totalCount"]


async def test_filters(gql: GraphQL) -> None:
    # given
    now = utcnow()
    ada = await make_contact("15550000001")
    bob = await make_contact("15550000002")
    await make_session(ada, flow="signup", tags=["vip", "eu"], last_inbound_at=now)
    await make_session(
        ada, status=SessionStatus.COMPLETED, tags=["vip2"], updated_at=now - timedelta(days=3)
    )
    await make_session(bob, status=SessionStatus.EXPIRED, phone_number_id="999", tags=[])
    await make_session(None, tags=["not-vip"], last_inbound_at=now - timedelta(hours=30))

    # then
    assert await count(gql, {}) == 4
    assert await count(gql, {"status": ["ACTIVE"]}) == 2
    assert await count(gql, {"status": ["COMPLETED", "EXPIRED"]}) == 2
    assert await count(gql, {"contactWaId": "+1 555 000 0001"}) == 2
    assert await count(gql, {"contactWaId": "15550000009"}) == 0
    assert await count(gql, {"tag": "vip"}) == 1  # an element, not a substring
    assert await count(gql, {"tag": "vip2"}) == 1
    assert await count(gql, {"tag": "eu", "status": ["ACTIVE"]}) == 1
    assert await count(gql, {"tag": "none"}) == 0
    assert await count(gql, {"windowOpen": True}) == 1
    assert await count(gql, {"windowOpen": False}) == 3
    assert await count(gql, {"updatedSince": (now - timedelta(days=1)).isoformat()}) == 3
    assert await count(gql, {"flow": "signup"}) == 1
    assert await count(gql, {"phoneNumberId": "999"}) == 1
    assert await count(gql, {"tag": "vip", "contactWaId": "15550000001", "windowOpen": True}) == 1


async def test_search_finds_sessions_by_their_contacts_name_number_or_username(
    gql: GraphQL,
) -> None:
    # given: two of Ada's sessions, one of Grace's (known by username only), one of nobody's
    ada = await make_contact("15550000001", profile_name="Ada Lovelace")
    grace = await WhatsAppContact.create(
        bsuid="US.13491208655302741918", username="grace_h", profile_name="Grace"
    )
    await make_session(ada)
    await make_session(ada, status=SessionStatus.COMPLETED)
    await make_session(grace)
    await make_session(None)

    # then
    assert await count(gql, {"search": "lovelace"}) == 2
    assert await count(gql, {"search": "+1 555 000"}) == 2  # a prefix of the number
    assert await count(gql, {"search": "@GRACE_"}) == 1
    assert await count(gql, {"search": "US.13491208655302741918"}) == 1
    assert await count(gql, {"search": "lovelace", "status": ["ACTIVE"]}) == 1
    assert await count(gql, {"search": "nobody"}) == 0
    assert await count(gql, {"search": "%"}) == 0  # literal, not a wildcard


async def test_updated_since_honours_the_offset(gql: GraphQL) -> None:
    stamp = utcnow().replace(microsecond=0) - timedelta(hours=1)
    await make_session(updated_at=stamp)
    # the same instant, written in another time zone
    tokyo = stamp.astimezone(timezone(timedelta(hours=9))).isoformat()

    assert await count(gql, {"updatedSince": tokyo}) == 1
    assert await count(gql, {"updatedSince": (stamp + timedelta(seconds=1)).isoformat()}) == 0


async def test_window_filter_at_the_24_hour_edge(gql: GraphQL) -> None:
    # given
    now = utcnow()
    inside = await make_session(last_inbound_at=now - SERVICE_WINDOW + timedelta(minutes=1))
    outside = await make_session(last_inbound_at=now - SERVICE_WINDOW - timedelta(minutes=1))
    never = await make_session()

    # when
    open_ = (await gql(LIST, {"filter": {"windowOpen": True}}))["data"]["sessions"]
    closed = (await gql(LIST, {"filter": {"windowOpen": False}}))["data"]["sessions"]

    # then
    assert ids(open_) == [str(inside.id)]
    assert [e["node"]["windowOpen"] for e in open_["edges"]] == [True]
    assert set(ids(closed)) == {str(outside.id), str(never.id)}
    assert [e["node"]["windowOpen"] for e in closed["edges"]] == [False, False]


async def test_window_filter_exactly_24_hours_is_closed() -> None:
    now = utcnow()
    exact = await make_session(last_inbound_at=now - SERVICE_WINDOW)
    just = await make_session(last_inbound_at=now - SERVICE_WINDOW + timedelta(microseconds=1))

    open_ = await list_sessions(SessionQuery(window_open=True), now=now)
    closed = await list_sessions(SessionQuery(window_open=False), now=now)

    assert [r.id for r in open_.items] == [just.id]
    assert [r.id for r in closed.items] == [exact.id]


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"first": 0}, ["first"]),
        ({"first": 101}, ["first"]),
        ({"after": "not-a-cursor"}, ["after"]),
        ({"filter": {"tag": "vip'; DROP TABLE whatsapp_session; --"}}, ["filter", "tag"]),
        ({"filter": {"tag": ""}}, ["filter", "tag"]),
        ({"filter": {"tag": "x" * 65}}, ["filter", "tag"]),
        ({"filter": {"tag": '"vip"'}}, ["filter", "tag"]),
        ({"filter": {"contactWaId": "not a number"}}, ["filter", "contactWaId"]),
        ({"filter": {"search": "x" * 129}}, ["filter", "search"]),
    ],
)
async def test_bad_arguments_are_invalid_input(
    gql: GraphQL, variables: dict[str, object], field: list[str]
) -> None:
    await make_session(tags=["vip"])

    result = await gql(LIST, variables)

    assert result["data"] is None
    assert result["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": field}
    assert await WhatsAppSession.all().count() == 1


# -- access and cost ---------------------------------------------------------------------------


async def test_read_scope_is_enough(client: httpx.AsyncClient, read_key: str) -> None:
    row = await make_session(await make_contact())

    result = await GraphQL(client, read_key)(LIST, {})

    assert "errors" not in result
    assert ids(result["data"]["sessions"]) == [str(row.id)]


async def test_no_key_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": LIST})

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_sql_queries_do_not_grow_with_page_size(gql: GraphQL) -> None:
    base = utcnow() - timedelta(hours=1)
    for i in range(30):
        contact = await make_contact(f"1555000{i:04d}")
        await make_session(contact, updated_at=base + timedelta(seconds=i))
    await gql(LIST, {"first": 1})  # the key's last_used_at is written once, then cached

    with count_queries() as small:
        await gql(LIST, {"first": 2})
    with count_queries() as large:
        await gql(LIST, {"first": 30})

    assert len(small) == len(large), (small, large)
    assert len(large) <= 4  # page, contacts, count (+ at most one for the key)
