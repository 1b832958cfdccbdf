"""Delivering an operator notification: POST `{"text"}` to an incoming webhook, or SMTP mail.

Each transport retries what may succeed later — for the webhook: no connection, a timeout,
429 or 5xx; for SMTP: no connection, a timeout, a dropped connection or a 4xx reply — with a
short exponential backoff, and gives up at once on anything else (a 4xx from the webhook, a
5xx reply such as a refused login or recipient). It raises `ChannelFailed` with a message that
names the host, never the URL or a credential.

A run that is re-executed after its worker died may deliver again: Slack-style webhooks cannot
de-duplicate, and an e-mail carries a Message-ID derived from the run so that mail clients can.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import aiosmtplib
import httpx

from whatsapp.automations.channels import SmtpServer, email_address

log = logging.getLogger(__name__)

ATTEMPTS = 3
TIMEOUT_S = 10.0
BACKOFF_BASE_S = 0.25
BACKOFF_MAX_S = 2.0


class ChannelFailed(Exception):
    """A channel could not deliver; `detail` (JSON-able) goes to the run's results."""

    def __init__(self, message: str, detail: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.message = message
        self.detail = dict(detail)


class _Retry(Exception):
    """An attempt failed in a way that may pass: try again after a backoff."""


def backoff(attempt: int) -> float:
    """Exponential, capped, with jitter so a receiver's recovery is not met by a stampede."""
    ceiling = min(BACKOFF_BASE_S * 2 ** (attempt - 1), BACKOFF_MAX_S)
    return ceiling / 2 + random.uniform(0, ceiling / 2)


async def post_text(http: httpx.AsyncClient, url: str, text: str) -> dict[str, Any]:
    """POST `{"text": text}` (what Slack, Mattermost, Rocket.Chat and Discord's /slack take)."""
    host = urlsplit(url).hostname
    status: int | None = None
    reason = ""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = await http.post(url, json={"text": text}, timeout=TIMEOUT_S)
        except httpx.TimeoutException:
            status, reason = None, f"timed out after {TIMEOUT_S:g}s"
        except httpx.TransportError as exc:
            status, reason = None, f"could not connect ({type(exc).__name__})"
        else:
            status = response.status_code
            if 200 <= status < 300:
                return {"status": status, "attempts": attempt}
            reason = f"answered HTTP {status}"
            if status < 500 and status != 429:
                break
        log.warning("notify webhook to %s attempt %d/%d %s", host, attempt, ATTEMPTS, reason)
        if attempt < ATTEMPTS:
            await asyncio.sleep(backoff(attempt))
    raise ChannelFailed(
        f"webhook to {host} {reason} (attempt {attempt} of {ATTEMPTS})",
        {"status": status, "attempts": attempt},
    )


async def send_mail(server: SmtpServer, message: EmailMessage) -> dict[str, Any]:
    """Submit `message` to its To recipients; `{"recipients", "attempts"}` once accepted."""
    sender = email_address(str(message["From"]))
    recipients = [email_address(part) for part in str(message["To"]).split(",")]
    reason = ""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            refused = await _submit(server, message, sender, recipients)
        except _Retry as exc:
            reason = str(exc)
        except aiosmtplib.SMTPException as exc:
            raise ChannelFailed(
                f"e-mail via {server.host} {_describe(exc)} (attempt {attempt} of {ATTEMPTS})",
                {"attempts": attempt},
            ) from None
        else:
            if refused:
                raise ChannelFailed(
                    f"e-mail via {server.host} refused for {', '.join(sorted(refused))}",
                    {"attempts": attempt, "refused": refused},
                )
            return {"recipients": len(recipients), "attempts": attempt}
        log.warning("notify e-mail via %s attempt %d/%d %s", server.host, attempt, ATTEMPTS, reason)
        if attempt < ATTEMPTS:
            await asyncio.sleep(backoff(attempt))
    raise ChannelFailed(
        f"e-mail via {server.host} {reason} (attempt {attempt} of {ATTEMPTS})",
        {"attempts": attempt},
    )


async def _submit(
    server: SmtpServer, message: EmailMessage, sender: str, recipients: list[str]
) -> dict[str, str]:
    """One attempt: the recipients the server refused (when it accepted the others)."""
    try:
        refused, _ = await aiosmtplib.send(
            message,
            sender=sender,
            recipients=recipients,
            hostname=server.host,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.implicit_tls,
            start_tls=server.start_tls,
            timeout=TIMEOUT_S,
        )
    except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected) as exc:
        raise _Retry(f"could not connect ({type(exc).__name__})") from None
    except aiosmtplib.SMTPTimeoutError:
        raise _Retry(f"timed out after {TIMEOUT_S:g}s") from None
    except aiosmtplib.SMTPRecipientsRefused as exc:
        if all(400 <= r.code < 500 for r in exc.recipients):
            raise _Retry(_describe(exc)) from None
        raise
    except aiosmtplib.SMTPResponseException as exc:
        if 400 <= exc.code < 500:
            raise _Retry(_describe(exc)) from None
        raise
    except OSError as exc:  # a refused connection before aiosmtplib wraps it, a TLS failure
        raise _Retry(f"could not connect ({type(exc).__name__})") from None
    return {address: f"{response.code} {response.message}" for address, response in refused.items()}


def _describe(exc: aiosmtplib.SMTPException) -> str:
    """What the server said, in words an operator can act on (no credential is in it)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = ", ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
        return f"refused every recipient ({codes})"
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return f"refused the login ({exc.code} {exc.message})"
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"answered {exc.code} {exc.message}"
    return f"failed ({type(exc).__name__}: {exc})"
