"""`webhook`: POST the event as signed JSON to a URL, retrying what may succeed later.

Config: `{url, headers?, timeoutSeconds? (default 5, max 30), maxAttempts? (default 3, max 5),
secret?}`. The body is `{id, automation, event, contact}`; `X-Wagraph-Signature-256` is
`sha256=` + the hex HMAC-SHA256 of the exact body bytes, keyed with the action's secret or the
server's signing secret. `X-Wagraph-Delivery` (the run id) is the same on every attempt and
on a re-run, so receivers can de-duplicate. Connection errors, timeouts and 5xx are retried
with a short exponential backoff; any other answer is final.

The URL is chosen by a write key, so the request goes through `outbound`: public addresses
only, unless `WAGRAPH_OUTBOUND_ALLOW` names the destination; no redirects; a bounded answer.
A failure reads the same to every client ("Webhook delivery failed"), whatever happened: what
did happen (refused address, closed port, timeout, HTTP status, the answer's start) is logged
and kept under the result's `operator` key, which only admin keys are shown — otherwise the
run log would tell a read key which internal ports are open.

`secret` and every header value are secrets (`SECRET_FIELDS`, `SECRET_MAPS`): sealed at rest,
masked whenever the action is shown, never logged.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import random
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import orjson

from whatsapp.automations import egress, outbound
from whatsapp.automations.actions._base import MASK, ActionContext, ActionFailed
from whatsapp.kit.errors import ErrorCode, FieldPath, Problem

log = logging.getLogger(__name__)

TYPE = "webhook"
SECRET_FIELDS = ("secret",)
SECRET_MAPS = ("headers",)
# What every client is told of a failed delivery; the operator's detail is under OPERATOR.
FAILED = "Webhook delivery failed"
OPERATOR = "operator"

DEFAULT_TIMEOUT_S = 5.0
MAX_TIMEOUT_S = 30.0
DEFAULT_ATTEMPTS = 3
MAX_ATTEMPTS = 5
BACKOFF_BASE_S = 0.25
BACKOFF_MAX_S = 2.0
MAX_HEADERS = 20
SIGNATURE_HEADER = "X-Wagraph-Signature-256"
_KEYS = frozenset({"url", "headers", "timeoutSeconds", "maxAttempts", "secret"})
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}")
_RESERVED = frozenset({"content-type", "content-length", "host", "transfer-encoding"})


def validate(config: Mapping[str, Any]) -> list[Problem]:
    problems = [
        _invalid(f"Unknown key {key!r} for a webhook action", (key,))
        for key in config
        if key not in _KEYS
    ]
    url = config.get("url")
    if not isinstance(url, str) or len(url) > 2048 or not _is_http_url(url):
        problems.append(_invalid("url must be an http:// or https:// URL", ("url",)))
    elif (refused := egress.policy().literal_refusal(str(urlsplit(url).hostname))) is not None:
        problems.append(
            _invalid(f"url cannot be reached: {refused} (see {egress.SETTING})", ("url",))
        )
    problems.extend(_header_problems(config.get("headers")))
    timeout = config.get("timeoutSeconds")
    if timeout is not None and (
        not isinstance(timeout, int | float)
        or isinstance(timeout, bool)
        or not 0 < timeout <= MAX_TIMEOUT_S
    ):
        problems.append(
            _invalid(
                f"timeoutSeconds must be above 0 and at most {MAX_TIMEOUT_S:g}", ("timeoutSeconds",)
            )
        )
    attempts = config.get("maxAttempts")
    if attempts is not None and (
        not isinstance(attempts, int)
        or isinstance(attempts, bool)
        or not 1 <= attempts <= MAX_ATTEMPTS
    ):
        problems.append(
            _invalid(f"maxAttempts must be between 1 and {MAX_ATTEMPTS}", ("maxAttempts",))
        )
    secret = config.get("secret")
    if secret is not None and (not isinstance(secret, str) or not 1 <= len(secret) <= 512):
        problems.append(_invalid("secret must be 1-512 characters", ("secret",)))
    return problems


async def run(ctx: ActionContext, config: Mapping[str, Any]) -> dict[str, Any]:
    url = config["url"]
    body = orjson.dumps(body_for(ctx))
    secret = config.get("secret") or ctx.rt.webhook_signing_secret
    headers = {
        **(config.get("headers") or {}),
        "Content-Type": "application/json",
        "Accept-Encoding": "identity",
        "X-Wagraph-Event": ctx.event.name,
        "X-Wagraph-Delivery": str(ctx.run_id),
        SIGNATURE_HEADER: sign(body, secret),
    }
    timeout = float(config.get("timeoutSeconds") or DEFAULT_TIMEOUT_S)
    attempts = int(config.get("maxAttempts") or DEFAULT_ATTEMPTS)
    host = urlsplit(url).hostname  # logged instead of the URL, whose query may hold a token
    async with outbound.guarded_client() as http:
        for attempt in range(1, attempts + 1):
            delivery = await outbound.post(http, url, body, headers, timeout)
            if delivery.ok:
                return {"status": delivery.status, "attempts": attempt}
            log.warning(
                "automation run %s: webhook to %s attempt %d/%d %s",
                ctx.run_id,
                host,
                attempt,
                attempts,
                delivery.reason,
            )
            if not delivery.retryable:
                break
            if attempt < attempts:
                await asyncio.sleep(backoff(attempt))
    raise ActionFailed(
        FAILED,
        {
            OPERATOR: {
                "reason": delivery.reason,
                "status": delivery.status,
                "attempts": attempt,
                "host": host,
                "response": delivery.excerpt,
            }
        },
    )


async def preview(ctx: ActionContext, config: Mapping[str, Any]) -> dict[str, Any]:
    """The request `run` would make; the run id (the body's `id` and the delivery header) and
    the signature over the final body exist only when it runs."""
    key = "the action's secret" if config.get("secret") else "the server's signing secret"
    return {
        "method": "POST",
        "url": config["url"],
        "headers": {
            **{name: MASK for name in config.get("headers") or {}},
            "Content-Type": "application/json",
            "Accept-Encoding": "identity",
            "X-Wagraph-Event": ctx.event.name,
            "X-Wagraph-Delivery": "(the run's id)",
            SIGNATURE_HEADER: f"sha256=(HMAC-SHA256 of the body with {key})",
        },
        "body": body_for(ctx),
        "timeoutSeconds": float(config.get("timeoutSeconds") or DEFAULT_TIMEOUT_S),
        "maxAttempts": int(config.get("maxAttempts") or DEFAULT_ATTEMPTS),
    }


def body_for(ctx: ActionContext) -> dict[str, Any]:
    """The JSON posted; its `id` (the run's) is null in a dry run."""
    event, contact = ctx.event, ctx.contact
    return {
        "id": str(ctx.run.id) if ctx.run is not None else None,
        "automation": {"id": str(ctx.automation.id), "name": ctx.automation.name},
        "event": {
            "id": str(event.id),
            "name": event.name,
            "source": event.source,
            "properties": event.properties or {},
            "createdAt": event.created_at.isoformat(),
        },
        "contact": None
        if contact is None
        else {
            "waId": contact.wa_id,
            "profileName": contact.profile_name,
            "tags": list(contact.tags or []),
        },
    }


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempt: int) -> float:
    """Exponential, capped, with jitter so a receiver's recovery is not met by a stampede."""
    ceiling = min(BACKOFF_BASE_S * 2 ** (attempt - 1), BACKOFF_MAX_S)
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _header_problems(headers: Any) -> list[Problem]:
    if headers is None:
        return []
    if not isinstance(headers, Mapping) or len(headers) > MAX_HEADERS:
        return [_invalid(f"headers must be an object of at most {MAX_HEADERS} names", ("headers",))]
    problems = []
    for name, value in headers.items():
        at = ("headers", str(name))
        if not _HEADER_NAME.fullmatch(str(name)):
            problems.append(_invalid("Not a valid header name", at))
        elif name.lower() in _RESERVED or name.lower().startswith("x-wagraph-"):
            problems.append(_invalid(f"{name} is set by wagraph", at))
        elif not isinstance(value, str) or len(value) > 4096 or re.search(r"[\r\n\x00]", value):
            problems.append(_invalid("A header value is a single-line string", at))
    return problems


def _invalid(message: str, field: FieldPath) -> Problem:
    return Problem(ErrorCode.INVALID_INPUT, message, field)
