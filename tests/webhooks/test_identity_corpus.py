"""Customers as Meta names them since 2026 (§11.2): by BSUID, with a number that may be absent,
`""`, appear or change — the corpus posted signed, asserted on what is stored and on GraphQL."""

from __future__ import annotations

from typing import Any

import httpx

from models import (
    MessageStatus,
    WhatsAppAnalyticsEvent,
    WhatsAppContact,
    WhatsAppMessage,
    WhatsAppSession,
)
from sandbox import Sandbox
from tests.conftest import GraphQL
from tests.resolvers.test_messages_send import SEND, graph_requests
from tests.resolvers.test_messages_template_reaction_read import REACT
from tests.webhooks.cases import post_case
from tests.webhooks.test_whatsapp_webhook import outbound
from whatsapp.conversations.contacts import get_or_create_contact

PABLO = "US.18402957316640219381"
SHEENA = "GB.15829371046618203957"
DEMO_NUMBER, DEMO_BSUID = "15551234567", "US.13491208655302741918"
NEW_NUMBER, NEW_BSUID = "15559990000", "US.17364519283746501928"
ANA_NUMBER, ANA_BSUID = "5511987654321", "BR.17730261948852016634"

CONTACT = """
query C($id: ID, $waId: String, $bsuid: String) {
  contact(id: $id, waId: $waId, bsuid: $bsuid) {
    id bsuid parentBsuid username waId phoneNumber profileName windowOpen
    identities { kind value current }
    messages(first: 10) { totalCount edges { node { from text } } }
    sessions { totalCount }
  }
}"""


async def contact_by(gql: GraphQL, **by: str) -> dict[str, Any]:
    result = await gql(CONTACT, by)
    assert "errors" not in result, result
    found: dict[str, Any] = result["data"]["contact"]
    return found


async def events(name: str) -> list[WhatsAppAnalyticsEvent]:
    return await WhatsAppAnalyticsEvent.filter(name=name).order_by("created_at")


async def test_two_username_only_customers_stay_two_contacts_and_each_is_answered(
    client: httpx.AsyncClient, gql: GraphQL, sandbox: Sandbox
) -> None:
    # when: two customers write without a number (`from` absent; `from` "")
    await post_case(client, "username_only_from_absent")
    await post_case(client, "username_only_from_empty")

    # then: two contacts, keyed by their BSUIDs, each with their message
    assert await WhatsAppContact.all().count() == 2
    pablo = await contact_by(gql, bsuid=PABLO)
    sheena = await contact_by(gql, bsuid=SHEENA)
    assert (pablo["waId"], pablo["phoneNumber"], pablo["username"], pablo["parentBsuid"]) == (
        None,
        None,
        "@pablomorales",
        "US.ENT.11815799212886844830",
    )
    assert (sheena["waId"], sheena["username"], sheena["profileName"]) == (
        None,
        "@sheena.nelson",
        "Sheena Nelson",
    )
    for contact, text in (
        (pablo, "Hola, do you ship to Madrid?"),
        (sheena, "Is my order on its way?"),
    ):
        assert contact["windowOpen"] is True
        assert contact["messages"]["edges"] == [{"node": {"from": contact["bsuid"], "text": text}}]
    stored = await WhatsAppMessage.filter(
        wamid__in=["wamid.CORPUS-PABLO-1", "wamid.CORPUS-SHEENA-1"]
    )
    assert {(m.customer_wa_id, m.customer_bsuid) for m in stored} == {(None, PABLO), (None, SHEENA)}
    assert len({m.session_id for m in stored}) == 2

    # when: each is answered, by BSUID
    for bsuid in (PABLO, SHEENA):
        sent = await gql(SEND, {"input": {"to": bsuid, "content": {"text": {"body": "Yes!"}}}})
        assert sent["data"]["sendMessage"]["errors"] == []
        assert sent["data"]["sendMessage"]["message"]["status"] == "SENT"

    # then: Meta got `recipient`, never `to`, and each reply joined its customer's session
    requests = graph_requests(sandbox)
    assert [(r.get("recipient"), "to" in r) for r in requests] == [(PABLO, False), (SHEENA, False)]
    replies = await WhatsAppMessage.filter(direction="OUTBOUND").order_by("created_at")
    assert [(m.customer_bsuid, m.customer_wa_id) for m in replies] == [
        (PABLO, None),
        (SHEENA, None),
    ]
    by_bsuid = {m.customer_bsuid: m for m in stored}
    assert [m.session_id for m in replies] == [
        by_bsuid[PABLO].session_id,
        by_bsuid[SHEENA].session_id,
    ]


async def test_a_number_change_keeps_all_history_on_one_contact(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given: the customer wrote, and we tagged them
    await post_case(client, "number_and_bsuid")
    before = await contact_by(gql, waId=DEMO_NUMBER)
    await WhatsAppContact.filter(id=before["id"]).update(tags=["vip"])

    # when: they change number (system message), then write from the new one
    await post_case(client, "user_changed_number")
    await post_case(client, "after_number_change")

    # then: one contact, re-keyed, old ids still finding it
    assert await WhatsAppContact.all().count() == 1
    after = await contact_by(gql, waId=NEW_NUMBER)
    assert (after["id"], after["waId"], after["bsuid"]) == (before["id"], NEW_NUMBER, NEW_BSUID)
    for old in ({"waId": DEMO_NUMBER}, {"bsuid": DEMO_BSUID}, {"id": before["id"]}):
        assert (await contact_by(gql, **old))["id"] == before["id"]
    assert {(i["value"], i["current"]) for i in after["identities"]} == {
        (DEMO_NUMBER, False),
        (DEMO_BSUID, False),
        (NEW_NUMBER, True),
        (NEW_BSUID, True),
    }
    assert after["messages"]["totalCount"] == 3
    assert after["sessions"]["totalCount"] == 1  # the conversation went on
    contact = await WhatsAppContact.get(id=before["id"])
    assert contact.tags == ["vip"]
    [changed] = await events("contact.number_changed")
    assert changed.contact_id == contact.id
    assert changed.properties["previous"] == {"bsuid": DEMO_BSUID, "waId": DEMO_NUMBER}
    assert changed.properties["current"] == {"bsuid": NEW_BSUID, "waId": NEW_NUMBER}


async def test_a_bsuid_change_keeps_all_history_on_one_contact(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    await post_case(client, "username_only_from_absent")
    before = await contact_by(gql, bsuid=PABLO)

    await post_case(client, "user_changed_user_id")
    await post_case(client, "after_user_id_change")

    assert await WhatsAppContact.all().count() == 1
    after = await contact_by(gql, bsuid="US.19283746501928374650")
    assert (after["id"], after["parentBsuid"], after["waId"]) == (
        before["id"],
        "US.ENT.19283746501928374651",
        None,
    )
    assert (await contact_by(gql, bsuid=PABLO))["id"] == before["id"]
    assert after["messages"]["totalCount"] == 3
    [changed] = await events("contact.user_id_changed")
    assert changed.properties["previous"]["bsuid"] == PABLO
    assert changed.properties["current"]["bsuid"] == "US.19283746501928374650"


async def test_a_changed_security_code_is_recorded_on_the_contact(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    await post_case(client, "customer_identity_changed")

    contact = await contact_by(gql, bsuid=DEMO_BSUID)
    [event] = await events("contact.identity_changed")
    assert str(event.contact_id) == contact["id"]
    assert event.properties["identity"]["hash"] == "Sjvjlx8G6Z0="
    assert (await WhatsAppMessage.get(wamid="wamid.CORPUS-DEMO-4")).type == "SYSTEM"


async def test_number_and_bsuid_of_two_contacts_merge_into_the_older(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given: known once by number (a pre-2026 payload), once by BSUID only
    await post_case(client, "merge_1_number_only")
    await post_case(client, "merge_2_bsuid_only")
    older = await WhatsAppContact.get(wa_id=ANA_NUMBER)
    younger = await WhatsAppContact.get(bsuid=ANA_BSUID)
    assert older.id != younger.id
    await WhatsAppContact.filter(id=older.id).update(tags=["lead"])
    await WhatsAppContact.filter(id=younger.id).update(tags=["pt-br"])

    # when: one message shows both
    await post_case(client, "merge_3_number_and_bsuid")

    # then: one contact, the older, with everything
    assert await WhatsAppContact.all().count() == 1
    ana = await contact_by(gql, bsuid=ANA_BSUID)
    assert (ana["id"], ana["waId"], ana["username"]) == (str(older.id), ANA_NUMBER, "@ana.souza")
    assert ana["messages"]["totalCount"] == 3
    assert {(i["value"], i["current"]) for i in ana["identities"]} == {
        (ANA_NUMBER, True),
        (ANA_BSUID, True),
    }
    assert (await WhatsAppContact.get(id=older.id)).tags == ["lead", "pt-br"]
    assert await WhatsAppSession.filter(contact_id=younger.id).count() == 0
    assert await WhatsAppAnalyticsEvent.filter(contact_id=younger.id).count() == 0
    [merged] = await events("contact.merged")
    assert (merged.contact_id, merged.properties["mergedContactId"]) == (older.id, str(younger.id))
    assert await contact_by(gql, id=str(younger.id)) is None


async def test_a_status_teaches_the_bsuid_of_a_customer_we_wrote_to_by_number(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    known = await get_or_create_contact(DEMO_NUMBER)
    message = await outbound("wamid.CORPUS-OUT-1", customer_wa_id=DEMO_NUMBER, contact=known)

    await post_case(client, "status_with_bsuid")

    await message.refresh_from_db()
    assert (message.status, message.customer_bsuid) == (MessageStatus.DELIVERED, DEMO_BSUID)
    assert message.contact_id == known.id
    contact = await contact_by(gql, bsuid=DEMO_BSUID)
    assert (contact["id"], contact["waId"]) == (str(known.id), DEMO_NUMBER)


async def test_a_reaction_to_a_username_only_customer_goes_to_their_bsuid(
    client: httpx.AsyncClient, gql: GraphQL, sandbox: Sandbox
) -> None:
    await post_case(client, "username_only_from_absent")
    message = await WhatsAppMessage.get(wamid="wamid.CORPUS-PABLO-1")

    result = await gql(REACT, {"input": {"messageId": str(message.id), "emoji": "👍"}})

    assert result["data"]["sendReaction"]["errors"] == []
    [request] = graph_requests(sandbox)
    assert (request["recipient"], "to" in request) == (PABLO, False)
    assert request["reaction"] == {"message_id": "wamid.CORPUS-PABLO-1", "emoji": "👍"}
