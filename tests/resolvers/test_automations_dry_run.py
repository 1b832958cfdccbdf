"""Over GraphQL: `testAutomation` (a dry run, read scope, nothing written or sent) and the
`notify` action refused while its channel is not configured."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from models import WhatsAppAnalyticsEvent, WhatsAppAutomationRun, WhatsAppMessage
from sandbox import Sandbox
from tests.conftest import GraphQL
from tests.whatsapp.automations.factories import contact_event, shipped_event
from tests.whatsapp.automations.operators import (
    Inbox,
    Mailbox,
    channels_for,
    configured,
    inbox_at,
    mailbox_at,
)
from whatsapp.automations.channels import NotifyChannels
from whatsapp.events.log import emit_event

TEST = """
query T($id: ID!, $eventId: ID!) {
  testAutomation(id: $id, eventId: $eventId) {
    automation { id name enabled }
    event { id name properties }
    triggerMatches
    conditions { path op value actual found holds }
    loopGuarded
    cooldown
    matches
    wouldFire
    reasons
    actions { index type ok skipped detail error }
  }
}"""

CREATE = """
mutation C($input: CreateAutomationInput!) {
  createAutomation(input: $input) {
    automation { id actions }
    errors { code message field }
  }
}"""

SET_ENABLED = """
mutation E($id: ID!, $enabled: Boolean!) {
  setAutomationEnabled(id: $id, enabled: $enabled) {
    automation { id enabled }
    errors { code message field }
  }
}"""

QUALITY_ALERT = {
    "name": "Number quality alert",
    "trigger": "phone_number.quality_updated",
    "conditions": [{"path": "qualityRating", "op": "EQ", "value": "RED"}],
    "actions": [
        {
            "type": "notify",
            "channel": "both",
            "text": "{{event.properties.displayPhoneNumber}} is {{event.properties.qualityRating}}",
        },
        {"type": "webhook", "url": "https://crm.example.com/alerts"},
    ],
    "cooldownSeconds": 0,
}


@pytest.fixture(scope="module")
async def receivers() -> AsyncIterator[tuple[Inbox, str, Mailbox, int]]:
    async with inbox_at() as (inbox, url), mailbox_at() as (mailbox, port):
        yield inbox, url, mailbox, port


@pytest.fixture
def channels(receivers: tuple[Inbox, str, Mailbox, int]) -> Iterator[NotifyChannels]:
    inbox, url, mailbox, port = receivers
    inbox.reset()
    mailbox.reset()
    with configured(channels_for(url, port)) as configured_channels:
        yield configured_channels


async def create(gql: GraphQL, **overrides: Any) -> dict[str, Any]:
    result = await gql(CREATE, {"input": {**QUALITY_ALERT, **overrides}})
    payload: dict[str, Any] = result["data"]["createAutomation"]
    return payload


async def test_a_reader_can_test_an_automation_on_a_past_event_and_nothing_happens(
    client: httpx.AsyncClient,
    gql: GraphQL,
    read_key: str,
    sandbox: Sandbox,
    channels: NotifyChannels,
    receivers: tuple[Inbox, str, Mailbox, int],
) -> None:
    # given: yesterday's drop to RED, recorded before the automation existed
    red = await emit_event(
        "phone_number.quality_updated",
        source="webhook",
        properties={"qualityRating": "RED", "displayPhoneNumber": "+1 555-078-3881"},
    )
    automation = (await create(gql))["automation"]
    events_before = await WhatsAppAnalyticsEvent.all().count()

    # when: a read key asks
    result = await GraphQL(client, read_key)(TEST, {"id": automation["id"], "eventId": str(red.id)})

    # then
    assert "errors" not in result, result
    test = result["data"]["testAutomation"]
    assert test["automation"]["name"] == "Number quality alert"
    assert test["event"]["id"] == str(red.id)
    assert test["triggerMatches"] and test["matches"] and test["wouldFire"]
    assert (test["loopGuarded"], test["cooldown"], test["reasons"]) == (False, None, [])
    assert test["conditions"] == [
        {
            "path": "qualityRating",
            "op": "EQ",
            "value": "RED",
            "actual": "RED",
            "found": True,
            "holds": True,
        }
    ]
    notify, webhook = test["actions"]
    assert (notify["index"], notify["type"], notify["ok"], notify["skipped"]) == (
        0,
        "notify",
        True,
        False,
    )
    assert notify["detail"]["webhook"]["body"]["text"].startswith("+1 555-078-3881 is RED\n\n")
    assert notify["detail"]["email"]["subject"] == (
        "[wagraph] Number quality alert: phone_number.quality_updated"
    )
    assert webhook["detail"]["method"] == "POST"
    assert webhook["detail"]["url"] == "https://crm.example.com/alerts"
    assert webhook["detail"]["body"]["event"]["name"] == "phone_number.quality_updated"
    # nothing written, nothing sent
    inbox, _, mailbox, _ = receivers
    assert await WhatsAppAutomationRun.all().count() == 0
    assert await WhatsAppMessage.all().count() == 0
    assert await WhatsAppAnalyticsEvent.all().count() == events_before
    assert (inbox.received, mailbox.received, sandbox.requests) == ([], [], [])


async def test_a_non_matching_event_says_why(gql: GraphQL, channels: NotifyChannels) -> None:
    automation = (await create(gql))["automation"]
    order = await contact_event("order.paid")

    result = await gql(TEST, {"id": automation["id"], "eventId": str(order.id)})

    test = result["data"]["testAutomation"]
    assert (test["triggerMatches"], test["matches"], test["wouldFire"]) == (False, False, False)
    assert test["conditions"][0]["found"] is False
    assert test["reasons"] == [
        "The trigger 'phone_number.quality_updated' does not match 'order.paid'",
        "Condition qualityRating eq 'RED' fails: missing",
    ]


async def test_an_unknown_event_is_not_found(gql: GraphQL, channels: NotifyChannels) -> None:
    automation = (await create(gql))["automation"]

    for event_id, code in (
        ("00000000-0000-4000-8000-000000000000", "NOT_FOUND"),
        ("not-an-id", "INVALID_INPUT"),
    ):
        result = await gql(TEST, {"id": automation["id"], "eventId": event_id})

        assert result["data"] == {"testAutomation": None}
        [error] = result["errors"]
        assert (error["path"], error["extensions"]["code"]) == (["testAutomation"], code)


async def test_a_notify_to_an_unconfigured_channel_is_refused_on_create_and_enable(
    gql: GraphQL, receivers: tuple[Inbox, str, Mailbox, int]
) -> None:
    # given: only the chat webhook is configured
    _, url, _, _ = receivers
    with configured(channels_for(url, None)):
        # when
        refused = await create(gql)
        created = await create(
            gql, actions=[{"type": "notify", "channel": "webhook"}], enabled=False
        )

    # then: e-mail is refused where it is named
    assert refused["automation"] is None
    assert refused["errors"] == [
        {
            "code": "CONFIGURATION_ERROR",
            "message": "The email channel is not configured: set WAGRAPH_SMTP_URL, "
            "WAGRAPH_NOTIFY_EMAIL_FROM and WAGRAPH_NOTIFY_EMAIL_TO",
            "field": ["input", "actions", "0", "channel"],
        }
    ]
    # and a saved one cannot be enabled once the webhook is gone from the settings
    with configured(NotifyChannels()):
        result = await gql(SET_ENABLED, {"id": created["automation"]["id"], "enabled": True})
    payload = result["data"]["setAutomationEnabled"]
    assert payload["automation"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("CONFIGURATION_ERROR", ["actions", "0", "channel"])
    ]


async def test_a_dry_run_of_a_shipped_order_previews_the_tag(
    gql: GraphQL, channels: NotifyChannels
) -> None:
    automation = (
        await create(
            gql,
            trigger="order.shipped",
            conditions=[],
            actions=[{"type": "tag", "add": ["shipped"], "target": "contact"}],
        )
    )["automation"]
    event = await shipped_event()

    result = await gql(TEST, {"id": automation["id"], "eventId": str(event.id)})

    [tag] = result["data"]["testAutomation"]["actions"]
    assert tag["detail"] == {"contactTags": {"before": [], "after": ["shipped"]}}
