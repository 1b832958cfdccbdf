"""The send path: validate, apply limits, accept with a wamid, then report the outcome by webhook.

Meta answers 200 for anything well-formed and reports delivery problems later as a `failed`
status (§2.2, §9). The deterministic rules for those later failures are here, in
`later_failure`, and listed in the README.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sandbox import payloads
from sandbox.errors import GraphError, invalid, webhook_error
from sandbox.media import ACCEPTS
from sandbox.state import KnownMessage, Sandbox
from sandbox.template_send import check_template
from sandbox.templates import StoredTemplate
from sandbox.validation import Outgoing, ReadReceipt, parse_send
from sandbox.webhooks import Job
from sandbox.windows import Window

NOT_ON_WHATSAPP_PREFIX = "999"  # RFC-style reserved rule: such wa_ids "do not use WhatsApp"
UNREACHABLE_HOST_SUFFIX = ".invalid"  # RFC 2606: links to these hosts fail to download


@dataclass(frozen=True, slots=True)
class LaterFailure:
    code: int
    details: str


def send(sb: Sandbox, pnid: str, body: Any) -> dict[str, Any]:
    """Handle one `POST /{PNID}/messages`; raises `GraphError` for synchronous rejections."""
    request = parse_send(body, kind_of=sb.media_kind)
    if isinstance(request, ReadReceipt):
        return mark_read(sb, pnid, request)
    template = None
    if request.type == "template":
        template = check_template(
            request.payload, sb.templates, kind_of=sb.media_kind, refs=request.refs
        )
    now = sb.now()
    _admit(sb, pnid, request.wa_id, now)

    wamid = sb.ids.wamid(request.wa_id)
    sb.messages[wamid] = KnownMessage(pnid, request.wa_id, inbound=False)
    window = sb.windows.current(pnid, request.wa_id, now, sb.config.window_hours)
    failure = later_failure(sb, pnid, request, template, window)
    sb.stats_counters.message_accepted(pnid, request.wa_id, request.type, request.callback_data)
    if failure is not None:
        sb.stats_counters.failed_later += 1
    if sb.config.webhook_url is not None:
        _schedule_statuses(sb, pnid, request, wamid, template, window, failure, now)

    message: dict[str, str] = {"id": wamid}
    if template is not None:
        message["message_status"] = "accepted"
    return {
        "messaging_product": "whatsapp",
        "contacts": [{"input": request.to_raw, "wa_id": request.wa_id}],
        "messages": [message],
    }


def mark_read(sb: Sandbox, pnid: str, receipt: ReadReceipt) -> dict[str, Any]:
    """Only messages a customer sent to this number can be marked read (§2.10)."""
    known = sb.messages.get(receipt.message_id)
    if known is None or not known.inbound or known.phone_number_id != pnid:
        raise invalid(
            f"Param message_id: {receipt.message_id} is not a message received by "
            f"phone number {pnid}"
        )
    return {"success": True}


def _admit(sb: Sandbox, pnid: str, wa_id: str, now: float) -> None:
    """Throughput (130429) then pair rate (131056); only accepted sends consume either."""
    config = sb.config
    if not sb.throughput.admits(pnid, now, config.rate_limit_mps):
        sb.stats_counters.phone(pnid).rate_limited += 1
        raise GraphError(
            130429,
            "Message failed to send because there were too many messages sent from this phone "
            f"number in a short period of time (limit {config.rate_limit_mps} per second)",
        )
    pair = (pnid, wa_id)
    if not sb.pairs.admits(pair, now, config.pair_limit_burst, config.pair_limit_interval_s):
        sb.stats_counters.phone(pnid).pair_limited += 1
        raise GraphError(
            131056,
            "Message failed to send because there were too many messages sent from this phone "
            "number to the same phone number in a short period of time",
        )
    sb.pairs.take(pair, now, config.pair_limit_burst, config.pair_limit_interval_s)
    sb.throughput.record(pnid, now)


def later_failure(
    sb: Sandbox,
    pnid: str,
    request: Outgoing,
    template: StoredTemplate | None,
    window: Window | None,
) -> LaterFailure | None:
    """The deterministic failure Meta would report by webhook for this accepted message."""
    if request.wa_id.startswith(NOT_ON_WHATSAPP_PREFIX):
        return LaterFailure(131026, "Message Undeliverable.")
    if template is None and window is None:
        return LaterFailure(
            131047,
            "Message failed to send because more than 24 hours have passed since the customer "
            "last replied to this number.",
        )
    for link in request.refs.links:
        host = (urlsplit(link).hostname or "").lower()
        if host.endswith(UNREACHABLE_HOST_SUFFIX):
            return LaterFailure(
                131053, f"Downloading media from weblink {link} failed: host not found"
            )
    for wanted, media_id in request.refs.ids:
        actual = sb.media_kind(media_id)
        if actual is not None and actual not in ACCEPTS[wanted]:
            return LaterFailure(
                131053, f"Media {media_id} is of kind {actual} and cannot be sent as {wanted}"
            )
    if request.reaction_target is not None:
        target = sb.messages.get(request.reaction_target)
        if target is None or target.wa_id != request.wa_id or target.phone_number_id != pnid:
            return LaterFailure(
                131009,
                f"Reaction target {request.reaction_target} is not a message in this chat",
            )
    return None


def _schedule_statuses(
    sb: Sandbox,
    pnid: str,
    request: Outgoing,
    wamid: str,
    template: StoredTemplate | None,
    window: Window | None,
    failure: LaterFailure | None,
    now: float,
) -> None:
    """Queue `sent -> delivered -> read` (or one `failed`) webhooks, built now, posted later."""
    config = sb.config
    d_sent = config.status_delays_s[0]
    common: dict[str, Any] = {
        "phone_number_id": pnid,
        "display_number": sb.display_number(pnid),
        "wamid": wamid,
        "recipient_id": request.wa_id,
        "callback_data": request.callback_data,
    }
    if failure is not None:
        value = payloads.status_value(
            **common,
            status="failed",
            timestamp=int(now + d_sent),
            errors=[webhook_error(failure.code, failure.details)],
        )
        steps = [(d_sent, value)]
    else:
        steps = _delivery_steps(sb, pnid, request, template, window, common, now)
    bodies = [
        (delay, payloads.envelope(config.waba_id, "messages", value)) for delay, value in steps
    ]

    async def run(job: Job) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        for delay, body in bodies:
            wait = start + delay - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            await sb.webhooks.deliver(body, job)

    sb.webhooks.spawn(run, posts=len(bodies))


def _delivery_steps(
    sb: Sandbox,
    pnid: str,
    request: Outgoing,
    template: StoredTemplate | None,
    window: Window | None,
    common: dict[str, Any],
    now: float,
) -> list[tuple[float, dict[str, Any]]]:
    """The `sent`, `delivered` (and `read`) status values of an accepted message, with delays."""
    config = sb.config
    d_sent, d_delivered, d_read = config.status_delays_s
    pricing = payloads.pricing_for(
        template.data["category"] if template is not None else None,
        window_open=window is not None,
        via_referral=window is not None and window.via_referral,
    )
    conv_id, expires = sb.conversation(pnid, request.wa_id, pricing.category, now)
    plan = [("sent", d_sent), ("delivered", d_delivered)]
    if config.read_receipts:
        plan.append(("read", d_read))
    steps: list[tuple[float, dict[str, Any]]] = []
    stamp = 0
    for status, delay in plan:
        # Seconds resolution: force strictly increasing stamps so order is recoverable.
        stamp = max(int(now + delay), stamp + 1)
        conversation: dict[str, Any] = {"id": conv_id, "origin": {"type": pricing.category}}
        if status == "sent":
            conversation["expiration_timestamp"] = str(expires)
        value = payloads.status_value(
            **common, status=status, timestamp=stamp, conversation=conversation, pricing=pricing
        )
        steps.append((delay, value))
    return steps
