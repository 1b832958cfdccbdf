"""Outbound messages: validate, store, then send now or leave for the scheduler.

Every send follows the same three steps, none of which holds a transaction open across the
network call:
1. prepare — everything that can be checked is checked and the Graph API payload is built;
   bad input raises `WagraphError` before any row is written;
2. store — the message is inserted as SENDING (or SCHEDULED) with its metadata and payload
   snapshot;
3. deliver — `delivery.send_now` calls the Cloud API and writes the outcome (SENT + wamid, or
   FAILED + Meta's code) together with its event, as the scheduler does for its batches.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from models import (
    MessageDirection,
    MessageOrigin,
    MessageStatus,
    MessageType,
    WhatsAppContact,
    WhatsAppMessage,
    WhatsAppTemplate,
)
from whatsapp.cloud.client import MESSAGES, Edge
from whatsapp.conversations.contacts import contact_for
from whatsapp.conversations.sessions import SessionHint, new_flow_token, resolve_session
from whatsapp.events.log import emit_event
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, WagraphError, invalid
from whatsapp.messages import idempotency, payloads
from whatsapp.messages.delivery import (
    SEND_LEASE,
    Origin,
    SendResult,
    event_prefix,
    send_now,
    send_properties,
)
from whatsapp.messages.media import resolve_media_ids
from whatsapp.messages.queries import find_reply_target, raw_wamid
from whatsapp.messages.recipients import (
    Addressee,
    addressee,
    check_template_addressee,
    free_form_addressee,
    recipient_of,
)
from whatsapp.runtime import Runtime
from whatsapp.templates.parameters import rendered_body
from whatsapp.templates.routing import edge_for
from whatsapp.templates.store import check_template_for_send

KIND_TO_TYPE: dict[str, MessageType] = {
    "text": MessageType.TEXT,
    "image": MessageType.IMAGE,
    "video": MessageType.VIDEO,
    "audio": MessageType.AUDIO,
    "document": MessageType.DOCUMENT,
    "sticker": MessageType.STICKER,
    "location": MessageType.LOCATION,
    "contacts": MessageType.CONTACTS,
    "buttons": MessageType.BUTTONS,
    "list": MessageType.LIST,
    "ctaUrl": MessageType.CTA_URL,
    "flow": MessageType.FLOW,
}

# Uploaded media lives 30 days at Meta; a message scheduled further out could not be sent.
MAX_SCHEDULE_AHEAD = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class _Request:
    """How a message goes out, whatever it is: to whom, from which number, when, for whom."""

    to: Addressee  # a customer (the contact holding that id, when a check found it) or a group
    phone_number_id: str
    origin: Origin
    request_hash: str
    idempotency_key: str | None = None
    metadata: dict[str, Any] | None = None
    session_hint: SessionHint | None = None
    schedule_for: datetime | None = None


@dataclass(frozen=True, slots=True)
class _Draft:
    """What goes out: a validated message, its Graph API payload built."""

    id: uuid.UUID
    type: MessageType
    payload: dict[str, Any]
    content: dict[str, Any]
    text: str
    reply_to: WhatsAppMessage | None = None
    template_id: uuid.UUID | None = None
    template_name: str | None = None
    template_language: str | None = None
    template_category: str | None = None
    flow: str | None = None
    flow_token: str | None = None
    edge: Edge = MESSAGES  # where a send now goes: a MARKETING template may go elsewhere


# -- public API --------------------------------------------------------------------------------


async def send_message(
    rt: Runtime,
    *,
    to: str | None = None,
    content: Mapping[str, Any],
    phone_number_id: str | None = None,
    reply_to: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    session: SessionHint | None = None,
    idempotency_key: str | None = None,
    schedule_for: datetime | None = None,
    source: str = "api",
    automation_run_id: uuid.UUID | None = None,
    group: str | None = None,
) -> SendResult:
    """Send free-form content (text, media, location, contacts, interactive, flow), now or at
    `schedule_for`, to a customer (`to`) or to a group (`group`: text and media only).

    Free-form content needs the customer's 24-hour window open (at the scheduled time, for a
    scheduled send); when the runtime enforces it, a closed window is refused here instead of
    being accepted and failed later by Meta. This is the seed's `sendWhatsAppMessage`.

    Faces: GraphQL `sendMessage`; automations send templates (`send_template`).
    """
    request_hash = idempotency.request_hash(
        "message", to, content, phone_number_id, reply_to, metadata, schedule_for, *_of(group)
    )
    origin = Origin(source, automation_run_id)
    if (replay := await idempotency.replay(rt, idempotency_key, request_hash, origin)) is not None:
        return replay
    check_schedule_time(schedule_for)
    kind = payloads.content_kind(content)
    number = rt.number(phone_number_id)
    found = await free_form_addressee(rt, number, to, group, kind=kind, at=schedule_for)
    if found.group is not None and session is not None:
        raise invalid("A group's messages belong to no customer's session", "session")
    request = _Request(
        to=found,
        phone_number_id=number,
        origin=origin,
        request_hash=request_hash,
        idempotency_key=idempotency_key,
        metadata=dict(metadata) if metadata else None,
        session_hint=session,
        schedule_for=schedule_for,
    )
    draft = await _content_draft(kind, content, to=found, reply_to=reply_to, session=session)
    return await _store_and_deliver(rt, request, draft)


async def send_template(
    rt: Runtime,
    *,
    to: str | None = None,
    name: str,
    language: str,
    header: Mapping[str, Any] | None = None,
    body: Sequence[Mapping[str, Any]] = (),
    buttons: Sequence[Mapping[str, Any]] = (),
    phone_number_id: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    session: SessionHint | None = None,
    idempotency_key: str | None = None,
    schedule_for: datetime | None = None,
    source: str = "api",
    automation_run_id: uuid.UUID | None = None,
    named_header: Mapping[str, Any] | None = None,
    named_body: Sequence[Mapping[str, Any]] | None = None,
    group: str | None = None,
) -> SendResult:
    """Send an approved template with its header, body and button parameters, now or at
    `schedule_for` (the parameters are checked when it is scheduled, not only when sent), to
    a customer (`to`) or to a group (`group`).

    A NAMED template takes its text parameters by name (`named_header`, `named_body`:
    `{name, parameter}`), a POSITIONAL one in order (`header`, `body`). A MARKETING template
    goes to the Marketing Messages API when the runtime says so (`templates.routing`).
    """
    given = named_header is not None or bool(named_body)
    named = {"named_header": named_header, "named_body": named_body} if given else {}
    what = ("template", to, name, language, header, body, buttons, phone_number_id, metadata)
    request_hash = idempotency.request_hash(*what, schedule_for, *named.values(), *_of(group))
    origin = Origin(source, automation_run_id)
    if (replay := await idempotency.replay(rt, idempotency_key, request_hash, origin)) is not None:
        return replay
    check_schedule_time(schedule_for)
    found = await addressee(to, group, at=schedule_for)
    draft = await _template_draft(rt, found, name, language, header, body, buttons, named)
    request = _Request(
        to=await check_template_addressee(found, draft.template_category),
        phone_number_id=rt.number(phone_number_id),
        origin=origin,
        request_hash=request_hash,
        idempotency_key=idempotency_key,
        metadata=dict(metadata) if metadata else None,
        session_hint=session,
        schedule_for=schedule_for,
    )
    return await _store_and_deliver(rt, request, draft)


async def send_reaction(
    rt: Runtime,
    *,
    message_id: str,
    emoji: str,
    phone_number_id: str | None = None,
    idempotency_key: str | None = None,
    source: str = "api",
) -> SendResult:
    """React to a message (ours or a customer's); an empty emoji removes the reaction."""
    request_hash = idempotency.request_hash("reaction", message_id, emoji, phone_number_id)
    if (
        replay := await idempotency.replay(rt, idempotency_key, request_hash, Origin(source))
    ) is not None:
        return replay
    target = await find_reply_target(message_id, field=("messageId",))
    if target is None or not target.wamid:
        raise WagraphError.of(
            ErrorCode.NOT_FOUND,
            "No message with that id has a WhatsApp id to react to",
            ("messageId",),
        )
    if target.group_id is not None:
        raise invalid("Meta does not take reactions in groups", "messageId")
    draft_id = uuid.uuid4()
    draft = _Draft(
        id=draft_id,
        type=MessageType.REACTION,
        payload=payloads.build_reaction(
            to=recipient_of(target).address, message_wamid=target.wamid, emoji=emoji
        ),
        content={"reaction": {"messageId": str(target.id), "emoji": emoji}},
        text=f"reaction: {emoji}" if emoji else "reaction removed",
        reply_to=target,
    )
    request = _Request(
        to=Addressee(recipient_of(target)),
        phone_number_id=rt.number(phone_number_id or target.phone_number_id),
        origin=Origin(source),
        request_hash=request_hash,
        idempotency_key=idempotency_key,
    )
    return await _store_and_deliver(rt, request, draft)


# -- steps -------------------------------------------------------------------------------------


async def _content_draft(
    kind: str,
    content: Mapping[str, Any],
    *,
    to: Addressee,
    reply_to: str | None,
    session: SessionHint | None,
) -> _Draft:
    content = await resolve_media_ids(content, prefix=("content",))
    flow, flow_token = (None, None)
    if kind == "flow":
        content, flow, flow_token = _with_flow_token(content["flow"], session)
    target = await find_reply_target(reply_to)
    draft_id = uuid.uuid4()
    payload = payloads.build_message(
        to=to.address,
        content=content,
        reply_to_wamid=target.wamid if target else raw_wamid(reply_to),
        callback_data=str(draft_id),
        group=to.group is not None,
    )
    return _Draft(
        id=draft_id,
        type=KIND_TO_TYPE[kind],
        payload=payload,
        content=dict(content),
        text=_preview(kind, content),
        reply_to=target,
        flow=flow,
        flow_token=flow_token,
    )


async def _template_draft(
    rt: Runtime,
    to: Addressee,
    name: str,
    language: str,
    header: Mapping[str, Any] | None,
    body: Sequence[Mapping[str, Any]],
    buttons: Sequence[Mapping[str, Any]],
    named: Mapping[str, Any],
) -> _Draft:
    resolved = await resolve_media_ids({"header": header, "body": list(body)})
    header, body = resolved["header"], resolved["body"]
    template = await check_template_for_send(
        rt,
        business_id=rt.business_id,
        name=name,
        language=language,
        header=header,
        body=body,
        buttons=buttons,
        **named,
    )
    draft_id = uuid.uuid4()
    payload = payloads.build_template(
        to=to.address,
        group=to.group is not None,
        name=name,
        language=language,
        header=header,
        body=body,
        buttons=buttons,
        callback_data=str(draft_id),
        **named,
    )
    parameters = {"header": header, "body": list(body), "buttons": list(buttons)}
    if named:  # stored as given: namedHeader, namedBody
        parameters.update(namedHeader=named["named_header"], namedBody=named["named_body"])
    return _Draft(
        id=draft_id,
        type=MessageType.TEMPLATE,
        payload=payload,
        content={"template": {"name": name, "language": language, **parameters}},
        text=_template_text(template, name, language, body, named),
        template_id=template.id if template else None,
        template_name=name,
        template_language=language,
        template_category=template.category if template else None,
        edge=edge_for(rt, template),
    )


def _template_text(
    template: WhatsAppTemplate | None,
    name: str,
    language: str,
    body: Sequence[Mapping[str, Any]],
    named: Mapping[str, Any],
) -> str:
    """What the customer reads (the body filled in), or the template's name when the
    definition is not known here (no business account id to look it up by)."""
    rendered = (
        rendered_body(template.components, body=body, named_body=named.get("named_body"))
        if template is not None
        else None
    )
    return rendered or f"template: {name} ({language})"


async def _store_and_deliver(rt: Runtime, request: _Request, draft: _Draft) -> SendResult:
    contact = request.to.contact
    if contact is None and request.to.group is None:  # a group's message has no one contact
        contact = await contact_for(request.to.recipient, source=request.origin.source)
    try:
        message = await _store(request, draft, contact)
    except IntegrityError:
        # Another request with the same idempotency key won the race: answer with its result.
        if request.idempotency_key and (
            replay := await idempotency.replay(
                rt, request.idempotency_key, request.request_hash, request.origin
            )
        ):
            return replay
        raise
    if request.schedule_for is not None:
        return await _scheduled(rt, message, request.origin)
    problem = await send_now(rt, message, request.origin, edge=draft.edge)
    return SendResult(message=message, problem=problem)


async def _store(
    request: _Request, draft: _Draft, contact: WhatsAppContact | None
) -> WhatsAppMessage:
    """Insert the message: SENDING under this process's lease, or SCHEDULED for later."""
    session = None
    if contact is not None:
        session = await resolve_session(
            request.session_hint,
            contact=contact,
            phone_number_id=request.phone_number_id,
            flow=draft.flow,
            flow_token=draft.flow_token,
        )
    scheduled = request.schedule_for is not None
    context = draft.payload.get("context") or {}
    reply_to_wamid = draft.reply_to.wamid if draft.reply_to else context.get("message_id")
    return await WhatsAppMessage.create(
        id=draft.id,
        direction=MessageDirection.OUTBOUND,
        type=draft.type,
        status=MessageStatus.SCHEDULED if scheduled else MessageStatus.SENDING,
        scheduled_for=request.schedule_for,
        next_attempt_at=request.schedule_for,
        phone_number_id=request.phone_number_id,
        customer_wa_id=request.to.recipient.wa_id,
        customer_bsuid=request.to.recipient.bsuid,
        contact=contact,
        session=session,
        group=request.to.group,
        origin=MessageOrigin.API,
        template_id=draft.template_id,
        template_name=draft.template_name,
        template_language=draft.template_language,
        reply_to=draft.reply_to,
        reply_to_wamid=reply_to_wamid,
        text=draft.text,
        content=draft.content,
        metadata=request.metadata,
        payload=draft.payload,
        attempts=0,  # an immediate send's attempt counts when it is handed over (send_now)
        lease_expires_at=None if scheduled else utcnow() + SEND_LEASE,
        idempotency_key=request.idempotency_key,
        request_hash=request.request_hash,
    )


async def _scheduled(rt: Runtime, message: WhatsAppMessage, origin: Origin) -> SendResult:
    await emit_event(
        f"{event_prefix(message)}.scheduled",
        source=origin.source,
        properties={
            "type": message.type.value,
            "to": message.customer_wa_id or message.customer_bsuid,
            "scheduledFor": message.scheduled_for.isoformat(),  # type: ignore[union-attr]
            **send_properties(message),
        },
        message_id=message.id,
        session_id=message.session_id,
        contact_id=message.contact_id,
        caused_by_automation_run_id=origin.automation_run_id,
    )
    if rt.on_scheduled is not None:
        await rt.on_scheduled(message.id, message.scheduled_for)  # type: ignore[arg-type]
    return SendResult(message=message)


def check_schedule_time(when: datetime | None, field: str = "scheduleFor") -> None:
    """A scheduled time must be ahead of us, and not further than Meta keeps media (30 days)."""
    if when is None:
        return
    if when.tzinfo is None:
        raise invalid("scheduleFor needs a timezone (for example 2026-12-01T09:00:00Z)", field)
    now = utcnow()
    if when <= now:
        raise invalid("scheduleFor must be in the future", field)
    if when - now > MAX_SCHEDULE_AHEAD:
        raise invalid(f"scheduleFor may be at most {MAX_SCHEDULE_AHEAD.days} days ahead", field)


# -- helpers -----------------------------------------------------------------------------------


def _of(group: str | None) -> tuple[str, ...]:
    """A group joins a request's hash only when given (a customer's hash stays as it was)."""
    return () if group is None else ("group", group)


def _preview(kind: str, content: Mapping[str, Any]) -> str:
    """What a dashboard shows: a text message's own words, a summary of anything else."""
    if kind == "text":
        return str(content["text"]["body"])[: payloads.DESCRIBE_MAX]
    return payloads.describe(content)


def _with_flow_token(
    flow: Mapping[str, Any], session: SessionHint | None
) -> tuple[dict[str, Any], str | None, str]:
    """A flow's token ties its replies to the session: the client's, the session's, or new."""
    body = dict(flow)
    token = body.get("flowToken") or (session.flow_token if session else None)
    body["flowToken"] = token = token or new_flow_token()
    return {"flow": body}, body.get("flowName") or body.get("flowId"), token
