"""`template`: send a template to the event's contact, its parameters filled from the event.

Config: `{name, language, header?, body?: [param], namedHeader?, namedBody?: [{name,
parameter}], buttons?: [{index, subType, parameter}], phoneNumberId?}` — the shapes of
`sendTemplate` (a NAMED template takes `namedHeader` / `namedBody`), where any string may hold
placeholders (`{{event.properties.orderId}}`, `{{contact.profileName}}`; see
`whatsapp.actions._base`).
The send carries the run's id, so the `template.sent` event it causes triggers nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models import WhatsAppTemplate
from whatsapp.automations.actions._base import (
    ActionContext,
    ActionFailed,
    placeholder_problems,
    render,
    sample,
)
from whatsapp.conversations.sessions import SessionHint
from whatsapp.kit.errors import ErrorCode, Problem, WagraphError
from whatsapp.kit.recipients import parse_recipient
from whatsapp.messages import payloads
from whatsapp.messages import sending as messaging
from whatsapp.messages.media import resolve_media_ids
from whatsapp.messages.recipients import check_template_recipient
from whatsapp.templates.parameters import check_template_parameters
from whatsapp.templates.routing import edge_for
from whatsapp.templates.store import SENDABLE_STATUS, find_template

TYPE = "template"
_KEYS = frozenset(
    {"name", "language", "header", "body", "namedHeader", "namedBody", "buttons", "phoneNumberId"}
)
_SHAPES = (
    ("header", Mapping),
    ("body", list),
    ("namedHeader", Mapping),
    ("namedBody", list),
    ("buttons", list),
)
# Any valid wa_id: validation builds the payload without a real recipient.
_SAMPLE_TO = "15550000000"
# Stands in for each placeholder while the literal parts are checked: it is a valid language
# code, a valid piece of a template name and valid parameter text.
_SAMPLE_VALUE = "en"


def validate(config: Mapping[str, Any]) -> list[Problem]:
    problems = [
        Problem(ErrorCode.INVALID_INPUT, f"Unknown key {key!r} for a template action", (key,))
        for key in config
        if key not in _KEYS
    ]
    for key in ("name", "language"):
        if not isinstance(config.get(key), str) or not config.get(key):
            problems.append(Problem(ErrorCode.INVALID_INPUT, f"{key} is required", (key,)))
    for key, kind in _SHAPES:
        if config.get(key) is not None and not isinstance(config[key], kind):
            shape = "an object" if kind is Mapping else "a list"
            problems.append(Problem(ErrorCode.INVALID_INPUT, f"{key} must be {shape}", (key,)))
    if problems:
        return problems
    problems = placeholder_problems(dict(config), ())
    if problems:
        return problems
    checked = sample(dict(config), _SAMPLE_VALUE)
    try:
        payloads.build_template(
            to=_SAMPLE_TO,
            name=checked["name"],
            language=checked["language"],
            header=checked.get("header"),
            body=checked.get("body") or (),
            buttons=checked.get("buttons") or (),
            named_header=checked.get("namedHeader"),
            named_body=checked.get("namedBody"),
        )
    except WagraphError as exc:
        return list(exc.problems)
    return []


async def run(ctx: ActionContext, config: Mapping[str, Any]) -> dict[str, Any]:
    to = _recipient(ctx)
    values = render(dict(config), ctx.values())
    session = ctx.session
    hint = (
        SessionHint(id=session.id)
        if session is not None and session.contact_id in (None, ctx.require_contact().id)
        else None
    )
    try:
        result = await messaging.send_template(
            ctx.rt,
            to=to,
            name=values["name"],
            language=values["language"],
            header=values.get("header"),
            body=values.get("body") or (),
            buttons=values.get("buttons") or (),
            named_header=values.get("namedHeader"),
            named_body=values.get("namedBody"),
            phone_number_id=values.get("phoneNumberId"),
            metadata={"automationId": str(ctx.automation.id), "automationRunId": str(ctx.run_id)},
            session=hint,
            # A run re-executed after its worker died replays the first send, never repeats it.
            idempotency_key=f"automation:{ctx.run_id}:{ctx.index}",
            source="automation",
            automation_run_id=ctx.run_id,
        )
    except WagraphError as exc:
        raise ActionFailed(str(exc), {"code": exc.code.value}) from exc
    message = result.message
    detail: dict[str, Any] = {
        "messageId": str(message.id),
        "status": message.status.value,
        "wamid": message.wamid,
    }
    if result.problem is not None:
        detail["code"] = result.problem.code.value
        detail["cloudApiCode"] = result.problem.cloud_api_code
        raise ActionFailed(result.problem.message, detail)
    return detail


async def preview(ctx: ActionContext, config: Mapping[str, Any]) -> dict[str, Any]:
    """The send `run` would make, checked as the send checks it but from what is stored only:
    a template not stored here would be looked up at Meta first, which a preview does not do.
    A MARKETING template to a contact who opted out raises OPTED_OUT (the run skips it)."""
    to = _recipient(ctx)
    values = render(dict(config), ctx.values())
    named: dict[str, Any] = {}
    if values.get("namedHeader") is not None or values.get("namedBody"):
        named = {"named_header": values.get("namedHeader"), "named_body": values.get("namedBody")}
    resolved = await resolve_media_ids(
        {"header": values.get("header"), "body": values.get("body") or []}
    )
    stored = await _stored_template(ctx, values, resolved, named)
    recipient = parse_recipient(to)
    await check_template_recipient(recipient, stored.category if stored else None)
    payload = payloads.build_template(
        to=recipient.address,
        name=values["name"],
        language=values["language"],
        header=resolved["header"],
        body=resolved["body"],
        buttons=values.get("buttons") or (),
        **named,
    )
    detail: dict[str, Any] = {
        "to": to,
        "edge": edge_for(ctx.rt, stored),
        "payload": payload,
        "template": None
        if stored is None
        else {"status": stored.status, "category": stored.category},
    }
    if stored is None and ctx.rt.business_id:
        detail["note"] = "The template is not stored here: the run would look it up at Meta first"
    return detail


async def _stored_template(
    ctx: ActionContext,
    values: Mapping[str, Any],
    resolved: Mapping[str, Any],
    named: Mapping[str, Any],
) -> WhatsAppTemplate | None:
    """The stored template, refused as a send would refuse it (not approved, parameters)."""
    name, language = values["name"], values["language"]
    stored = await find_template(business_id=ctx.rt.business_id, name=name, language=language)
    if stored is None:
        return None
    if stored.status != SENDABLE_STATUS:
        raise WagraphError.of(
            ErrorCode.TEMPLATE_NOT_APPROVED,
            f"Template {name} ({language}) is {stored.status}; only APPROVED templates can be sent",
            ("name",),
        )
    check_template_parameters(
        stored.components,
        header=resolved["header"],
        body=resolved["body"],
        buttons=values.get("buttons") or (),
        parameter_format=stored.parameter_format,
        **named,
    )
    return stored


def _recipient(ctx: ActionContext) -> str:
    contact = ctx.require_contact()
    # Meta takes either: the number while the business may see it, else the BSUID (§11.2).
    to = contact.wa_id or contact.bsuid
    if not to:
        raise ActionFailed("The contact has neither a phone number nor a BSUID to send to")
    return to
