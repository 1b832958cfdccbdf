"""Groups (Groups API): messages written in a group, statuses of a message sent to one (a
group id of real length), and the group fields — composed payloads posted signed, asserted on
what is stored and on what GraphQL returns."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import httpx

from models import (
    MessageDirection,
    MessageStatus,
    MessageType,
    WhatsAppAnalyticsEvent,
    WhatsAppContact,
    WhatsAppGroup,
    WhatsAppGroupReceipt,
    WhatsAppMessage,
    WhatsAppMessageStatus,
    WhatsAppSession,
)
from tests.conftest import PHONE_NUMBER_ID, GraphQL
from tests.webhooks.cases import load_case, post_case
from tests.webhooks.test_whatsapp_webhook import post_webhook

GROUP = "Y2FwaV9ncm91cDoxNTU1MDc4Mzg4MToxMjAzNjMwMjc3NDE4MzkyODQ1NzE3OTI"
PARTICIPANT, PARTICIPANT_BSUID = "16505551234", "US.18402957316640219381"
ANA = "15551234567"

GROUP_QUERY = """
query G($id: ID!) {
  group(id: $id) {
    id metaId phoneNumberId subject description state settings lastMessageAt
    participants { waId bsuid }
    messages(first: 10) {
      totalCount
      edges { node { wamid direction text from group { metaId } contact { bsuid } session { id } } }
    }
  }
}"""
GROUPS = "query { groups(first: 10) { totalCount edges { node { metaId subject } } } }"
MESSAGE = """
query M($id: ID!) {
  message(id: $id) {
    status deliveredAt group { metaId }
    pricing { model type category billable }
    statusHistory { status participant pricing { category } }
  }
}"""


async def group_by(gql: GraphQL, ref: str) -> dict[str, Any]:
    result = await gql(GROUP_QUERY, {"id": ref})
    assert "errors" not in result, result
    found: dict[str, Any] = result["data"]["group"]
    return found


async def event_names() -> list[str]:
    return [e.name for e in await WhatsAppAnalyticsEvent.all().order_by("created_at")]


async def test_a_group_message_is_stored_with_its_group_and_participant(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # when: a participant writes in a group wagraph has not heard of, delivered twice
    await post_case(client, "group_message")
    await post_case(client, "group_message")

    # then: the group exists (its long id intact), the message is its, from the participant
    assert len(GROUP) > 60
    [group] = await WhatsAppGroup.all()
    assert (group.meta_id, group.phone_number_id) == (GROUP, PHONE_NUMBER_ID)
    [message] = await WhatsAppMessage.all()
    assert message.group_id == group.id
    assert (message.direction, message.type) == (MessageDirection.INBOUND, MessageType.TEXT)
    contact = await WhatsAppContact.get(id=message.contact_id)
    assert (contact.wa_id, contact.bsuid) == (PARTICIPANT, PARTICIPANT_BSUID)
    # a group message belongs to the group: no session of the participant's, and the group's
    # window (not the participant's) is open
    assert message.session_id is None
    assert await WhatsAppSession.all().count() == 0
    assert group.last_message_at == message.received_at
    assert contact.last_inbound_at is None
    [received] = await WhatsAppAnalyticsEvent.filter(name="message.received")
    assert received.properties["groupId"] == GROUP

    # and GraphQL shows the group with its message, by our id or Meta's
    found = await group_by(gql, GROUP)
    assert found["id"] == str(group.id)
    assert (await group_by(gql, str(group.id)))["metaId"] == GROUP
    assert found["messages"]["totalCount"] == 1
    node = found["messages"]["edges"][0]["node"]
    assert node == {
        "wamid": "wamid.CORPUS-GROUP-IN-1",
        "direction": "INBOUND",
        "text": "Is the meetup still on Friday?",
        "from": PARTICIPANT,
        "group": {"metaId": GROUP},
        "contact": {"bsuid": PARTICIPANT_BSUID},
        "session": None,
    }
    assert found["lastMessageAt"] is not None


async def test_first_messages_in_a_new_group_landing_together_make_one_group(
    client: httpx.AsyncClient,
) -> None:
    # given: three participants' first messages in a group wagraph has not heard of
    payloads = []
    for n in range(3):
        payload = load_case("group_message")
        item = payload["entry"][0]["changes"][0]["value"]["messages"][0]
        item.update(id=f"wamid.GROUP-RACE-{n}", **{"from": f"1650555000{n}"}, from_user_id=None)
        payload["entry"][0]["changes"][0]["value"]["contacts"] = []
        payloads.append(copy.deepcopy(payload))

    # when
    await asyncio.gather(*(post_webhook(client, payload) for payload in payloads))

    # then
    [group] = await WhatsAppGroup.all()
    assert await WhatsAppMessage.filter(group_id=group.id).count() == 3


async def test_a_group_status_with_a_long_group_id_is_stored_with_its_participant(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given: a message we sent to the group
    await post_case(client, "group_message")
    group = await WhatsAppGroup.get(meta_id=GROUP)
    await WhatsAppMessage.create(
        direction=MessageDirection.OUTBOUND,
        type=MessageType.TEXT,
        status=MessageStatus.SENT,
        phone_number_id=PHONE_NUMBER_ID,
        wamid="wamid.CORPUS-GROUP-OUT-1",
        group=group,
        text="See you Friday",
        payload={"recipient_type": "group", "to": GROUP},
    )

    # when: Meta reports it delivered to a participant (twice)
    await post_case(client, "group_status")
    await post_case(client, "group_status")

    # then: the status is kept, naming the group and the participant apart
    [row] = await WhatsAppMessageStatus.all()
    assert (row.recipient_type, row.recipient_group_id, row.recipient_participant_id) == (
        "group",
        GROUP,
        PARTICIPANT,
    )
    assert row.recipient_wa_id is None
    # no contact was made of the group's id: the participant is the only one
    assert await WhatsAppContact.all().values_list("wa_id", flat=True) == [PARTICIPANT]
    result = await gql(MESSAGE, {"id": "wamid.CORPUS-GROUP-OUT-1"})
    found = result["data"]["message"]
    assert found["status"] == "DELIVERED"
    assert found["group"] == {"metaId": GROUP}
    assert found["pricing"] == {
        "model": "PMP",
        "type": "regular",
        "category": "group_marketing",
        "billable": True,
    }
    assert found["statusHistory"] == [
        {
            "status": "DELIVERED",
            "participant": PARTICIPANT,
            "pricing": {"category": "group_marketing"},
        }
    ]


async def test_group_fields_update_the_group_and_emit_events_once(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # when: created, two join, one leaves, renamed, suspended — each delivered twice
    for case in (
        "group_lifecycle_create",
        "group_participants_add",
        "group_participants_remove",
        "group_settings_update",
        "group_status_suspend",
    ):
        payload = load_case(case)  # one copy, delivered twice
        await post_webhook(client, payload)
        await post_webhook(client, payload)

    # then
    found = await group_by(gql, GROUP)
    assert found["subject"] == "Friday meetup (5k)"
    assert found["description"] == "5k every Friday at 7"
    assert found["state"] == "SUSPENDED"
    assert found["participants"] == [{"waId": PARTICIPANT, "bsuid": PARTICIPANT_BSUID}]
    assert found["settings"]["group_subject"] == {"text": "Friday meetup (5k)"}
    assert await event_names() == [
        "group.created",
        "group.participants_added",
        "group.participants_removed",
        "group.settings_updated",
        "group.suspended",
    ]
    created = await WhatsAppAnalyticsEvent.get(name="group.created")
    assert created.properties["groupId"] == GROUP
    assert created.properties["subject"] == "Friday meetup"
    listed = (await gql(GROUPS))["data"]["groups"]
    assert listed == {
        "totalCount": 1,
        "edges": [{"node": {"metaId": GROUP, "subject": "Friday meetup (5k)"}}],
    }


async def test_a_failed_group_change_changes_nothing_and_says_so(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given
    await post_case(client, "group_lifecycle_create")
    failed = load_case("group_lifecycle_create")
    entry = failed["entry"][0]["changes"][0]["value"]["groups"][0]
    entry.update(
        type="group_delete",
        errors=[{"code": 131215, "title": "Group deletion failed", "message": "Try later"}],
    )

    # when
    await post_webhook(client, failed)

    # then
    assert (await group_by(gql, GROUP))["state"] == "ACTIVE"
    assert await event_names() == ["group.created", "group.deleted_failed"]


async def test_each_participants_report_of_a_group_message_is_kept_once(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    # given: a message we sent to the group
    await post_case(client, "group_message")
    group = await WhatsAppGroup.get(meta_id=GROUP)
    message = await WhatsAppMessage.create(
        direction=MessageDirection.OUTBOUND,
        type=MessageType.TEXT,
        status=MessageStatus.SENT,
        phone_number_id=PHONE_NUMBER_ID,
        wamid="wamid.CORPUS-GROUP-OUT-1",
        group=group,
        text="See you Friday",
    )
    first = load_case("group_status")
    statuses = first["entry"][0]["changes"][0]["value"]["statuses"]
    second = copy.deepcopy(statuses[0])
    second["recipient_participant_id"] = ANA
    read = {**copy.deepcopy(second), "status": "read"}

    # when: two participants have it, one reads it; Meta says so in two deliveries, twice
    statuses.append(second)
    await post_webhook(client, first)
    await post_webhook(client, first, indent=1)
    await post_webhook(client, _with([read]))
    await post_webhook(client, _with([read]), indent=2)

    # then: each participant's report once; the message moved by the first of each status
    receipts = await WhatsAppGroupReceipt.filter(message_id=message.id).order_by("status")
    assert sorted((r.participant_id, r.status) for r in receipts) == [
        (ANA, MessageStatus.DELIVERED),
        (ANA, MessageStatus.READ),
        (PARTICIPANT, MessageStatus.DELIVERED),
    ]
    assert await WhatsAppMessageStatus.filter(wamid=message.wamid).count() == 2
    await message.refresh_from_db()
    assert message.status == MessageStatus.READ
    history = (await gql(MESSAGE, {"id": message.wamid}))["data"]["message"]["statusHistory"]
    assert sorted((h["participant"], h["status"]) for h in history) == [
        (ANA, "DELIVERED"),
        (ANA, "READ"),
        (PARTICIPANT, "DELIVERED"),
    ]
    assert await WhatsAppAnalyticsEvent.filter(name="message.read").count() == 1


def _with(statuses: list[dict[str, Any]]) -> dict[str, Any]:
    envelope = load_case("group_status")
    envelope["entry"][0]["changes"][0]["value"]["statuses"] = statuses
    return envelope
