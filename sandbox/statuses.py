"""Status webhooks of an accepted send: `sent -> delivered -> read`, or one `failed`.

Bodies are built at acceptance (so later state changes cannot alter them) and posted after the
configured delays by one tracked task per message.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sandbox import payloads
from sandbox.errors import webhook_error
from sandbox.recipients import Target, status_contact, status_recipient
from sandbox.state import Sandbox
from sandbox.templates import StoredTemplate
from sandbox.validation import Outgoing
from sandbox.webhooks import Job
from sandbox.windows import Window


@dataclass(frozen=True, slots=True)
class LaterFailure:
    code: int
    details: str


@dataclass(frozen=True, slots=True)
class Accepted:
    """Everything the statuses of one accepted message depend on."""

    pnid: str
    request: Outgoing
    target: Target
    wamid: str
    template: StoredTemplate | None
    window: Window | None
    failure: LaterFailure | None
    now: float
    lite: bool  # sent through `/marketing_messages`


def schedule_statuses(sb: Sandbox, sent: Accepted) -> None:
    """Queue `sent -> delivered -> read` (or one `failed`) webhooks, built now, posted later."""
    config = sb.config
    d_sent = config.status_delays_s[0]
    if sent.failure is not None:
        value = _status(sb, sent, "failed", int(sent.now + d_sent))
        value["statuses"][0]["errors"] = [webhook_error(sent.failure.code, sent.failure.details)]
        steps = [(d_sent, value)]
    else:
        steps = _delivery_steps(sb, sent)
    bodies = [
        (delay, payloads.envelope(config.waba_id, "messages", value)) for delay, value in steps
    ]
    post_later(sb, bodies)


def post_later(sb: Sandbox, bodies: list[tuple[float, dict[str, Any]]]) -> None:
    """Post each body `delay` seconds after now, in order, from one tracked task."""

    async def run(job: Job) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        for delay, body in bodies:
            wait = start + delay - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            await sb.webhooks.deliver(body, job)

    sb.webhooks.spawn(run, posts=len(bodies))


def _status(sb: Sandbox, sent: Accepted, status: str, stamp: int, **extra: Any) -> dict[str, Any]:
    return payloads.status_value(
        phone_number_id=sent.pnid,
        display_number=sb.display_number(sent.pnid),
        wamid=sent.wamid,
        status=status,
        timestamp=stamp,
        recipient=status_recipient(sent.target),
        callback_data=sent.request.callback_data,
        contact=status_contact(sent.target, status),
        **extra,
    )


def _delivery_steps(sb: Sandbox, sent: Accepted) -> list[tuple[float, dict[str, Any]]]:
    """The `sent`, `delivered` (and `read`) status values of an accepted message, with delays."""
    config = sb.config
    d_sent, d_delivered, d_read = config.status_delays_s
    window = sent.window
    pricing = payloads.pricing_for(
        sent.template.data["category"] if sent.template is not None else None,
        window_open=window is not None,
        via_referral=window is not None and window.via_referral,
        lite=sent.lite,
    )
    conv_id, expires = sb.conversation(sent.pnid, sent.target.chat, pricing.category, sent.now)
    plan = [("sent", d_sent), ("delivered", d_delivered)]
    if config.read_receipts:
        plan.append(("read", d_read))
    steps: list[tuple[float, dict[str, Any]]] = []
    stamp = 0
    for status, delay in plan:
        # Seconds resolution: force strictly increasing stamps so order is recoverable.
        stamp = max(int(sent.now + delay), stamp + 1)
        conversation: dict[str, Any] = {"id": conv_id, "origin": {"type": pricing.category}}
        if status == "sent":
            conversation["expiration_timestamp"] = str(expires)
        value = _status(sb, sent, status, stamp, conversation=conversation, pricing=pricing)
        steps.append((delay, value))
    return steps
