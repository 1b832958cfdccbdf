"""Notify channels: SMTP URLs, when STARTTLS is insisted on, addresses, what is configured."""

from __future__ import annotations

import re

import pytest

from whatsapp.automations.channels import (
    NotifyChannels,
    SmtpServer,
    email_address,
    email_addresses,
)


@pytest.mark.parametrize(
    ("url", "expected", "start_tls"),
    [
        (
            "smtp://apikey:p%40ss@smtp.sendgrid.net:587",
            SmtpServer("smtp.sendgrid.net", 587, "apikey", "p@ss"),
            True,  # credentials to another host: STARTTLS or nothing
        ),
        ("smtp://mail.internal", SmtpServer("mail.internal", 587), None),
        ("smtp://relay:25", SmtpServer("relay", 25), None),
        (
            "smtps://ops:pw@smtp.example.com",
            SmtpServer("smtp.example.com", 465, "ops", "pw", implicit_tls=True),
            False,  # TLS from the first byte already
        ),
        ("smtp://u:pw@127.0.0.1:2525", SmtpServer("127.0.0.1", 2525, "u", "pw"), None),
        ("smtp://u:pw@localhost:2525", SmtpServer("localhost", 2525, "u", "pw"), None),
    ],
)
def test_an_smtp_url_names_the_server_and_its_tls(
    url: str, expected: SmtpServer, start_tls: bool | None
) -> None:
    server = SmtpServer.from_url(url)

    assert server == expected
    assert server.start_tls is start_tls


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example.com", "the scheme must be smtp:// (STARTTLS) or smtps:// (TLS)"),
        ("smtp://", "it names no host"),
        ("smtp://user:secret@host:notaport", "not a URL like smtp://user:password@host:587"),
    ],
)
def test_a_bad_smtp_url_is_explained_without_repeating_it(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as refused:
        SmtpServer.from_url(url)

    assert "secret" not in str(refused.value)


def test_the_password_is_not_in_the_repr() -> None:
    assert "pw" not in repr(SmtpServer.from_url("smtp://u:pw@h"))
    assert "token" not in repr(NotifyChannels(webhook_url="https://hooks.slack.com/token"))


def test_addresses_are_checked_and_display_names_allowed() -> None:
    assert email_address("wagraph <alerts@shop.example>") == "alerts@shop.example"
    assert email_addresses(" ops@a.example, ,oncall@b.example ") == (
        "ops@a.example",
        "oncall@b.example",
    )
    for bad in ("ops", "ops@localhost", "@a.example", "o ps@a.example"):
        with pytest.raises(ValueError, match="is not an e-mail address"):
            email_address(bad)


def test_a_channel_is_configured_only_whole() -> None:
    smtp = SmtpServer("mail.example.com", 587)

    assert NotifyChannels().configured() == frozenset()
    assert NotifyChannels(webhook_url="https://h.example/x").configured() == {"webhook"}
    assert NotifyChannels(smtp=smtp, email_from="a@b.example").configured() == frozenset()
    full = NotifyChannels(smtp=smtp, email_from="a@b.example", email_to=("c@d.example",))
    assert full.configured() == {"email"}
    assert full.missing("email") is None
    assert full.missing("webhook") == (
        "The webhook channel is not configured: set WAGRAPH_NOTIFY_WEBHOOK_URL"
    )
