"""`notify`: tell the operators — a message with the event's details, by webhook and/or e-mail.

Config: `{channel: "webhook" | "email" | "both", text?, subject?, details?}`. `text` (at most
4,000 characters) and `subject` (e-mail only) may hold placeholders (`{{event.name}}`,
`{{event.properties.qualityRating}}`, `{{automation.name}}`; see `_base`); without `text` the
message says which automation fired on which event. `details` (default true) appends the
event's details: its name, source, time and id, the contact, and each property.

Where the message goes is configured once in settings (`whatsapp.automations.channels`): a
definition naming a channel that is not configured is refused when it is saved or enabled
(CONFIGURATION_ERROR), not when it runs. Both channels are tried even when the first fails;
the action fails if either did, saying which (the run's results keep each channel's outcome).

Values taken from the event are escaped for the webhook as Slack asks (`&`, `<`, `>`), so a
customer's text can never ping `<!channel>`; the literal text of the definition is not, so an
operator can.
"""

from __future__ import annotations

from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

import orjson

from whatsapp.automations import transports
from whatsapp.automations.actions._base import (
    ActionContext,
    ActionFailed,
    placeholder_problems,
    render,
)
from whatsapp.automations.channels import CHANNELS, EMAIL, WEBHOOK, NotifyChannels, channels
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, FieldPath, Problem

TYPE = "notify"
BOTH = "both"
TEXT_MAX = 4000
SUBJECT_MAX = 200
# The whole message, details included; Slack shows 4,000 characters before folding.
MESSAGE_MAX = 4000
VALUE_MAX = 300
PROPERTIES_MAX = 30
_KEYS = frozenset({"channel", "text", "subject", "details"})
_CHOICES = (WEBHOOK, EMAIL, BOTH)
_SLACK_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def validate(config: Mapping[str, Any]) -> list[Problem]:
    problems = [
        _invalid(f"Unknown key {key!r} for a notify action", (key,))
        for key in config
        if key not in _KEYS
    ]
    channel = config.get("channel")
    if channel not in _CHOICES:
        problems.append(_invalid(f"channel must be one of {', '.join(_CHOICES)}", ("channel",)))
    for key, limit in (("text", TEXT_MAX), ("subject", SUBJECT_MAX)):
        value = config.get(key)
        if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= limit):
            problems.append(_invalid(f"{key} must be 1-{limit} characters", (key,)))
        elif isinstance(value, str):
            problems.extend(placeholder_problems(value, (key,)))
    if config.get("subject") is not None and channel == WEBHOOK:
        problems.append(_invalid("subject is for e-mail: use channel email or both", ("subject",)))
    if not isinstance(config.get("details", True), bool):
        problems.append(_invalid("details must be true or false", ("details",)))
    return problems


def requirements(config: Mapping[str, Any]) -> list[Problem]:
    """The channels the action names must be configured (checked on save and on enable)."""
    configured = channels()
    return [
        Problem(ErrorCode.CONFIGURATION_ERROR, reason, ("channel",))
        for channel in _wanted(config)
        if (reason := configured.missing(channel)) is not None
    ]


async def run(ctx: ActionContext, config: Mapping[str, Any]) -> dict[str, Any]:
    configured = _ready(config)
    outcomes: dict[str, Any] = {}
    failures: list[str] = []
    for channel in _wanted(config):
        try:
            if channel == WEBHOOK:
                outcomes[channel] = await transports.post_text(
                    ctx.rt.http, str(configured.webhook_url), compose(ctx, config, escape=True)
                )
            else:
                outcomes[channel] = await _mail(ctx, config, configured)
        except transports.ChannelFailed as exc:
            outcomes[channel] = {"error": exc.message, **exc.detail}
            failures.append(exc.message)
    if failures:
        raise ActionFailed(f"Notify: {'; '.join(failures)}", {"channels": outcomes})
    return {"channels": outcomes}


async def preview(ctx: ActionContext, config: Mapping[str, Any]) -> dict[str, Any]:
    """What `run` would send, and where (the webhook by its host: its URL is a secret)."""
    configured = _ready(config)
    detail: dict[str, Any] = {"channels": list(_wanted(config))}
    if WEBHOOK in detail["channels"]:
        detail[WEBHOOK] = {
            "host": urlsplit(str(configured.webhook_url)).hostname,
            "body": {"text": compose(ctx, config, escape=True)},
        }
    if EMAIL in detail["channels"]:
        detail[EMAIL] = {
            "from": configured.email_from,
            "to": list(configured.email_to),
            "subject": subject(ctx, config),
            "text": compose(ctx, config, escape=False),
        }
    return detail


def compose(ctx: ActionContext, config: Mapping[str, Any], *, escape: bool) -> str:
    """The message: the definition's text (or a headline), then the event's details."""
    values = _escaped(ctx.values()) if escape else ctx.values()
    text = config.get("text")
    if isinstance(text, str):
        head = str(render(text, values))
    else:
        head = f"{values['automation']['name']}: {values['event']['name']}"
    if config.get("details", True) is False:
        return _cut(head, MESSAGE_MAX)
    return _cut(f"{head}\n\n" + "\n".join(_details(ctx, escape)), MESSAGE_MAX)


def subject(ctx: ActionContext, config: Mapping[str, Any]) -> str:
    given = config.get("subject")
    if isinstance(given, str):
        line = " ".join(str(render(given, ctx.values())).split())
    else:
        line = f"[wagraph] {ctx.automation.name}: {ctx.event.name}"
    return _cut(line, SUBJECT_MAX)


def _details(ctx: ActionContext, escape: bool) -> list[str]:
    def shown(value: Any) -> str:
        text = value if isinstance(value, str) else orjson.dumps(value, default=str).decode()
        text = _cut(text, VALUE_MAX)
        return text.translate(_SLACK_ESCAPES) if escape else text

    event, contact = ctx.event, ctx.contact
    lines = [
        f"Automation: {shown(ctx.automation.name)}",
        f"Event: {shown(event.name)} from {shown(event.source)} at {event.created_at.isoformat()}",
        f"Event id: {event.id}",
    ]
    if contact is not None:
        who = contact.wa_id or contact.bsuid or str(contact.id)
        named = f" ({shown(contact.profile_name)})" if contact.profile_name else ""
        lines.append(f"Contact: {shown(who)}{named}")
    properties = event.properties or {}
    lines.extend(
        f"{shown(key)}: {shown(properties[key])}" for key in sorted(properties)[:PROPERTIES_MAX]
    )
    if len(properties) > PROPERTIES_MAX:
        lines.append(f"… and {len(properties) - PROPERTIES_MAX} more properties")
    return lines


async def _mail(
    ctx: ActionContext, config: Mapping[str, Any], configured: NotifyChannels
) -> dict[str, Any]:
    if configured.smtp is None or not configured.email_from:  # _ready() checked: settings bug
        raise ActionFailed(str(configured.missing(EMAIL)))
    message = EmailMessage()
    message["From"] = configured.email_from
    message["To"] = ", ".join(configured.email_to)
    message["Subject"] = subject(ctx, config)
    message["Date"] = format_datetime(utcnow())
    # The same on a re-executed run, so mail clients can fold a duplicate away.
    message["Message-ID"] = f"<automation-run-{ctx.run_id}.{ctx.index}@wagraph>"
    message["X-Wagraph-Automation"] = str(ctx.automation.id)
    message["X-Wagraph-Event"] = ctx.event.name
    message.set_content(compose(ctx, config, escape=False))
    return await transports.send_mail(configured.smtp, message)


def _wanted(config: Mapping[str, Any]) -> tuple[str, ...]:
    channel = config.get("channel")
    return CHANNELS if channel == BOTH else (channel,) if channel in CHANNELS else ()


def _ready(config: Mapping[str, Any]) -> NotifyChannels:
    """The configured channels, or ActionFailed when settings lost one since the save."""
    configured = channels()
    missing = [reason for c in _wanted(config) if (reason := configured.missing(c))]
    if missing:
        raise ActionFailed("; ".join(missing))
    return configured


def _escaped(tree: Any) -> Any:
    if isinstance(tree, str):
        return tree.translate(_SLACK_ESCAPES)
    if isinstance(tree, Mapping):
        return {key: _escaped(value) for key, value in tree.items()}
    if isinstance(tree, list):
        return [_escaped(value) for value in tree]
    return tree


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _invalid(message: str, field: FieldPath) -> Problem:
    return Problem(ErrorCode.INVALID_INPUT, message, field)
