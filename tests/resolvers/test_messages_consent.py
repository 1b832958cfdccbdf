"""Sends and marketing consent: a MARKETING template to a customer who opted out is refused
before Meta (immediate, scheduled, automation) while a UTILITY one still goes; an
AUTHENTICATION template never goes to a BSUID; Meta's 131049 is not retried within 24 hours."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from models import (
    AutomationRunStatus,
    ConsentState,
    MessageStatus,
    WhatsAppAnalyticsEvent,
    WhatsAppAutomationRun,
    WhatsAppMessage,
)
from sandbox import Sandbox
from tests.conftest import GraphQL
from tests.resolvers.test_messages_send import graph_requests
from tests.resolvers.test_messages_template_reaction_read import TEMPLATE
from tests.webhooks.cases import post_case
from tests.whatsapp.automations.factories import make_automation
from tests.whatsapp.messages.test_marketing_route import at_meta, body_only
from whatsapp.automations import runner
from whatsapp.conversations.contacts import find_contact
from whatsapp.kit.clock import utcnow
from whatsapp.messages import scheduling
from whatsapp.runtime import Runtime

MARTA_NUMBER, MARTA_BSUID = "15550102002", "US.10293847561029384756"
LEO_NUMBER = "15550103003"  # the sandbox's customer capped by Meta's marketing limit (131049)
PROMO, RECEIPT, LOGIN = "spring_sale", "welcome_offer", "login_code"


@pytest.fixture
async def templates(sandbox: Sandbox, sandbox_url: str) -> None:
    await at_meta(
        sandbox_url,
        body_only(PROMO, "MARKETING"),
        body_only(RECEIPT, "UTILITY"),
        body_only(LOGIN, "AUTHENTICATION"),
    )


@pytest.fixture
def rt(client: httpx.AsyncClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


async def send(gql: GraphQL, name: str, to: str = MARTA_NUMBER, **extra: Any) -> dict[str, Any]:
    variables = {"to": to, "name": name, "language": "en_US", "body": [{"text": "Ana"}], **extra}
    result = await gql(TEMPLATE, {"input": variables})
    payload: dict[str, Any] = result["data"]["sendTemplate"]
    return payload


def sent_templates(sandbox: Sandbox) -> list[str]:
    return [r["template"]["name"] for r in graph_requests(sandbox)]


@pytest.mark.usefixtures("templates")
async def test_marketing_is_refused_to_an_opted_out_customer_and_utility_still_goes(
    client: httpx.AsyncClient, gql: GraphQL, sandbox: Sandbox
) -> None:
    # given: the customer pressed Stop
    await post_case(client, "preferences_stop")

    # when: by number and by BSUID
    promo = await send(gql, PROMO)
    promo_by_bsuid = await send(gql, PROMO, to=MARTA_BSUID)
    receipt = await send(gql, RECEIPT)

    # then
    for refused in (promo, promo_by_bsuid):
        assert refused["message"] is None
        [error] = refused["errors"]
        assert (error["code"], error["field"], error["cloudApiCode"]) == (
            "OPTED_OUT",
            ["input", "to"],
            None,
        )
        assert "opted out of marketing messages" in error["message"]
    assert (receipt["errors"], receipt["message"]["status"]) == ([], "SENT")
    assert sent_templates(sandbox) == [RECEIPT]
    assert await WhatsAppMessage.filter(template_name=PROMO).count() == 0


@pytest.mark.usefixtures("templates")
async def test_a_scheduled_marketing_template_fails_when_due_if_the_customer_opted_out(
    client: httpx.AsyncClient, gql: GraphQL, sandbox: Sandbox, rt: Runtime
) -> None:
    # given: both scheduled while the customer still accepted marketing
    due = utcnow() + timedelta(minutes=5)
    promo = await send(gql, PROMO, scheduleFor=due.isoformat())
    receipt = await send(gql, RECEIPT, scheduleFor=due.isoformat())
    assert promo["errors"] == receipt["errors"] == []

    # when: they opt out, then the messages fall due
    await post_case(client, "preferences_stop")
    flushed = await scheduling.process_scheduled_messages(rt, now=due)
    again = await scheduling.process_scheduled_messages(rt, now=due + timedelta(hours=1))

    # then: the promotion failed with OPTED_OUT, once and for good; the receipt went
    assert (flushed.sent, flushed.failed, again.claimed) == (1, 1, 0)
    assert sent_templates(sandbox) == [RECEIPT]
    failed = await WhatsAppMessage.get(id=promo["message"]["id"])
    assert failed.status == MessageStatus.FAILED
    assert (failed.error_title or "").startswith("OPTED_OUT")
    event = await WhatsAppAnalyticsEvent.get(name="template.failed", message_id=failed.id)
    assert event.properties["reason"] == "opted_out"
    assert (await WhatsAppMessage.get(id=receipt["message"]["id"])).status == MessageStatus.SENT


@pytest.mark.usefixtures("templates")
async def test_an_automations_marketing_template_is_skipped_with_its_reason(
    client: httpx.AsyncClient, sandbox: Sandbox, rt: Runtime
) -> None:
    # given: one automation sends a promotion, another a receipt, when the customer opts out
    def action(name: str) -> dict[str, Any]:
        return {"type": "template", "name": name, "language": "en_US", "body": [{"text": "Ana"}]}

    promo = await make_automation(
        name="promo", trigger="contact.opted_out", actions=[action(PROMO)]
    )
    receipt = await make_automation(
        name="receipt", trigger="contact.opted_out", actions=[action(RECEIPT)]
    )

    # when
    await post_case(client, "preferences_stop")
    assert await runner.run_pending(rt) == 2

    # then
    skipped = await WhatsAppAutomationRun.get(automation_id=promo.id)
    assert skipped.status == AutomationRunStatus.SKIPPED
    assert skipped.error is not None and "opted out of marketing messages" in skipped.error
    [entry] = skipped.results
    assert (entry["ok"], entry["skipped"], entry["detail"]["code"]) == (True, True, "OPTED_OUT")
    went = await WhatsAppAutomationRun.get(automation_id=receipt.id)
    assert went.status == AutomationRunStatus.SUCCEEDED, went.error
    assert sent_templates(sandbox) == [RECEIPT]


@pytest.mark.usefixtures("templates", "customer")
async def test_an_authentication_template_is_not_sent_to_a_bsuid(
    gql: GraphQL, sandbox: Sandbox
) -> None:
    refused = await send(gql, LOGIN, to="US.13491208655302741918")
    by_number = await send(gql, LOGIN, to="15551234567")

    [error] = refused["errors"]
    assert (error["code"], error["field"]) == ("INVALID_RECIPIENT", ["input", "to"])
    assert "131062" in error["message"]
    assert by_number["errors"] == []
    assert sent_templates(sandbox) == [LOGIN]


@pytest.mark.usefixtures("templates")
async def test_a_parent_bsuid_is_not_a_recipient(gql: GraphQL, sandbox: Sandbox) -> None:
    refused = await send(gql, RECEIPT, to="US.ENT.11815799212886844830")

    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("INVALID_RECIPIENT", ["input", "to"])
    ]
    assert sandbox.requests == []


@pytest.mark.usefixtures("templates")
async def test_metas_marketing_limit_is_not_retried_within_24_hours(
    gql: GraphQL, sandbox: Sandbox, sandbox_url: str, rt: Runtime
) -> None:
    # given: a scheduled promotion that Meta holds back once (131049, at send time)
    due = utcnow() + timedelta(minutes=5)
    promo = await send(gql, PROMO, to=LEO_NUMBER, scheduleFor=due.isoformat())
    async with httpx.AsyncClient(base_url=sandbox_url) as http:
        faults = {"queue": [{"kind": "error", "code": 131049}], "path_contains": "messages"}
        (await http.post("/_sandbox/faults", json=faults)).raise_for_status()

    # when: due, then again within the day, then after it
    before = utcnow()
    first = await scheduling.process_scheduled_messages(rt, now=due)
    message = await WhatsAppMessage.get(id=promo["message"]["id"])
    within = await scheduling.process_scheduled_messages(rt, now=due + timedelta(hours=23))
    after = await scheduling.process_scheduled_messages(
        rt, now=due + timedelta(hours=24, seconds=1)
    )

    # then: back to SCHEDULED for 24 h (Meta's code kept), not tried within, tried after
    assert (first.retried, within.claimed, after.claimed) == (1, 0, 1)
    assert (message.status, message.error_code, message.attempts) == (
        MessageStatus.SCHEDULED,
        131049,
        1,
    )
    assert message.next_attempt_at is not None
    assert before + timedelta(hours=24) <= message.next_attempt_at <= utcnow() + timedelta(hours=24)
    assert len(graph_requests(sandbox)) == 1  # the faulted request is not recorded as a send


@pytest.mark.usefixtures("templates")
async def test_an_immediate_send_held_back_by_metas_marketing_limit_returns_the_error(
    gql: GraphQL, sandbox_url: str
) -> None:
    async with httpx.AsyncClient(base_url=sandbox_url) as http:
        faults = {"queue": [{"kind": "error", "code": 131049}], "path_contains": "messages"}
        (await http.post("/_sandbox/faults", json=faults)).raise_for_status()

    held = await send(gql, PROMO, to=LEO_NUMBER)

    assert held["message"]["status"] == "FAILED"
    assert [(e["code"], e["cloudApiCode"]) for e in held["errors"]] == [("CLOUD_API_ERROR", 131049)]


@pytest.mark.usefixtures("templates")
async def test_metas_131050_at_send_time_opts_the_customer_out(
    gql: GraphQL, sandbox_url: str
) -> None:
    async with httpx.AsyncClient(base_url=sandbox_url) as http:
        faults = {"queue": [{"kind": "error", "code": 131050}], "path_contains": "messages"}
        (await http.post("/_sandbox/faults", json=faults)).raise_for_status()

    refused = await send(gql, PROMO)
    again = await send(gql, PROMO)

    assert refused["message"]["status"] == "FAILED"
    assert [(e["code"], e["cloudApiCode"]) for e in refused["errors"]] == [("OPTED_OUT", 131050)]
    contact = await find_contact(wa_id=MARTA_NUMBER)
    assert contact is not None
    assert (contact.marketing_consent, contact.marketing_consent_source) == (
        ConsentState.OPTED_OUT,
        "cloud_api",
    )
    assert [(e["code"], e["cloudApiCode"]) for e in again["errors"]] == [("OPTED_OUT", None)]
    assert again["message"] is None  # refused before Meta this time
