"""The `notify` action: checked against the configured channels when saved and enabled, and
posting the operator message to a real Slack-style incoming webhook.

E-mail over SMTP is in test_actions_notify_email.py.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from models import AutomationRunStatus, WhatsAppAutomationRun
from tests.conftest import CUSTOMER
from tests.whatsapp.automations.factories import make_automation, run_once, shipped_event
from tests.whatsapp.automations.operators import (
    OPS_TO,
    SLACK_TOKEN_PATH,
    Inbox,
    Mailbox,
    channels_for,
    configured,
)
from whatsapp.automations import definitions, runner
from whatsapp.automations.channels import NotifyChannels
from whatsapp.events.log import emit_event
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.runtime import Runtime

NOTIFY_WEBHOOK = {"type": "notify", "channel": "webhook"}
QUALITY_RED = {
    "qualityRating": "RED",
    "previousRating": "YELLOW",
    "event": "DOWNGRADE",
    "displayPhoneNumber": "+1 555-078-3881",
}
TAG_FIRST = {"type": "tag", "add": ["alerted"], "target": "contact"}


# -- saved and enabled only with configured channels ----------------------------------------------


async def test_a_notify_to_an_unconfigured_channel_is_refused_when_saved() -> None:
    # given: no channel configured (the default)
    with configured(NotifyChannels()), pytest.raises(WagraphError) as refused:
        # when
        await make_automation(actions=[{"type": "notify", "channel": "email"}])

    # then
    [problem] = refused.value.problems
    assert problem.code == ErrorCode.CONFIGURATION_ERROR
    assert problem.field == ("actions", "0", "channel")
    assert problem.message == (
        "The email channel is not configured: set WAGRAPH_SMTP_URL, "
        "WAGRAPH_NOTIFY_EMAIL_FROM and WAGRAPH_NOTIFY_EMAIL_TO"
    )


async def test_both_channels_need_both_configured(inbox_server: tuple[Inbox, str]) -> None:
    with configured(channels_for(inbox_server[1], None)), pytest.raises(WagraphError) as refused:
        await make_automation(actions=[TAG_FIRST, {"type": "notify", "channel": "both"}])

    assert [(p.code, p.field) for p in refused.value.problems] == [
        (ErrorCode.CONFIGURATION_ERROR, ("actions", "1", "channel"))
    ]
    assert "email channel is not configured" in refused.value.problems[0].message


async def test_enabling_checks_the_channels_again(notify_channels: NotifyChannels) -> None:
    # given: saved (disabled) while the webhook was configured
    automation = await make_automation(actions=[NOTIFY_WEBHOOK], enabled=False)

    # when: the settings lost it, then someone enables the automation
    with configured(NotifyChannels()), pytest.raises(WagraphError) as refused:
        await definitions.set_automation_enabled(automation.id, enabled=True)

    # then: refused, and still disabled; disabling never needs the channel
    assert refused.value.code == ErrorCode.CONFIGURATION_ERROR
    assert refused.value.problems[0].field == ("actions", "0", "channel")
    assert (await definitions.get_automation(automation.id)).enabled is False  # type: ignore[union-attr]
    with configured(NotifyChannels()):
        assert (
            await definitions.set_automation_enabled(automation.id, enabled=False)
        ).enabled is False
    assert (await definitions.set_automation_enabled(automation.id, enabled=True)).enabled is True


@pytest.mark.parametrize(
    ("action", "field", "message"),
    [
        ({}, ("channel",), "channel must be one of webhook, email, both"),
        ({"channel": "sms"}, ("channel",), "channel must be one of"),
        ({"channel": "webhook", "to": "x@y.z"}, ("to",), "Unknown key 'to'"),
        ({"channel": "webhook", "text": ""}, ("text",), "text must be 1-4000 characters"),
        ({"channel": "webhook", "text": "{{event.secret}}"}, ("text",), "Unknown placeholder"),
        ({"channel": "webhook", "subject": "Hi"}, ("subject",), "subject is for e-mail"),
        ({"channel": "email", "subject": "x" * 201}, ("subject",), "1-200 characters"),
        ({"channel": "webhook", "details": "yes"}, ("details",), "details must be true or false"),
    ],
)
async def test_a_malformed_notify_is_refused_with_its_path(
    notify_channels: NotifyChannels, action: dict[str, Any], field: tuple[str, ...], message: str
) -> None:
    with pytest.raises(WagraphError) as refused:
        await make_automation(actions=[{"type": "notify", **action}])

    [problem] = refused.value.problems
    assert problem.code == ErrorCode.INVALID_INPUT
    assert problem.field == ("actions", "0", *field)
    assert message in problem.message


# -- the webhook channel --------------------------------------------------------------------------


async def test_notify_posts_the_event_details_to_the_incoming_webhook(
    rt: Runtime, inbox: Inbox, notify_channels: NotifyChannels
) -> None:
    # given
    await make_automation(name="Shipping watch", trigger="order.shipped", actions=[NOTIFY_WEBHOOK])
    event = await shipped_event()

    # when
    run = await run_once(rt)

    # then
    assert run.status == AutomationRunStatus.SUCCEEDED, run.error
    assert run.results[0]["detail"] == {"channels": {"webhook": {"status": 200, "attempts": 1}}}
    assert inbox.texts == [
        "Shipping watch: order.shipped\n\n"
        "Automation: Shipping watch\n"
        f"Event: order.shipped from shop at {event.created_at.isoformat()}\n"
        f"Event id: {event.id}\n"
        f"Contact: {CUSTOMER} (Ana)\n"
        "eta: March 3\n"
        'order: {"id":42,"number":"#42"}'
    ]


async def test_the_text_fills_placeholders_and_escapes_what_the_event_says(
    rt: Runtime, inbox: Inbox, notify_channels: NotifyChannels
) -> None:
    # given: an operator who pings the channel, and a customer whose note tries to
    await make_automation(
        name="VIP on order",
        trigger="order.shipped",
        actions=[
            {
                "type": "notify",
                "channel": "webhook",
                "text": "<!channel> {{automation.name}}: order {{event.properties.order.number}} "
                "says {{event.properties.note}}",
                "details": False,
            }
        ],
    )
    await shipped_event({"order": {"number": "#7"}, "note": "<!here> & <@U123>"})

    # when
    run = await run_once(rt)

    # then
    assert run.status == AutomationRunStatus.SUCCEEDED, run.error
    assert inbox.texts == [
        "<!channel> VIP on order: order #7 says &lt;!here&gt; &amp; &lt;@U123&gt;"
    ]


async def test_a_placeholder_the_event_lacks_fails_the_run(
    rt: Runtime, inbox: Inbox, notify_channels: NotifyChannels
) -> None:
    await make_automation(
        trigger="order.shipped",
        actions=[{"type": "notify", "channel": "webhook", "text": "{{event.properties.nope}}"}],
    )
    await shipped_event()

    run = await run_once(rt)

    assert run.status == AutomationRunStatus.FAILED
    assert run.error == (
        "Action 1 (notify): Placeholder {{event.properties.nope}} has no value for this event"
    )
    assert inbox.received == []


async def test_a_failing_receiver_is_retried_then_the_run_fails_clearly(
    rt: Runtime, inbox: Inbox, notify_channels: NotifyChannels, caplog: pytest.LogCaptureFixture
) -> None:
    # given: the receiver answers 503 every time
    inbox.reset(503, 503, 503)
    await make_automation(trigger="order.shipped", actions=[NOTIFY_WEBHOOK])
    await shipped_event()

    # when (httpx's own request log is off, as `wagraph` sets it: it would print any URL)
    with caplog.at_level(logging.DEBUG, logger="whatsapp"):
        run = await run_once(rt)

    # then: three attempts, a clear error naming the host, never the URL (its path is the token)
    assert len(inbox.received) == 3
    assert run.status == AutomationRunStatus.FAILED
    assert run.error == (
        "Action 1 (notify): Notify: webhook to 127.0.0.1 answered HTTP 503 (attempt 3 of 3)"
    )
    assert run.results[0]["detail"]["channels"]["webhook"]["attempts"] == 3
    assert "notify webhook to 127.0.0.1 attempt 1/3 answered HTTP 503" in caplog.text
    assert SLACK_TOKEN_PATH not in caplog.text
    assert SLACK_TOKEN_PATH not in str(run.results)


async def test_a_5xx_then_success_is_one_notice(
    rt: Runtime, inbox: Inbox, notify_channels: NotifyChannels
) -> None:
    inbox.reset(500, 200)
    await make_automation(trigger="order.shipped", actions=[NOTIFY_WEBHOOK])
    await shipped_event()

    run = await run_once(rt)

    assert run.status == AutomationRunStatus.SUCCEEDED, run.error
    assert run.results[0]["detail"]["channels"]["webhook"] == {"status": 200, "attempts": 2}
    assert len(inbox.received) == 2 and inbox.received[0] == inbox.received[1]


async def test_a_4xx_is_final(rt: Runtime, inbox: Inbox, notify_channels: NotifyChannels) -> None:
    inbox.reset(404)
    await make_automation(trigger="order.shipped", actions=[NOTIFY_WEBHOOK])
    await shipped_event()

    run = await run_once(rt)

    assert len(inbox.received) == 1
    assert run.status == AutomationRunStatus.FAILED
    assert "answered HTTP 404 (attempt 1 of 3)" in (run.error or "")


async def test_a_receiver_that_is_down_fails_the_run(rt: Runtime) -> None:
    # given: a webhook URL where nothing listens
    with configured(channels_for("http://127.0.0.1:9/services/T/B/token", None)):
        await make_automation(trigger="order.shipped", actions=[NOTIFY_WEBHOOK])
        await shipped_event()

        # when
        run = await run_once(rt)

    # then
    assert run.status == AutomationRunStatus.FAILED
    assert "webhook to 127.0.0.1 could not connect" in (run.error or "")
    assert "(attempt 3 of 3)" in (run.error or "")
    assert "token" not in (run.error or "")


async def test_a_channel_lost_after_saving_fails_the_run_with_the_reason(
    rt: Runtime, notify_channels: NotifyChannels
) -> None:
    await make_automation(trigger="order.shipped", actions=[NOTIFY_WEBHOOK])
    await shipped_event()

    with configured(NotifyChannels()):
        run = await run_once(rt)

    assert run.status == AutomationRunStatus.FAILED
    assert run.error == (
        "Action 1 (notify): The webhook channel is not configured: set WAGRAPH_NOTIFY_WEBHOOK_URL"
    )


# -- the motivating chain: quality drops to RED, the operators hear about it ----------------------


async def test_quality_dropping_to_red_notifies_the_operators_on_both_channels(
    rt: Runtime, inbox: Inbox, mailbox: Mailbox, notify_channels: NotifyChannels
) -> None:
    # given: the automation an operator sets up once
    await definitions.create_automation(
        name="Number quality alert",
        trigger="phone_number.quality_updated",
        conditions=[{"path": "qualityRating", "op": "eq", "value": "RED"}],
        actions=[
            {
                "type": "notify",
                "channel": "both",
                "text": "Quality of {{event.properties.displayPhoneNumber}} dropped to "
                "{{event.properties.qualityRating}} (was {{event.properties.previousRating}})",
                "subject": "WhatsApp number {{event.properties.displayPhoneNumber}} is RED",
            }
        ],
    )

    # when: the webhook handler records a drop to YELLOW, then one to RED
    await emit_event(
        "phone_number.quality_updated",
        source="webhook",
        properties={**QUALITY_RED, "qualityRating": "YELLOW", "previousRating": "GREEN"},
    )
    red = await emit_event("phone_number.quality_updated", source="webhook", properties=QUALITY_RED)
    assert await runner.run_pending(rt) == 1

    # then: one run, for the RED event, and one notice on each channel
    [run] = await WhatsAppAutomationRun.all()
    assert run.event_id == red.id
    assert run.status == AutomationRunStatus.SUCCEEDED, run.error
    [text] = inbox.texts
    assert text.startswith("Quality of +1 555-078-3881 dropped to RED (was YELLOW)\n\n")
    assert "qualityRating: RED" in text and "previousRating: YELLOW" in text
    [(sender, recipients, mail)] = mailbox.received
    assert (sender, recipients) == ("alerts@shop.example", list(OPS_TO))
    assert mail["Subject"] == "WhatsApp number +1 555-078-3881 is RED"
    assert "dropped to RED (was YELLOW)" in mail.get_content()
    assert run.results[0]["detail"]["channels"] == {
        "webhook": {"status": 200, "attempts": 1},
        "email": {"recipients": 2, "attempts": 1},
    }
