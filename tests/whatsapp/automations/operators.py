"""Where operators hear about things, for real: a Slack-style incoming webhook on a socket and an
SMTP server (aiosmtpd) in this event loop, plus the notify channels pointed at them.

Each records what it received and answers from a script, so tests can make them fail.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.conftest import start_server, stop_server
from whatsapp.automations import channels as notify_channels
from whatsapp.automations.channels import NotifyChannels, SmtpServer

OPS_FROM = "wagraph <alerts@shop.example>"
OPS_TO = ("ops@shop.example", "oncall@shop.example")
SMTP_USER = "wagraph"
SMTP_PASSWORD = "smtp-secret"
SLACK_TOKEN_PATH = "/services/T000/B000/slack-secret-token"


@dataclass
class Inbox:
    """An incoming webhook (Slack's shape): `{"text"}` posted as JSON; answers from `statuses`."""

    statuses: list[int] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)

    def reset(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.received = []

    @property
    def texts(self) -> list[str]:
        return [str(body.get("text")) for body in self.received]

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            self.received.append(json.loads(await request.body()))
            status = self.statuses.pop(0) if self.statuses else 200
            return Response("ok" if status == 200 else "no", status_code=status)

        return Starlette(routes=[Route(SLACK_TOKEN_PATH, hook, methods=["POST"])])


@dataclass
class Mailbox:
    """An SMTP server's handler: refuses `nobody@…`, answers DATA from `replies` (then 250)."""

    replies: list[str] = field(default_factory=list)
    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    def reset(self, *replies: str) -> None:
        self.replies = list(replies)
        self.received = []
        self.logins = []

    @property
    def messages(self) -> list[EmailMessage]:
        return [message for _, _, message in self.received]

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        reply = self.replies.pop(0) if self.replies else "250 OK"
        if reply.startswith("250"):
            content = envelope.original_content or b""
            parsed = email.message_from_bytes(content, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self.received.append((str(envelope.mail_from), list(envelope.rcpt_tos), parsed))
        return reply

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password == SMTP_PASSWORD.encode()
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)


@asynccontextmanager
async def inbox_at() -> AsyncIterator[tuple[Inbox, str]]:
    """A running incoming webhook and its URL (whose path is its secret, as Slack's is)."""
    inbox = Inbox()
    server, task, url = await start_server(inbox.app())
    try:
        yield inbox, f"{url}{SLACK_TOKEN_PATH}"
    finally:
        await stop_server(server, task)


@asynccontextmanager
async def mailbox_at() -> AsyncIterator[tuple[Mailbox, int]]:
    """A running SMTP server on 127.0.0.1 (plain, AUTH allowed on loopback) and its port."""
    mailbox = Mailbox()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(
            mailbox,
            hostname="mx.test",
            authenticator=mailbox.authenticate,
            auth_require_tls=False,
        ),
        "127.0.0.1",
        0,
    )
    try:
        yield mailbox, server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def channels_for(webhook_url: str | None, smtp_port: int | None, **smtp: Any) -> NotifyChannels:
    server = None
    if smtp_port is not None:
        server = SmtpServer(
            host="127.0.0.1",
            port=smtp_port,
            username=smtp.get("username", SMTP_USER),
            password=smtp.get("password", SMTP_PASSWORD),
        )
    return NotifyChannels(
        webhook_url=webhook_url,
        smtp=server,
        email_from=OPS_FROM if server else None,
        email_to=OPS_TO if server else (),
    )


@contextmanager
def configured(channels: NotifyChannels) -> Iterator[NotifyChannels]:
    """These channels for the process while the block runs; the previous ones after."""
    before = notify_channels.channels()
    notify_channels.use_channels(channels)
    try:
        yield channels
    finally:
        notify_channels.use_channels(before)
