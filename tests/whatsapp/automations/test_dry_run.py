"""The dry run: would an automation fire on a recorded event, and what would each action do —
with nothing written and nothing sent (no run, message, event, Meta request, HTTP or mail)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from models import (
    AutomationRunStatus,
    ConsentState,
    WhatsAppAnalyticsEvent,
    WhatsAppAutomationRun,
    WhatsAppContact,
    WhatsAppMessage,
    WhatsAppTemplate,
)
from sandbox import Sandbox
from tests.conftest import CUSTOMER
from tests.whatsapp.automations.factories import (
    contact_event,
    make_automation,
    run_once,
    shipped_event,
)
from tests.whatsapp.automations.operators import (
    OPS_FROM,
    OPS_TO,
    Inbox,
    Mailbox,
    channels_for,
    configured,
)
from tests.whatsapp.messages.test_marketing_route import SPRING_SALE, at_meta
from whatsapp.automations import runner
from whatsapp.automations.channels import NotifyChannels
from whatsapp.automations.dry_run import ActionPreview, ConditionCheck, dry_run
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.runtime import Runtime
from whatsapp.templates.sync import sync_templates

SPRING = {
    "type": "template",
    "name": "spring_sale",
    "language": "en_US",
    "body": [{"text": "{{contact.profileName}}"}],
}


@dataclass
class World:
    """Everything a dry run could touch, to show afterwards that it touched none of it."""

    sandbox: Sandbox
    inbox: Inbox
    mailbox: Mailbox

    async def counts(self) -> dict[str, Any]:
        contact = await WhatsAppContact.get_or_none(wa_id=CUSTOMER)
        return {
            "runs": await WhatsAppAutomationRun.all().count(),
            "messages": await WhatsAppMessage.all().count(),
            "events": await WhatsAppAnalyticsEvent.all().count(),
            "templates": await WhatsAppTemplate.all().count(),
            "tags": contact.tags if contact else None,
            "meta": len(self.sandbox.requests),
            "webhooks": len(self.inbox.received),
            "mails": len(self.mailbox.received),
        }


@pytest.fixture
async def world(
    rt: Runtime,
    sandbox: Sandbox,
    sandbox_url: str,
    inbox: Inbox,
    mailbox: Mailbox,
    notify_channels: NotifyChannels,
) -> World:
    """Templates synced from Meta (a MARKETING one among them), then Meta's log emptied."""
    await at_meta(sandbox_url, SPRING_SALE)
    await sync_templates(rt)
    sandbox.requests.clear()
    return World(sandbox, inbox, mailbox)


@pytest.mark.usefixtures("loopback_allowed")
async def test_a_matching_event_would_fire_and_every_action_is_previewed_without_effects(
    rt: Runtime, world: World, inbox_server: tuple[Inbox, str]
) -> None:
    # given: an automation that sends, tags, calls a webhook and tells the operators
    automation = await make_automation(
        name="Shipped",
        trigger="order.*",
        conditions=[
            {"path": "order.number", "op": "eq", "value": "#42"},
            {"path": "eta", "op": "exists"},
        ],
        actions=[
            SPRING,
            {"type": "tag", "add": ["shipped"], "target": "contact"},
            {"type": "webhook", "url": inbox_server[1], "secret": "s3cret"},
            {
                "type": "notify",
                "channel": "both",
                "text": "Order {{event.properties.order.number}}",
            },
        ],
        enabled=False,
    )
    event = await shipped_event()
    before = await world.counts()

    # when
    result = await dry_run(rt, automation.id, event.id)

    # then: it matches; disabled, so it would not fire yet
    assert result.trigger_matches and result.matches
    assert result.conditions == [
        ConditionCheck("order.number", "eq", "#42", actual="#42", found=True, holds=True),
        ConditionCheck("eta", "exists", None, actual="March 3", found=True, holds=True),
    ]
    assert (result.would_fire, result.reasons) == (False, ["The automation is disabled"])
    template, tag, webhook, notify = result.actions
    assert template.ok and template.detail["to"] == CUSTOMER
    assert template.detail["template"] == {"status": "APPROVED", "category": "MARKETING"}
    assert template.detail["payload"]["template"]["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}
    ]
    assert tag == ActionPreview(
        1, "tag", ok=True, detail={"contactTags": {"before": [], "after": ["shipped"]}}
    )
    assert webhook.detail["url"] == inbox_server[1]
    assert webhook.detail["body"]["id"] is None
    assert webhook.detail["body"]["event"]["properties"] == event.properties
    assert "s3cret" not in str(webhook.detail)
    assert notify.detail["channels"] == ["webhook", "email"]
    assert notify.detail["webhook"]["host"] == "127.0.0.1"
    assert notify.detail["webhook"]["body"]["text"].startswith("Order #42\n\nAutomation: Shipped\n")
    assert notify.detail["email"] == {
        "from": OPS_FROM,
        "to": list(OPS_TO),
        "subject": "[wagraph] Shipped: order.shipped",
        "text": notify.detail["webhook"]["body"]["text"],
    }
    assert "slack-secret-token" not in str(notify.detail)
    # and nothing happened anywhere
    assert await world.counts() == before


async def test_it_says_why_it_would_not_fire(rt: Runtime, world: World) -> None:
    # given
    automation = await make_automation(
        trigger="order.shipped",
        conditions=[
            {"path": "order.id", "op": "gt", "value": 100},
            {"path": "coupon", "op": "eq", "value": "SPRING"},
        ],
    )
    other = await contact_event("order.paid", {"order": {"id": 42}})

    # when
    result = await dry_run(rt, str(automation.id), str(other.id))

    # then
    assert not result.trigger_matches and not result.matches and not result.would_fire
    assert [check.holds for check in result.conditions] == [False, False]
    assert result.reasons == [
        "The trigger 'order.shipped' does not match 'order.paid'",
        "Condition order.id gt 100 fails: 42",
        "Condition coupon eq 'SPRING' fails: missing",
    ]


async def test_an_event_caused_by_an_automation_run_triggers_none(
    rt: Runtime, world: World
) -> None:
    automation = await make_automation()
    caused = await contact_event(caused_by_automation_run_id=uuid.uuid4())

    result = await dry_run(rt, automation.id, caused.id)

    assert result.trigger_matches and result.loop_guarded
    assert not result.matches
    assert "events caused by automations trigger none" in result.reasons[0]


async def test_the_cooldown_is_judged_as_when_the_event_was_recorded(
    rt: Runtime, world: World
) -> None:
    # given: the first order fired; the second, a moment later, was skipped by the cooldown
    automation = await make_automation(cooldown_seconds=3600)
    first = await contact_event()
    await run_once(rt)
    second = await contact_event()
    statuses = [r.status for r in await WhatsAppAutomationRun.all().order_by("created_at")]
    assert statuses == [AutomationRunStatus.SUCCEEDED, AutomationRunStatus.SKIPPED]

    # when / then: the dry run gives each event the answer the matcher gave it
    assert (await dry_run(rt, automation.id, first.id)).would_fire
    later = await dry_run(rt, automation.id, second.id)
    assert not later.would_fire and later.matches
    assert later.cooldown is not None and later.cooldown.startswith("Cooldown: run ")
    assert later.reasons == [later.cooldown]
    assert await runner.run_pending(rt) == 0


async def test_a_marketing_template_to_an_opted_out_contact_would_be_skipped(
    rt: Runtime, world: World
) -> None:
    automation = await make_automation(trigger="order.shipped", actions=[SPRING])
    event = await shipped_event()
    await WhatsAppContact.filter(wa_id=CUSTOMER).update(
        marketing_consent=ConsentState.OPTED_OUT,
        marketing_consent_source="keyword",
        marketing_consent_at=utcnow(),
    )

    [preview] = (await dry_run(rt, automation.id, event.id)).actions

    assert preview.ok and preview.skipped
    assert "opted out of marketing messages" in preview.detail["reason"]


async def test_action_problems_are_shown_and_the_others_still_previewed(
    rt: Runtime, world: World, inbox_server: tuple[Inbox, str]
) -> None:
    # given: a template Meta paused, a placeholder the event lacks, a channel lost since saving
    await WhatsAppTemplate.filter(name="spring_sale").update(status="PAUSED")
    automation = await make_automation(
        trigger="order.shipped",
        actions=[
            SPRING,
            {"type": "notify", "channel": "webhook", "text": "{{event.properties.nope}}"},
            {"type": "notify", "channel": "email"},
            {"type": "tag", "add": ["seen"]},
        ],
    )
    event = await shipped_event()

    # when: only the webhook channel is configured now
    with configured(channels_for(inbox_server[1], None)):
        template, text, email, tag = (await dry_run(rt, automation.id, event.id)).actions

    # then: each says what is wrong, and the tag is still previewed
    assert (template.ok, template.detail) == (False, {"code": "TEMPLATE_NOT_APPROVED"})
    assert template.error == (
        "Template spring_sale (en_US) is PAUSED; only APPROVED templates can be sent"
    )
    assert (text.ok, text.error) == (
        False,
        "Placeholder {{event.properties.nope}} has no value for this event",
    )
    assert (email.ok, email.detail) == (False, {"code": "CONFIGURATION_ERROR"})
    assert email.error == (
        "The email channel is not configured: set WAGRAPH_SMTP_URL, "
        "WAGRAPH_NOTIFY_EMAIL_FROM and WAGRAPH_NOTIFY_EMAIL_TO"
    )
    assert tag.ok and tag.detail["contactTags"]["after"] == ["seen"]
    assert world.inbox.received == []


async def test_a_template_not_stored_here_is_not_looked_up_at_meta(
    rt: Runtime, world: World
) -> None:
    automation = await make_automation(
        trigger="order.shipped",
        actions=[{**SPRING, "name": "never_synced"}],
    )
    event = await shipped_event()

    [preview] = (await dry_run(rt, automation.id, event.id)).actions

    assert preview.ok and preview.detail["template"] is None
    assert preview.detail["note"] == (
        "The template is not stored here: the run would look it up at Meta first"
    )
    assert world.sandbox.requests == []


@pytest.mark.parametrize("which", ["automation", "event"])
async def test_an_unknown_automation_or_event_is_not_found(
    rt: Runtime, world: World, which: str
) -> None:
    automation = await make_automation()
    event = await contact_event()
    unknown = "00000000-0000-4000-8000-000000000000"

    ids = (unknown, event.id) if which == "automation" else (automation.id, unknown)

    with pytest.raises(WagraphError) as missing:
        await dry_run(rt, *ids)

    assert missing.value.code == ErrorCode.NOT_FOUND
    assert missing.value.problems[0].field == (("id",) if which == "automation" else ("eventId",))
