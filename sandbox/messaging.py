"""The send path: validate, apply limits, accept with a wamid, then report the outcome by webhook.

Meta answers 200 for anything well-formed and reports delivery problems later as a `failed`
status (§2.2, §9). The deterministic rules for those later failures are here, in
`later_failure`, and listed in the README. Two endpoints share it: `/messages` and the
Marketing Messages API's `/marketing_messages` (§11.4), which takes MARKETING templates only.
Sends to a group (`recipient_type: "group"`, §11.7) branch off to `group_sends`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.admission import admit, content_failure
from sandbox.errors import GraphError, bad_param, invalid
from sandbox.group_sends import send_to_group
from sandbox.recipients import (
    NOT_ON_WHATSAPP_PREFIX,
    Target,
    resolve,
    response_contact,
    wamid_key,
)
from sandbox.state import KnownMessage, Sandbox
from sandbox.statuses import Accepted, LaterFailure, schedule_statuses
from sandbox.template_send import check_template
from sandbox.templates import StoredTemplate
from sandbox.validation import Outgoing, ReadReceipt, parse_send
from sandbox.windows import Window

__all__ = ["NOT_ON_WHATSAPP_PREFIX", "LaterFailure", "SendResult", "later_failure", "send"]

MESSAGES = "messages"
MARKETING_MESSAGES = "marketing_messages"
# What `/marketing_messages` takes on top of a template send (`bid_spec` stopped in 2026-07).
MARKETING_KEYS = frozenset({"message_activity_sharing", "optimization_spec"})


@dataclass(frozen=True, slots=True)
class SendResult:
    """Meta's answer, and the summary the accepted-request log keeps (`message`)."""

    body: dict[str, Any]
    note: dict[str, Any] | None


def send(sb: Sandbox, pnid: str, body: Any, *, endpoint: str = MESSAGES) -> SendResult:
    """Handle one send to `endpoint`; raises `GraphError` for synchronous rejections."""
    lite = endpoint == MARKETING_MESSAGES
    request = parse_send(
        body, kind_of=sb.media_kind, extra_keys=MARKETING_KEYS if lite else frozenset()
    )
    if isinstance(request, ReadReceipt):
        if lite:
            raise bad_param("Message must be a template message.")
        return SendResult(mark_read(sb, pnid, request), None)
    if request.group_id is not None:
        if lite:
            raise invalid("Param recipient_type: the Marketing Messages API sends to individuals")
        answer, note = send_to_group(sb, pnid, request)
        return SendResult(answer, note)
    template = _check_content(sb, request, body, lite)
    now = sb.now()
    target = resolve(sb, request)
    admit(sb, pnid, target.chat, now)

    wamid = sb.ids.wamid(wamid_key(target))
    sb.messages[wamid] = KnownMessage(pnid, target.chat, inbound=False)
    sb.flows.sent.remember(request, target, template, pnid=pnid, wamid=wamid, now=now)
    window = sb.windows.current(pnid, target.chat, now, sb.config.window_hours)
    failure = later_failure(sb, pnid, request, target, template, window)
    sb.stats_counters.message_accepted(pnid, target.stats_key, request.type, request.callback_data)
    if failure is not None:
        sb.stats_counters.failed_later += 1
    if sb.config.webhook_url is not None:
        accepted = Accepted(pnid, request, target, wamid, template, window, failure, now, lite)
        schedule_statuses(sb, accepted)

    message: dict[str, str] = {"id": wamid}
    if template is not None:
        message["message_status"] = "accepted"
    answer = {
        "messaging_product": "whatsapp",
        "contacts": [response_contact(target, request)],
        "messages": [message],
    }
    return SendResult(answer, _note(endpoint, request, target, template, wamid))


def _check_content(
    sb: Sandbox, request: Outgoing, body: dict[str, Any], lite: bool
) -> StoredTemplate | None:
    """Template checks, then what depends on the endpoint and the recipient (2026 rules)."""
    if lite and request.type != "template":
        raise bad_param("Message must be a template message.")
    if lite:
        _check_marketing_options(body)
    if request.type != "template":
        return None
    template = check_template(
        request.payload, sb.templates, kind_of=sb.media_kind, refs=request.refs
    )
    category = template.data["category"]
    name = template.data["name"]
    if lite and category != "MARKETING":
        raise GraphError(
            131055,
            f"Template {name} is {category}: the Marketing Messages API sends MARKETING "
            "templates only",
        )
    if not lite and category == "MARKETING" and sb.config.cloud_api_marketing_disabled:
        raise GraphError(
            131063,
            "Marketing template messages are disabled on Cloud API for this account: send "
            "them with the Marketing Messages API",
        )
    if category == "AUTHENTICATION" and request.wa_id is None:
        raise GraphError(
            131062, "Business-scoped User ID (BSUID) recipients are not supported for this message."
        )
    return template


def _check_marketing_options(body: dict[str, Any]) -> None:
    sharing = body.get("message_activity_sharing")
    if sharing is not None and not isinstance(sharing, bool):
        raise bad_param("Param message_activity_sharing must be a boolean")
    spec = body.get("optimization_spec")
    if spec is not None and not isinstance(spec, dict):
        raise bad_param("Param optimization_spec must be a JSON object")


def _note(
    endpoint: str,
    request: Outgoing,
    target: Target,
    template: StoredTemplate | None,
    wamid: str,
) -> dict[str, Any]:
    """What tests assert on without parsing bodies: endpoint, addressee, resolved customer."""
    customer = target.customer
    return {
        "endpoint": endpoint,
        "to": request.to_raw,
        "recipient": request.recipient,
        "wa_id": customer.wa_id if customer is not None else request.wa_id,
        "user_id": customer.user_id if customer is not None else request.recipient,
        "type": request.type,
        "template": template.data["name"] if template is not None else None,
        "category": template.data["category"] if template is not None else None,
        "wamid": wamid,
    }


def mark_read(sb: Sandbox, pnid: str, receipt: ReadReceipt) -> dict[str, Any]:
    """Only messages a customer sent to this number can be marked read (§2.10)."""
    known = sb.messages.get(receipt.message_id)
    if known is None or not known.inbound or known.phone_number_id != pnid:
        raise invalid(
            f"Param message_id: {receipt.message_id} is not a message received by "
            f"phone number {pnid}"
        )
    if known.group_id is not None:
        raise invalid("Param message_id: messages in groups cannot be marked as read")
    return {"success": True}


def later_failure(
    sb: Sandbox,
    pnid: str,
    request: Outgoing,
    target: Target,
    template: StoredTemplate | None,
    window: Window | None,
) -> LaterFailure | None:
    """The deterministic failure Meta would report by webhook for this accepted message."""
    return _recipient_failure(sb, target, template, window) or content_failure(
        sb, pnid, request, target.chat
    )


def _recipient_failure(
    sb: Sandbox, target: Target, template: StoredTemplate | None, window: Window | None
) -> LaterFailure | None:
    """Who may not get it: not on WhatsApp, a restricted country, window, marketing consent."""
    customer = target.customer
    if customer is None:
        return LaterFailure(131026, "Message Undeliverable.")
    if customer.country in sb.config.restricted_countries:
        return LaterFailure(
            130497,
            f"The business account is restricted from messaging users in {customer.country}.",
        )
    if template is None and window is None:
        return LaterFailure(
            131047,
            "Message failed to send because more than 24 hours have passed since the customer "
            "last replied to this number.",
        )
    if template is not None and template.data["category"] == "MARKETING":
        if customer.marketing_stopped:
            return LaterFailure(
                131050,
                "Unable to deliver the message. This recipient has chosen to stop receiving "
                "marketing messages on WhatsApp from your business.",
            )
        if customer.marketing_limited:
            return LaterFailure(
                131049,
                "In order to maintain a healthy ecosystem engagement, the message failed to be "
                "delivered.",
            )
    return None
