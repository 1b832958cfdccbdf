"""A contact's calls and consent history are read for a whole page of contacts at once: a
page of 50 contacts with both relations costs the statements of a page of 5, and each
contact still gets its own rows, newest first, with its own count."""

from __future__ import annotations

from datetime import timedelta

from models import (
    ConsentState,
    MessageDirection,
    MessageStatus,
    MessageType,
    WhatsAppConsentChange,
    WhatsAppContact,
    WhatsAppGroup,
    WhatsAppMessage,
    WhatsAppSession,
)
from tests.conftest import GraphQL
from tests.resolvers.test_calls import make_call
from tests.resolvers.test_conversations_sessions import make_contact, make_message, make_session
from tests.resolvers.test_messages_query import count_queries
from whatsapp.kit.clock import utcnow

CONTACTS = """
query C($first: Int!, $after: String) {
  contacts(first: $first) {
    edges { node {
      waId
      calls(first: 2, after: $after) {
        totalCount edges { node { callId durationSeconds } } pageInfo { hasNextPage endCursor }
      }
      marketingConsent { state history(first: 1) {
        totalCount totalCountCapped edges { node { state source } } pageInfo { hasNextPage }
      } }
    } }
  }
}"""


async def _seed(count: int) -> list[WhatsAppContact]:
    """`count` contacts; contact i has i % 4 calls and (i % 3) consent changes, newest an
    opt-in when there are two."""
    t = utcnow() - timedelta(hours=2)
    contacts = []
    for i in range(count):
        contact = await make_contact(f"1555100{i:04d}")
        for n in range(i % 4):
            await make_call(contact, n, meta_id=f"wacid.C{i}-{n}")
        for k, state in enumerate([ConsentState.OPTED_OUT, ConsentState.OPTED_IN][: i % 3]):
            await WhatsAppConsentChange.create(
                contact=contact,
                state=state,
                source="keyword",
                occurred_at=t + timedelta(minutes=k),
                created_at=t + timedelta(minutes=k),
            )
        contacts.append(contact)
    return contacts


async def test_a_page_of_50_contacts_costs_the_statements_of_a_page_of_5(gql: GraphQL) -> None:
    # given: the key already used once (its last use is then cached)
    await _seed(50)
    await gql(CONTACTS, {"first": 1})

    # when
    with count_queries() as small:
        five = await gql(CONTACTS, {"first": 5})
    with count_queries() as large:
        fifty = await gql(CONTACTS, {"first": 50})

    # then: page, count-free contacts, calls page + count, consent page + count
    assert "errors" not in five and "errors" not in fifty, fifty.get("errors")
    assert len(fifty["data"]["contacts"]["edges"]) == 50
    assert len(small) == len(large), (len(small), len(large), large)
    assert len(large) <= 6, large


async def test_each_contact_gets_its_own_calls_and_history(gql: GraphQL) -> None:
    # given
    await _seed(8)

    # when
    result = await gql(CONTACTS, {"first": 8})

    # then
    assert "errors" not in result, result
    for edge in result["data"]["contacts"]["edges"]:
        node = edge["node"]
        i = int(node["waId"][-4:])
        calls = node["calls"]
        assert calls["totalCount"] == i % 4
        expected = [f"wacid.C{i}-{n}" for n in reversed(range(i % 4))][:2]
        assert [e["node"]["callId"] for e in calls["edges"]] == expected
        assert calls["pageInfo"]["hasNextPage"] is (i % 4 > 2)
        history = node["marketingConsent"]["history"]
        assert history["totalCount"] == i % 3 and history["totalCountCapped"] is False
        states = [e["node"]["state"] for e in history["edges"]]
        assert states == ([] if i % 3 == 0 else ["OPTED_OUT" if i % 3 == 1 else "OPTED_IN"])
        assert history["pageInfo"]["hasNextPage"] is (i % 3 == 2)


async def test_a_contacts_calls_resume_after_their_cursor(gql: GraphQL) -> None:
    # given: contact 3 has three calls
    await _seed(4)
    query = """query C($after: String) { contacts(first: 10) {
      edges { node { waId calls(first: 2, after: $after) {
        edges { node { callId } } pageInfo { hasNextPage endCursor } } } } } }"""

    # when: walking contact 3's pages (the others' pages, read alongside, do not matter)
    seen: list[str] = []
    after = None
    while True:
        result = await gql(query, {"after": after})
        assert "errors" not in result, result
        [calls] = [
            edge["node"]["calls"]
            for edge in result["data"]["contacts"]["edges"]
            if edge["node"]["waId"] == "15551000003"
        ]
        seen += [e["node"]["callId"] for e in calls["edges"]]
        if not calls["pageInfo"]["hasNextPage"]:
            break
        after = calls["pageInfo"]["endCursor"]

    # then
    assert seen == ["wacid.C3-2", "wacid.C3-1", "wacid.C3-0"]


async def test_a_bad_calls_cursor_is_an_error_on_that_field(gql: GraphQL) -> None:
    await _seed(2)
    result = await gql(
        '{ contacts(first: 2) { edges { node { calls(after: "x") { totalCount } } } } }'
    )
    assert result["errors"], result
    assert "Malformed cursor" in result["errors"][0]["message"]


# -- only the columns a request needs --------------------------------------------------------

LEAN_AND_WHOLE = """
query L($id: ID!) { session(id: $id) {
  lean: messages(first: 5) { edges { node { id text status ... on Message { createdAt } } } }
  whole: messages(first: 5) { edges { node { id ...Json } } }
  contact {
    sessions(first: 5) { edges { node { id status } } }
    withState: sessions(first: 5) { edges { node { id context flowState { screen } } } }
  }
} }
fragment Json on Message { content payload metadata to pricing { category } }"""


async def _seed_documents() -> WhatsAppSession:
    contact = await make_contact("15551009999")
    session = await make_session(contact, flow="signup")
    flow_state = {"screen": "WELCOME", "answers": {}, "history": []}
    await WhatsAppSession.filter(id=session.id).update(context={"flowState": flow_state})
    message = await make_message(session, at=utcnow(), text="hello", contact=contact)
    await WhatsAppMessage.filter(id=message.id).update(
        content={"body": "hello"},
        payload={"to": "15551009999", "text": {"body": "hello"}},
        metadata={"campaign": "spring"},
        pricing={"category": "utility"},
    )
    return session


async def test_a_page_that_shows_no_json_leaves_those_columns_unread(gql: GraphQL) -> None:
    # given
    session = await _seed_documents()

    # when: one page asks for no JSON document, the same relation beside it does
    with count_queries() as statements:
        result = await gql(LEAN_AND_WHOLE, {"id": str(session.id)})

    # then: each gets what it asked for ...
    assert "errors" not in result, result
    node = result["data"]["session"]
    [lean] = [e["node"] for e in node["lean"]["edges"]]
    [whole] = [e["node"] for e in node["whole"]["edges"]]
    assert lean["text"] == "hello" and lean["status"] == "SENT" and lean["createdAt"]
    assert whole["content"] == {"body": "hello"}
    assert whole["payload"]["to"] == "15551009999"
    assert whole["metadata"] == {"campaign": "spring"}
    assert whole["pricing"] == {"category": "utility"}
    [state] = [e["node"] for e in node["contact"]["withState"]["edges"]]
    assert state["flowState"] == {"screen": "WELCOME"}
    assert state["context"]["flowState"]["screen"] == "WELCOME"
    # ... and only the pages that show a document read its column
    message_pages = [s for s in statements if "ROW_NUMBER" in s and "whatsapp_message" in s]
    session_pages = [s for s in statements if "ROW_NUMBER" in s and "whatsapp_session" in s]
    assert len(message_pages) == 2 and len(session_pages) == 2, statements
    assert sorted('"payload"' in s for s in message_pages) == [False, True], message_pages
    assert sorted('"context"' in s for s in session_pages) == [False, True], session_pages


GROUPS_WITH_MESSAGES = """
query($first: Int!) {
  groups(first: $first) {
    edges { node { metaId messages(first: 3) { totalCount edges { node { id text } } } } }
  }
}"""


async def test_a_page_of_groups_reads_their_messages_in_one_statement(gql: GraphQL) -> None:
    for g in range(12):
        group = await WhatsAppGroup.create(meta_id=f"group-{g:02d}-" + "x" * 50)
        for m in range(4):
            await WhatsAppMessage.create(
                direction=MessageDirection.INBOUND,
                type=MessageType.TEXT,
                status=MessageStatus.RECEIVED,
                phone_number_id="106540352242922",
                wamid=f"wamid.group-{g}-{m}",
                group=group,
                text=f"group {g} message {m}",
            )
    await gql(GROUPS_WITH_MESSAGES, {"first": 1})  # the key's last use is written once

    with count_queries() as small:
        few = await gql(GROUPS_WITH_MESSAGES, {"first": 2})
    with count_queries() as large:
        many = await gql(GROUPS_WITH_MESSAGES, {"first": 12})

    assert len(small) == len(large), (small, large)
    edges = many["data"]["groups"]["edges"]
    assert len(edges) == 12 and len(few["data"]["groups"]["edges"]) == 2
    for edge in edges:
        node = edge["node"]
        number = int(node["metaId"][6:8])
        texts = [m["node"]["text"] for m in node["messages"]["edges"]]
        assert node["messages"]["totalCount"] == 4
        assert texts and all(text.startswith(f"group {number} ") for text in texts)
