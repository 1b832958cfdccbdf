"""Scheduling through GraphQL: schedule, list, cancel, reschedule — with input errors as data."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import MessageStatus, WhatsAppAnalyticsEvent, WhatsAppMessage, WhatsAppTemplate
from sandbox import Sandbox
from tests.conftest import WABA_ID, GraphQL
from tests.resolvers.test_messages_send import SEND, graph_requests
from tests.resolvers.test_messages_template_reaction_read import TEMPLATE
from whatsapp.kit.clock import utcnow

pytestmark = pytest.mark.usefixtures("customer")

CANCEL = (
    "mutation($id: ID!) { cancelScheduledMessage(id: $id) { message { id status } "
    "errors { code field message } } }"
)
RESCHEDULE = (
    "mutation($id: ID!, $at: DateTime!) { rescheduleMessage(id: $id, scheduleFor: $at) "
    "{ message { id status scheduledFor } errors { code field message } } }"
)
SCHEDULED = "{ messages(filter: {status: [SCHEDULED]}) { totalCount edges { node { id } } } }"


def later(minutes: int = 30) -> str:
    return (utcnow() + timedelta(minutes=minutes)).isoformat()


async def schedule(gql: GraphQL, minutes: int = 30) -> dict[str, object]:
    result = await gql(
        SEND,
        {
            "input": {
                "to": "15551234567",
                "scheduleFor": later(minutes),
                "content": {"text": {"body": "later"}},
            }
        },
    )
    assert result["data"]["sendMessage"]["errors"] == []
    return result["data"]["sendMessage"]["message"]


async def test_a_scheduled_message_is_stored_not_sent(gql: GraphQL, sandbox: Sandbox) -> None:
    message = await schedule(gql)

    assert message["status"] == "SCHEDULED"
    assert graph_requests(sandbox) == []
    row = await WhatsAppMessage.get(id=message["id"])
    assert row.payload is not None  # built and validated now
    assert row.next_attempt_at == row.scheduled_for
    listed = (await gql(SCHEDULED))["data"]["messages"]
    assert [e["node"]["id"] for e in listed["edges"]] == [message["id"]]
    assert await WhatsAppAnalyticsEvent.filter(name="message.scheduled").count() == 1


@pytest.mark.parametrize(
    ("when", "fragment"),
    [
        (lambda: (utcnow() - timedelta(minutes=1)).isoformat(), "future"),
        (lambda: (utcnow() + timedelta(days=31)).isoformat(), "30 days"),
    ],
)
async def test_bad_schedule_times_are_input_errors(
    gql: GraphQL, sandbox: Sandbox, when: object, fragment: str
) -> None:
    result = await gql(
        SEND,
        {
            "input": {
                "to": "15551234567",
                "scheduleFor": when(),  # type: ignore[operator]
                "content": {"text": {"body": "x"}},
            }
        },
    )

    error = result["data"]["sendMessage"]["errors"][0]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", ["input", "scheduleFor"])
    assert fragment in error["message"]
    assert await WhatsAppMessage.filter(direction="OUTBOUND").count() == 0


async def test_free_form_cannot_be_scheduled_past_the_window(
    gql: GraphQL, sandbox: Sandbox
) -> None:
    # the customer wrote a minute ago: the window closes in 23h59m
    result = await gql(
        SEND,
        {
            "input": {
                "to": "15551234567",
                "scheduleFor": later(60 * 25),
                "content": {"text": {"body": "too late"}},
            }
        },
    )

    assert result["data"]["sendMessage"]["errors"][0]["code"] == "OUTSIDE_SERVICE_WINDOW"


async def test_template_parameters_are_checked_when_scheduled(
    gql: GraphQL, sandbox: Sandbox
) -> None:
    await WhatsAppTemplate.create(
        waba_id=WABA_ID,
        name="appointment_reminder",
        language="en_US",
        status="APPROVED",
        components=[{"type": "BODY", "text": "Hi {{1}}, see you on {{2}}."}],
    )

    result = await gql(
        TEMPLATE,
        {
            "input": {
                "to": "15557654321",
                "name": "appointment_reminder",
                "language": "en_US",
                "scheduleFor": later(60 * 48),
                "body": [{"text": "Ana"}],
            }
        },
    )

    assert result["data"]["sendTemplate"]["errors"][0]["code"] == "TEMPLATE_PARAMETER_MISMATCH"
    assert await WhatsAppMessage.filter(direction="OUTBOUND").count() == 0


async def test_cancel(gql: GraphQL, sandbox: Sandbox) -> None:
    message = await schedule(gql)

    first = await gql(CANCEL, {"id": message["id"]})
    again = await gql(CANCEL, {"id": message["id"]})

    assert first["data"]["cancelScheduledMessage"]["message"]["status"] == "CANCELLED"
    assert again["data"]["cancelScheduledMessage"]["errors"][0]["code"] == "NOT_CANCELLABLE"
    assert (await gql(SCHEDULED))["data"]["messages"]["totalCount"] == 0


async def test_cancel_unknown_is_not_found(gql: GraphQL) -> None:
    result = await gql(CANCEL, {"id": "00000000-0000-0000-0000-000000000000"})

    assert result["data"]["cancelScheduledMessage"]["errors"][0]["code"] == "NOT_FOUND"


async def test_reschedule(gql: GraphQL, sandbox: Sandbox) -> None:
    message = await schedule(gql)
    new_time = utcnow() + timedelta(hours=2)

    result = await gql(RESCHEDULE, {"id": message["id"], "at": new_time.isoformat()})

    assert result["data"]["rescheduleMessage"]["errors"] == []
    row = await WhatsAppMessage.get(id=message["id"])
    assert abs((row.scheduled_for - new_time).total_seconds()) < 1  # type: ignore[operator]
    assert row.next_attempt_at == row.scheduled_for


async def test_a_sent_message_cannot_be_rescheduled(gql: GraphQL, sandbox: Sandbox) -> None:
    sent = await gql(SEND, {"input": {"to": "15551234567", "content": {"text": {"body": "now"}}}})

    result = await gql(
        RESCHEDULE, {"id": sent["data"]["sendMessage"]["message"]["id"], "at": later()}
    )

    assert result["data"]["rescheduleMessage"]["errors"][0]["code"] == "NOT_CANCELLABLE"
    row = await WhatsAppMessage.get(id=sent["data"]["sendMessage"]["message"]["id"])
    assert row.status == MessageStatus.SENT


# -- error paths start at the mutation's own arguments -----------------------------------------


async def test_id_and_time_errors_point_at_the_arguments(gql: GraphQL, sandbox: Sandbox) -> None:
    # given
    message = await schedule(gql)
    past = (utcnow() - timedelta(minutes=1)).isoformat()

    # when
    malformed = await gql(CANCEL, {"id": "not-an-id"})
    unknown = await gql(RESCHEDULE, {"id": "00000000-0000-0000-0000-000000000000", "at": later()})
    too_early = await gql(RESCHEDULE, {"id": message["id"], "at": past})

    # then
    assert [
        (e["code"], e["field"])
        for e in (
            malformed["data"]["cancelScheduledMessage"]["errors"][0],
            unknown["data"]["rescheduleMessage"]["errors"][0],
            too_early["data"]["rescheduleMessage"]["errors"][0],
        )
    ] == [("INVALID_INPUT", ["id"]), ("NOT_FOUND", ["id"]), ("INVALID_INPUT", ["scheduleFor"])]
    assert malformed["data"]["cancelScheduledMessage"]["errors"][0]["message"] == (
        "Not a valid message id"
    )
