"""The `notify` action's e-mail channel, against a real SMTP server (aiosmtpd) on a socket."""

from __future__ import annotations

import logging

import pytest

from models import AutomationRunStatus
from tests.conftest import CUSTOMER
from tests.whatsapp.automations.factories import make_automation, run_once, shipped_event
from tests.whatsapp.automations.operators import (
    OPS_FROM,
    OPS_TO,
    SMTP_PASSWORD,
    SMTP_USER,
    Inbox,
    Mailbox,
    channels_for,
    configured,
)
from whatsapp.automations.channels import NotifyChannels
from whatsapp.runtime import Runtime

# aiosmtpd sets its own deprecated Session.login_data when a client logs in.
pytestmark = pytest.mark.filterwarnings("ignore:Session.login_data:DeprecationWarning")

NOTIFY_EMAIL = {"type": "notify", "channel": "email"}


async def test_notify_mails_the_operators_with_the_event_details(
    rt: Runtime, mailbox: Mailbox, notify_channels: NotifyChannels
) -> None:
    # given
    automation = await make_automation(
        name="Shipping watch", trigger="order.shipped", actions=[NOTIFY_EMAIL]
    )
    event = await shipped_event()

    # when
    run = await run_once(rt)

    # then: one message to every configured address, after logging in
    assert run.status == AutomationRunStatus.SUCCEEDED, run.error
    assert run.results[0]["detail"] == {"channels": {"email": {"recipients": 2, "attempts": 1}}}
    assert mailbox.logins == [SMTP_USER]
    [(sender, recipients, mail)] = mailbox.received
    assert sender == "alerts@shop.example"
    assert recipients == list(OPS_TO)
    assert mail["From"] == OPS_FROM
    assert mail["To"] == ", ".join(OPS_TO)
    assert mail["Subject"] == "[wagraph] Shipping watch: order.shipped"
    assert mail["Message-ID"] == f"<automation-run-{run.id}.0@wagraph>"
    assert mail["X-Wagraph-Automation"] == str(automation.id)
    assert mail["X-Wagraph-Event"] == "order.shipped"
    assert mail.get_content().replace("\r\n", "\n") == (
        "Shipping watch: order.shipped\n\n"
        "Automation: Shipping watch\n"
        f"Event: order.shipped from shop at {event.created_at.isoformat()}\n"
        f"Event id: {event.id}\n"
        f"Contact: {CUSTOMER} (Ana)\n"
        "eta: March 3\n"
        'order: {"id":42,"number":"#42"}\n'
    )


async def test_the_subject_is_filled_and_kept_on_one_line(
    rt: Runtime, mailbox: Mailbox, notify_channels: NotifyChannels
) -> None:
    await make_automation(
        trigger="order.shipped",
        actions=[{**NOTIFY_EMAIL, "subject": "Order {{event.properties.note}} & <b>"}],
    )
    await shipped_event({"note": "#9\r\nBcc: everyone@example.com"})

    run = await run_once(rt)

    assert run.status == AutomationRunStatus.SUCCEEDED, run.error
    [mail] = mailbox.messages
    assert mail["Subject"] == "Order #9 Bcc: everyone@example.com & <b>"
    assert mail["Bcc"] is None


async def test_a_temporary_refusal_is_retried(
    rt: Runtime, mailbox: Mailbox, notify_channels: NotifyChannels
) -> None:
    # given: the server is busy once (451), then accepts
    mailbox.reset("451 4.3.0 Try again later")
    await make_automation(trigger="order.shipped", actions=[NOTIFY_EMAIL])
    await shipped_event()

    # when
    run = await run_once(rt)

    # then: delivered once, on the second attempt
    assert run.status == AutomationRunStatus.SUCCEEDED, run.error
    assert run.results[0]["detail"]["channels"]["email"] == {"recipients": 2, "attempts": 2}
    assert len(mailbox.received) == 1


async def test_a_permanent_refusal_fails_the_run_at_once(
    rt: Runtime, mailbox: Mailbox, notify_channels: NotifyChannels
) -> None:
    mailbox.reset("554 5.7.1 Message rejected as spam", "250 OK")
    await make_automation(trigger="order.shipped", actions=[NOTIFY_EMAIL])
    await shipped_event()

    run = await run_once(rt)

    assert run.status == AutomationRunStatus.FAILED
    assert run.error == (
        "Action 1 (notify): Notify: e-mail via 127.0.0.1 answered 554 5.7.1 Message rejected "
        "as spam (attempt 1 of 3)"
    )
    assert mailbox.received == []


async def test_a_refused_recipient_is_named(
    rt: Runtime, mailbox: Mailbox, notify_channels: NotifyChannels
) -> None:
    # given: one of the configured addresses does not exist
    channels = NotifyChannels(
        smtp=notify_channels.smtp,
        email_from=OPS_FROM,
        email_to=("nobody@shop.example", "ops@shop.example"),
    )
    with configured(channels):
        await make_automation(trigger="order.shipped", actions=[NOTIFY_EMAIL])
        await shipped_event()

        # when
        run = await run_once(rt)

    # then: the other one got it; the run says who did not
    assert run.status == AutomationRunStatus.FAILED
    assert run.error == (
        "Action 1 (notify): Notify: e-mail via 127.0.0.1 refused for nobody@shop.example"
    )
    assert run.results[0]["detail"]["channels"]["email"]["refused"] == {
        "nobody@shop.example": "550 5.1.1 No such mailbox"
    }
    assert [recipients for _, recipients, _ in mailbox.received] == [["ops@shop.example"]]


async def test_a_refused_login_fails_the_run_without_the_password(
    rt: Runtime,
    mailbox: Mailbox,
    mailbox_server: tuple[Mailbox, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with configured(channels_for(None, mailbox_server[1], password="wrong-password")):
        await make_automation(trigger="order.shipped", actions=[NOTIFY_EMAIL])
        await shipped_event()

        with caplog.at_level(logging.DEBUG, logger="whatsapp"):
            run = await run_once(rt)

    assert run.status == AutomationRunStatus.FAILED
    assert "e-mail via 127.0.0.1 refused the login (535" in (run.error or "")
    assert "(attempt 1 of 3)" in (run.error or "")
    assert mailbox.received == []
    for text in (run.error or "", str(run.results), caplog.text):
        assert "wrong-password" not in text and SMTP_PASSWORD not in text


async def test_an_smtp_server_that_is_down_fails_the_run_after_three_attempts(rt: Runtime) -> None:
    with configured(channels_for(None, 9)):
        await make_automation(trigger="order.shipped", actions=[NOTIFY_EMAIL])
        await shipped_event()

        run = await run_once(rt)

    assert run.status == AutomationRunStatus.FAILED
    assert "e-mail via 127.0.0.1 could not connect" in (run.error or "")
    assert run.results[0]["detail"]["channels"]["email"]["attempts"] == 3


async def test_with_both_channels_the_mail_goes_even_when_the_webhook_fails(
    rt: Runtime, inbox: Inbox, mailbox: Mailbox, notify_channels: NotifyChannels
) -> None:
    # given: the chat receiver refuses for good
    inbox.reset(410)
    await make_automation(trigger="order.shipped", actions=[{"type": "notify", "channel": "both"}])
    await shipped_event()

    # when
    run = await run_once(rt)

    # then: the operators still got the e-mail; the run fails, naming the webhook
    assert len(mailbox.received) == 1
    assert run.status == AutomationRunStatus.FAILED
    assert run.error == (
        "Action 1 (notify): Notify: webhook to 127.0.0.1 answered HTTP 410 (attempt 1 of 3)"
    )
    assert run.results[0]["detail"]["channels"]["email"] == {"recipients": 2, "attempts": 1}
