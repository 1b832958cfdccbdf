"""Reading Flow journeys: a session's `flowState` (screen, answers, history, result) and
`flowSessions`, the list a dashboard shows of who is where in a Flow.

The journey state is written into `Session.context["flowState"]` here as the Flow endpoint
writes it (`whatsapp/flows/journeys.py`).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from models import SessionStatus, WhatsAppContact, WhatsAppSession
from tests.conftest import PHONE_NUMBER_ID, GraphQL
from tests.resolvers.test_conversations_sessions import ids, make_contact, make_session, walk
from tests.resolvers.test_messages_query import count_queries
from whatsapp.kit.clock import utcnow

FLOW_STATE = """
query S($id: ID!) {
  session(id: $id) {
    flow
    flowState {
      screen answers result startedAt completedAt
      history { action screen next error at }
    }
  }
}"""

FLOW_SESSIONS = """
query F($filter: FlowSessionFilter, $first: Int, $after: String) {
  flowSessions(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { id flow status contact { waId } flowState { screen } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

T0 = datetime.fromisoformat("2027-01-01T10:00:00+00:00")
WALKED = {
    "screen": "TRAVELLERS",
    "answers": {"DESTINATION": {"destination": "Lisbon"}, "DATES": {"from": "2027-05-01"}},
    "history": [
        {"action": "INIT", "screen": None, "next": "DESTINATION", "at": T0.isoformat()},
        {
            "action": "data_exchange",
            "screen": "DESTINATION",
            "next": "DATES",
            "at": (T0 + timedelta(seconds=30)).isoformat(),
        },
        {
            "action": "data_exchange",
            "screen": "DATES",
            "next": "DATES",
            "error": "The return is before the departure",
            "at": (T0 + timedelta(seconds=50)).isoformat(),
        },
        {
            "action": "data_exchange",
            "screen": "DATES",
            "next": "TRAVELLERS",
            "at": (T0 + timedelta(seconds=70)).isoformat(),
        },
    ],
    "startedAt": T0.isoformat(),
}


async def journey(
    contact: WhatsAppContact | None = None,
    *,
    flow: str | None = "booking",
    state: Any = None,
    status: SessionStatus = SessionStatus.ACTIVE,
    updated_at: datetime | None = None,
    completed_at: datetime | None = None,
) -> WhatsAppSession:
    """A Flow session whose journey state the endpoint recorded (`state`; None: not opened)."""
    row = await WhatsAppSession.create(
        contact=contact,
        phone_number_id=PHONE_NUMBER_ID,
        flow=flow,
        flow_token=f"wg-{uuid.uuid4().hex[:12]}",
        status=status,
        context={} if state is None else {"flowState": state, "note": "kept"},
        completed_at=completed_at,
    )
    if updated_at is not None:
        await WhatsAppSession.filter(id=row.id).update(updated_at=updated_at)
        row.updated_at = updated_at
    return row


async def flow_state(gql: GraphQL, row: WhatsAppSession) -> Any:
    result = await gql(FLOW_STATE, {"id": str(row.id)})
    assert "errors" not in result, result
    return result["data"]["session"]["flowState"]


# -- one session's journey -------------------------------------------------------------------


async def test_a_journey_in_progress_reads_screen_answers_and_history(gql: GraphQL) -> None:
    row = await journey(await make_contact(), state=WALKED)

    state = await flow_state(gql, row)

    assert state["screen"] == "TRAVELLERS"
    assert state["answers"] == WALKED["answers"]
    assert state["result"] is None
    assert datetime.fromisoformat(state["startedAt"]) == T0
    assert state["completedAt"] is None
    assert [(h["action"], h["screen"], h["next"]) for h in state["history"]] == [
        ("INIT", None, "DESTINATION"),
        ("data_exchange", "DESTINATION", "DATES"),
        ("data_exchange", "DATES", "DATES"),
        ("data_exchange", "DATES", "TRAVELLERS"),
    ]
    assert [h["error"] for h in state["history"]] == [
        None,
        None,
        "The return is before the departure",
        None,
    ]
    assert datetime.fromisoformat(state["history"][1]["at"]) == T0 + timedelta(seconds=30)


async def test_a_completed_journey_reads_its_result(gql: GraphQL) -> None:
    done_at = utcnow().replace(microsecond=0)
    result = {"booking": "BK-1", "destination": "Lisbon", "travellers": 2}
    row = await journey(
        state={**WALKED, "screen": "SUCCESS", "result": result},
        status=SessionStatus.COMPLETED,
        completed_at=done_at,
    )

    state = await flow_state(gql, row)

    assert (state["screen"], state["result"]) == ("SUCCESS", result)
    assert datetime.fromisoformat(state["completedAt"]) == done_at


async def test_a_flow_sent_but_not_opened_has_an_empty_journey(gql: GraphQL) -> None:
    row = await journey(state=None)

    assert await flow_state(gql, row) == {
        "screen": None,
        "answers": {},
        "result": None,
        "startedAt": None,
        "completedAt": None,
        "history": [],
    }


async def test_a_session_that_runs_no_flow_has_no_flow_state(gql: GraphQL) -> None:
    row = await make_session(await make_contact(), flow=None)

    assert await flow_state(gql, row) is None


@pytest.mark.parametrize(
    "state",
    [
        "not an object",
        {"screen": 3, "answers": ["x"], "history": "nope", "startedAt": "yesterday"},
        {"history": [None, "x", {"screen": "A"}, {"action": "BACK", "at": 5}]},
    ],
    ids=["a-string", "wrong-types", "odd-history-entries"],
)
async def test_a_journey_state_of_another_shape_reads_as_far_as_it_can(
    gql: GraphQL, state: Any
) -> None:
    # a send's session hint merges anything into the context, flowState included
    row = await journey(state=state)

    read = await flow_state(gql, row)

    assert (read["screen"], read["answers"], read["startedAt"]) == (None, {}, None)
    assert all(h["action"] == "BACK" and h["at"] is None for h in read["history"])


# -- the list of journeys --------------------------------------------------------------------


async def count(gql: GraphQL, filter_: dict[str, Any]) -> int:
    result = await gql(FLOW_SESSIONS, {"filter": filter_})
    assert "errors" not in result, result
    return int(result["data"]["flowSessions"]["totalCount"])


async def test_flow_sessions_lists_only_sessions_that_run_a_flow(gql: GraphQL) -> None:
    # given: two journeys, a session without a Flow (it has a flow token all the same)
    ada = await make_contact("15550000001")
    bob = await make_contact("15550000002")
    on_dates = await journey(ada, state={**WALKED, "screen": "DATES"})
    not_opened = await journey(bob, updated_at=utcnow() - timedelta(hours=1))
    await make_session(ada, flow=None)

    # when
    page = (await gql(FLOW_SESSIONS, {}))["data"]["flowSessions"]

    # then: newest first, each with where its customer is
    assert page["totalCount"] == 2
    assert [
        (e["node"]["id"], e["node"]["contact"]["waId"], e["node"]["flowState"]["screen"])
        for e in page["edges"]
    ] == [(str(on_dates.id), "15550000001", "DATES"), (str(not_opened.id), "15550000002", None)]


async def test_flow_sessions_filters(gql: GraphQL) -> None:
    # given
    now = utcnow()
    await journey(state=WALKED)
    await journey(status=SessionStatus.COMPLETED, updated_at=now - timedelta(days=2))
    await journey(flow="signup", status=SessionStatus.EXPIRED, updated_at=now - timedelta(days=9))
    await make_session(flow=None, status=SessionStatus.COMPLETED)

    # then
    assert await count(gql, {}) == 3
    assert await count(gql, {"flow": "booking"}) == 2
    assert await count(gql, {"flow": "signup"}) == 1
    assert await count(gql, {"flow": "nothing"}) == 0
    assert await count(gql, {"status": ["ACTIVE"]}) == 1
    assert await count(gql, {"status": ["COMPLETED", "EXPIRED"]}) == 2
    assert await count(gql, {"flow": "booking", "status": ["COMPLETED"]}) == 1
    assert await count(gql, {"since": (now - timedelta(days=3)).isoformat()}) == 2
    assert await count(gql, {"since": (now - timedelta(days=3)).isoformat(), "flow": "signup"}) == 0
    assert await count(gql, {"since": (now + timedelta(seconds=5)).isoformat()}) == 0


async def test_flow_sessions_pages_walk_every_journey_newest_first(gql: GraphQL) -> None:
    # given: six journeys, three updated at the very same instant, and a session with no Flow
    base = utcnow() - timedelta(hours=1)
    stamps = [base, base + timedelta(seconds=1)] + [base + timedelta(seconds=2)] * 3
    stamps.append(base + timedelta(seconds=3))
    rows = [await journey(state=WALKED, updated_at=stamp) for stamp in stamps]
    await make_session(flow=None, updated_at=base + timedelta(seconds=2))
    expected = [str(r.id) for r in sorted(rows, key=lambda r: (r.updated_at, r.id), reverse=True)]

    for first in (1, 2, 4, 6, 100):
        # when
        nodes = await walk(gql, FLOW_SESSIONS, "flowSessions", first)

        # then: nothing missed or repeated, whatever the page size
        assert [n["id"] for n in nodes] == expected


async def test_flow_sessions_pages_keep_the_filter(gql: GraphQL) -> None:
    base = utcnow() - timedelta(hours=1)
    booking = [await journey(updated_at=base + timedelta(seconds=i)) for i in range(3)]
    await journey(flow="signup", updated_at=base + timedelta(seconds=10))

    first = (await gql(FLOW_SESSIONS, {"filter": {"flow": "booking"}, "first": 2}))["data"]
    after = first["flowSessions"]["pageInfo"]["endCursor"]
    rest = await gql(FLOW_SESSIONS, {"filter": {"flow": "booking"}, "first": 2, "after": after})

    assert ids(first["flowSessions"]) == [str(booking[2].id), str(booking[1].id)]
    assert ids(rest["data"]["flowSessions"]) == [str(booking[0].id)]
    assert rest["data"]["flowSessions"]["pageInfo"]["hasNextPage"] is False


async def test_flow_sessions_sql_does_not_grow_with_the_page(gql: GraphQL) -> None:
    for n in range(12):
        contact = await make_contact(f"155500001{n:02d}")
        await journey(contact, state={**WALKED, "screen": f"S{n}"})
    await gql(FLOW_SESSIONS, {"first": 1})  # the key's last_used_at is written once, then cached

    with count_queries() as small:
        await gql(FLOW_SESSIONS, {"first": 2})
    with count_queries() as large:
        await gql(FLOW_SESSIONS, {"first": 12})

    assert len(small) == len(large), (small, large)
    assert len(large) <= 4  # page, contacts, count (+ at most one for the key)


@pytest.mark.parametrize(
    ("variables", "field"),
    [({"first": 0}, ["first"]), ({"first": 101}, ["first"]), ({"after": "nope"}, ["after"])],
)
async def test_flow_sessions_refuses_bad_paging(
    gql: GraphQL, variables: dict[str, Any], field: list[str]
) -> None:
    result = await gql(FLOW_SESSIONS, variables)

    assert result["data"] is None
    assert result["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": field}


async def test_a_read_key_lists_journeys_and_no_key_is_401(
    client: httpx.AsyncClient, read_key: str
) -> None:
    await journey(state=WALKED)

    read = await GraphQL(client, read_key)(FLOW_SESSIONS)
    anonymous = await client.post("/graphql", json={"query": FLOW_SESSIONS})

    assert read["data"]["flowSessions"]["totalCount"] == 1
    assert anonymous.status_code == 401
