"""Where operator notifications go: a Slack-compatible incoming webhook, and e-mail over SMTP.

Configured once per process from settings (`WAGRAPH_NOTIFY_WEBHOOK_URL`, `WAGRAPH_SMTP_URL`,
`WAGRAPH_NOTIFY_EMAIL_FROM`, `WAGRAPH_NOTIFY_EMAIL_TO`) and installed when the process is
composed (`app.runtime`), like the consent keywords: the `notify` action only names a channel,
so an automation can never mail or post anywhere the operator did not configure.

Both URLs are secrets (an incoming webhook's URL is its own token, an SMTP URL holds a
password): they are never logged, shown or put into an error message; their host is.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

WEBHOOK = "webhook"
EMAIL = "email"
CHANNELS = (WEBHOOK, EMAIL)

SMTP_PORT = 587
SMTPS_PORT = 465
_SCHEMES = ("smtp", "smtps")
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain"})

# What an operator sets to configure each channel, for the error that says it is missing.
NEEDS = {
    WEBHOOK: "WAGRAPH_NOTIFY_WEBHOOK_URL",
    EMAIL: "WAGRAPH_SMTP_URL, WAGRAPH_NOTIFY_EMAIL_FROM and WAGRAPH_NOTIFY_EMAIL_TO",
}


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """An SMTP submission server: `smtp://[user:pass@]host[:587]` or `smtps://…[:465]`.

    `smtps` speaks TLS from the first byte. `smtp` upgrades with STARTTLS whenever the server
    offers it, and insists on it when there are credentials to send to a host that is not this
    machine, so a password never crosses a network in clear text.
    """

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    implicit_tls: bool = False

    @property
    def start_tls(self) -> bool | None:
        """aiosmtplib's `start_tls`: True (required), False (never) or None (if offered)."""
        if self.implicit_tls:
            return False
        if self.username and not _is_loopback(self.host):
            return True
        return None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """Parse an SMTP URL; a ValueError says what is wrong without repeating the URL."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            raise ValueError("not a URL like smtp://user:password@host:587") from None
        if parts.scheme not in _SCHEMES:
            raise ValueError("the scheme must be smtp:// (STARTTLS) or smtps:// (TLS)")
        if not parts.hostname:
            raise ValueError("it names no host")
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=port or (SMTPS_PORT if implicit else SMTP_PORT),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            implicit_tls=implicit,
        )


@dataclass(frozen=True, slots=True)
class NotifyChannels:
    """The configured channels; an empty one (the default) configures none."""

    webhook_url: str | None = field(default=None, repr=False)
    smtp: SmtpServer | None = None
    email_from: str | None = None
    email_to: tuple[str, ...] = ()

    def configured(self) -> frozenset[str]:
        found = set()
        if self.webhook_url:
            found.add(WEBHOOK)
        if self.smtp is not None and self.email_from and self.email_to:
            found.add(EMAIL)
        return frozenset(found)

    def missing(self, channel: str) -> str | None:
        """Why `channel` cannot be used, naming the settings to set; None when it can."""
        if channel in self.configured():
            return None
        return f"The {channel} channel is not configured: set {NEEDS[channel]}"


def email_address(text: str) -> str:
    """A bare address (`ops@example.com`) from one given plainly or as `Name <address>`."""
    _, address = parseaddr(text.strip())
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in address):
        raise ValueError(f"{text.strip()!r} is not an e-mail address")
    return address


def email_addresses(text: str) -> tuple[str, ...]:
    """Comma-separated addresses, each checked; empty entries are ignored."""
    return tuple(email_address(part) for part in text.split(",") if part.strip())


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_channels = NotifyChannels()


def use_channels(channels: NotifyChannels) -> None:
    """The channels this process notifies through (set once, when the process is composed)."""
    global _channels
    _channels = channels


def channels() -> NotifyChannels:
    return _channels
