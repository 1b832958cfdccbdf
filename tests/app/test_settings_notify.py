"""Notify settings: where operator messages go, checked whole at start, secrets never echoed."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.settings import Settings
from whatsapp.automations.channels import NotifyChannels, SmtpServer

SLACK = "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX"
SMTP = "smtp://apikey:smtp-password@smtp.example.com:587"


def settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_no_channel_is_configured_by_default() -> None:
    assert settings().notify_channels() == NotifyChannels()


def test_the_settings_configure_both_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAGRAPH_NOTIFY_WEBHOOK_URL", SLACK)
    monkeypatch.setenv("WAGRAPH_SMTP_URL", SMTP)
    monkeypatch.setenv("WAGRAPH_NOTIFY_EMAIL_FROM", "wagraph <alerts@shop.example>")
    monkeypatch.setenv("WAGRAPH_NOTIFY_EMAIL_TO", "ops@shop.example, oncall@shop.example")

    loaded = settings()

    assert loaded.notify_channels() == NotifyChannels(
        webhook_url=SLACK,
        smtp=SmtpServer("smtp.example.com", 587, "apikey", "smtp-password"),
        email_from="wagraph <alerts@shop.example>",
        email_to=("ops@shop.example", "oncall@shop.example"),
    )
    assert "XXXXsecretXXXX" not in repr(loaded) and "smtp-password" not in repr(loaded)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WAGRAPH_SMTP_URL": SMTP}, "WAGRAPH_SMTP_URL needs WAGRAPH_NOTIFY_EMAIL_FROM"),
        (
            {"WAGRAPH_SMTP_URL": SMTP, "WAGRAPH_NOTIFY_EMAIL_FROM": "alerts@shop.example"},
            "WAGRAPH_SMTP_URL needs WAGRAPH_NOTIFY_EMAIL_FROM and WAGRAPH_NOTIFY_EMAIL_TO",
        ),
        (
            {"WAGRAPH_NOTIFY_EMAIL_TO": "ops@shop.example"},
            "WAGRAPH_NOTIFY_EMAIL_FROM and _TO need WAGRAPH_SMTP_URL",
        ),
        (
            {"WAGRAPH_SMTP_URL": "smtp-password@smtp.example.com"},
            "WAGRAPH_SMTP_URL: the scheme must be smtp://",
        ),
        (
            {
                "WAGRAPH_SMTP_URL": SMTP,
                "WAGRAPH_NOTIFY_EMAIL_FROM": "alerts@shop.example",
                "WAGRAPH_NOTIFY_EMAIL_TO": "ops",
            },
            "WAGRAPH_NOTIFY_EMAIL_FROM / _TO: 'ops' is not an e-mail address",
        ),
        (
            {"WAGRAPH_NOTIFY_WEBHOOK_URL": "hooks.slack.com/XXXXsecretXXXX"},
            "WAGRAPH_NOTIFY_WEBHOOK_URL must be an http(s) URL",
        ),
    ],
)
def test_a_channel_configured_in_part_or_badly_stops_the_start_without_echoing_secrets(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")) as e:
        settings()

    assert "smtp-password" not in str(e.value)
    assert "XXXXsecretXXXX" not in str(e.value)
