"""Outbound messages: validate, store, send through the Cloud API, record the outcome.

Every send follows the same three steps, none of which holds a transaction open across the
network call:
1. prepare — everything that can be checked is checked and the Graph API payload is built;
   bad input raises `WagraphError` before any row is written;
2. store — the message is inserted as SENDING with its metadata and payload snapshot;
3. deliver — the Cloud API is called; the outcome (SENT + wamid, or FAILED + Meta's code) and
   its analytics event are written together.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Case, F, Value, When
from tortoise.transactions import in_transaction

from models import (
    MessageDirection,
    MessageStatus,
    MessageType,
    WhatsAppContact,
    WhatsAppMedia,
    WhatsAppMessage,
    WhatsAppSession,
)
from whatsapp.cloud.client import CloudApiError, CloudError
from whatsapp.cloud.problems import problem_from_cloud, problem_from_stored
from whatsapp.conversations.contacts import get_or_create_contact
from whatsapp.conversations.sessions import SessionHint, new_flow_token, resolve_session
from whatsapp.conversations.windows import require_open_window
from whatsapp.events.log import emit_event
from whatsapp.kit.clock import utcnow
from whatsapp.kit.errors import ErrorCode, Problem, WagraphError, invalid
from whatsapp.kit.phone import normalize_wa_id
from whatsapp.messages import payloads
from whatsapp.messages.statuses import attach_pending_statuses
from whatsapp.runtime import Runtime
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

# How long a SENDING row is owned by the process that wrote it before it counts as abandoned.
SEND_LEASE = timedelta(minutes=2)
# Meta's throughput limit (130429): the number's budget pauses this long for everyone.
THROUGHPUT_CODE = 130429
THROUGHPUT_PENALTY_S = 1.0
# Uploaded media lives 30 days at Meta; a message scheduled further out could not be sent.
MAX_SCHEDULE_AHEAD = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class SendResult:
    """The stored message, and Meta's refusal when there was one (stored on the message too)."""

    message: WhatsAppMessage
    problem: Problem | None = None
    replayed: bool = False


@dataclass(slots=True)
class _Draft:
    """A validated outbound message, ready to store and send."""

    id: uuid.UUID
    type: MessageType
    phone_number_id: str
    wa_id: str
    payload: dict[str, Any]
    event_prefix: str
    content: dict[str, Any] | None = None
    text: str | None = None
    metadata: dict[str, Any] | None = None
    reply_to: WhatsAppMessage | None = None
    template_id: uuid.UUID | None = None
    template_name: str | None = None
    template_language: str | None = None
    idempotency_key: str | None = None
    request_hash: str | None = None
    session_hint: SessionHint | None = None
    flow: str | None = None
    flow_token: str | None = None
    source: str = "api"
    automation_run_id: uuid.UUID | None = None
    schedule_for: datetime | None = None
    extra_properties: dict[str, Any] = field(default_factory=dict)


# -- public API --------------------------------------------------------------------------------


async def send_message(
    rt: Runtime,
    *,
    to: str,
    content: Mapping[str, Any],
    phone_number_id: str | None = None,
    reply_to: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    session: SessionHint | None = None,
    idempotency_key: str | None = None,
    schedule_for: datetime | None = None,
    source: str = "api",
    automation_run_id: uuid.UUID | None = None,
) -> SendResult:
    """Send free-form content (text, media, location, contacts, interactive, flow), now or at
    `schedule_for`.

    Free-form content needs the customer's 24-hour window open (at the scheduled time, for a
    scheduled send); when the runtime enforces it, a closed window is refused here instead of
    being accepted and failed later by Meta.
    """
    request_hash = _request_hash(
        "message", to, content, phone_number_id, reply_to, metadata, schedule_for
    )
    if (replay := await _replay(idempotency_key, request_hash)) is not None:
        return replay
    check_schedule_time(schedule_for)
    wa_id = normalize_wa_id(to)
    kind = payloads.content_kind(content)
    number = rt.number(phone_number_id)
    if rt.enforce_service_window:
        await require_open_window(number, wa_id, at=schedule_for)
    content = await _resolve_media_ids(content, prefix=("content",))
    flow = flow_token = None
    if kind == "flow":
        flow_body = dict(content["flow"])
        flow_token = flow_body.get("flowToken") or (session.flow_token if session else None)
        flow_body["flowToken"] = flow_token = flow_token or new_flow_token()
        flow = flow_body.get("flowName") or flow_body.get("flowId")
        content = {"flow": flow_body}
    target = await _find_reply_target(reply_to)
    draft_id = uuid.uuid4()
    payload = payloads.build_message(
        to=wa_id,
        content=content,
        reply_to_wamid=target.wamid if target else _raw_wamid(reply_to),
        callback_data=str(draft_id),
    )
    draft = _Draft(
        id=draft_id,
        type=KIND_TO_TYPE[kind],
        phone_number_id=number,
        wa_id=wa_id,
        payload=payload,
        event_prefix="message",
        content=dict(content),
        text=_preview(kind, content),
        metadata=dict(metadata) if metadata else None,
        reply_to=target,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        session_hint=session,
        flow=flow,
        flow_token=flow_token,
        source=source,
        automation_run_id=automation_run_id,
        schedule_for=schedule_for,
    )
    return await _store_and_deliver(rt, draft)


async def send_template(
    rt: Runtime,
    *,
    to: str,
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
) -> SendResult:
    """Send an approved template with its header, body and button parameters, now or at
    `schedule_for` (the parameters are checked when it is scheduled, not only when sent)."""
    request_hash = _request_hash(
        "template",
        to,
        name,
        language,
        header,
        body,
        buttons,
        phone_number_id,
        metadata,
        schedule_for,
    )
    if (replay := await _replay(idempotency_key, request_hash)) is not None:
        return replay
    check_schedule_time(schedule_for)
    wa_id = normalize_wa_id(to)
    resolved = await _resolve_media_ids({"header": header, "body": list(body)})
    header, body = resolved["header"], resolved["body"]
    template = await check_template_for_send(
        rt,
        business_id=rt.business_id,
        name=name,
        language=language,
        header=header,
        body=body,
        buttons=buttons,
    )
    draft_id = uuid.uuid4()
    payload = payloads.build_template(
        to=wa_id,
        name=name,
        language=language,
        header=header,
        body=body,
        buttons=buttons,
        callback_data=str(draft_id),
    )
    draft = _Draft(
        id=draft_id,
        type=MessageType.TEMPLATE,
        phone_number_id=rt.number(phone_number_id),
        wa_id=wa_id,
        payload=payload,
        event_prefix="template",
        content={
            "template": {
                "name": name,
                "language": language,
                "header": header,
                "body": list(body),
                "buttons": list(buttons),
            }
        },
        text=f"template: {name} ({language})",
        metadata=dict(metadata) if metadata else None,
        template_id=template.id if template else None,
        template_name=name,
        template_language=language,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        session_hint=session,
        source=source,
        automation_run_id=automation_run_id,
        schedule_for=schedule_for,
        extra_properties={"template": name, "language": language},
    )
    return await _store_and_deliver(rt, draft)


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
    request_hash = _request_hash("reaction", message_id, emoji, phone_number_id)
    if (replay := await _replay(idempotency_key, request_hash)) is not None:
        return replay
    target = await _find_reply_target(message_id, field=("messageId",))
    if target is None or not target.wamid:
        raise WagraphError.of(
            ErrorCode.NOT_FOUND,
            "No message with that id has a WhatsApp id to react to",
            ("messageId",),
        )
    draft_id = uuid.uuid4()
    payload = payloads.build_reaction(
        to=target.customer_wa_id, message_wamid=target.wamid, emoji=emoji
    )
    draft = _Draft(
        id=draft_id,
        type=MessageType.REACTION,
        phone_number_id=rt.number(phone_number_id or target.phone_number_id),
        wa_id=target.customer_wa_id,
        payload=payload,
        event_prefix="reaction",
        content={"reaction": {"messageId": str(target.id), "emoji": emoji}},
        text=f"reaction: {emoji}" if emoji else "reaction removed",
        reply_to=target,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        source=source,
        extra_properties={"emoji": emoji, "targetMessageId": str(target.id)},
    )
    return await _store_and_deliver(rt, draft)


async def mark_as_read(
    rt: Runtime, *, message_id: str, typing_indicator: bool = False
) -> WhatsAppMessage:
    """Tell the customer we read their message (and, optionally, that we are typing)."""
    message = await _find_reply_target(message_id, field=("messageId",))
    if message is None or not message.wamid:
        raise WagraphError.of(ErrorCode.NOT_FOUND, "No message with that id", ("messageId",))
    if message.direction != MessageDirection.INBOUND:
        raise invalid("Only messages a customer sent can be marked as read", "messageId")
    payload = payloads.build_mark_as_read(wamid=message.wamid, typing_indicator=typing_indicator)
    try:
        await rt.cloud.mark_as_read(message.phone_number_id, payload)
    except CloudError as exc:
        raise WagraphError([problem_from_cloud(exc)]) from exc
    if message.read_at is None:
        message.read_at = utcnow()
        await message.save(update_fields=["read_at", "updated_at"])
    return message


# -- steps -------------------------------------------------------------------------------------


async def _store_and_deliver(rt: Runtime, draft: _Draft) -> SendResult:
    contact = await get_or_create_contact(draft.wa_id)
    session = await _session_for(draft, contact)
    now = utcnow()
    scheduled = draft.schedule_for is not None
    try:
        message = await WhatsAppMessage.create(
            id=draft.id,
            direction=MessageDirection.OUTBOUND,
            type=draft.type,
            status=MessageStatus.SCHEDULED if scheduled else MessageStatus.SENDING,
            scheduled_for=draft.schedule_for,
            next_attempt_at=draft.schedule_for,
            phone_number_id=draft.phone_number_id,
            customer_wa_id=draft.wa_id,
            contact=contact,
            session=session,
            template_id=draft.template_id,
            template_name=draft.template_name,
            template_language=draft.template_language,
            reply_to=draft.reply_to,
            reply_to_wamid=draft.reply_to.wamid
            if draft.reply_to
            else (draft.payload.get("context") or {}).get("message_id"),
            text=draft.text,
            content=draft.content,
            metadata=draft.metadata,
            payload=draft.payload,
            attempts=0 if scheduled else 1,
            lease_expires_at=None if scheduled else now + SEND_LEASE,
            idempotency_key=draft.idempotency_key,
            request_hash=draft.request_hash,
        )
    except IntegrityError:
        # Another request with the same idempotency key won the race: answer with its result.
        if draft.idempotency_key and (
            replay := await _replay(draft.idempotency_key, draft.request_hash or "")
        ):
            return replay
        raise
    if scheduled:
        return await _scheduled(rt, message, draft)
    return await deliver(
        rt,
        message,
        contact_id=contact.id,
        source=draft.source,
        extra_properties=draft.extra_properties,
        event_prefix=draft.event_prefix,
        automation_run_id=draft.automation_run_id,
    )


async def _scheduled(rt: Runtime, message: WhatsAppMessage, draft: _Draft) -> SendResult:
    await emit_event(
        f"{draft.event_prefix}.scheduled",
        source=draft.source,
        properties={
            "type": message.type.value,
            "to": message.customer_wa_id,
            "scheduledFor": message.scheduled_for.isoformat(),  # type: ignore[union-attr]
            **draft.extra_properties,
        },
        message_id=message.id,
        session_id=message.session_id,
        contact_id=message.contact_id,
        caused_by_automation_run_id=draft.automation_run_id,
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


async def deliver(
    rt: Runtime,
    message: WhatsAppMessage,
    *,
    contact_id: uuid.UUID | None,
    source: str,
    event_prefix: str,
    extra_properties: Mapping[str, Any] | None = None,
    automation_run_id: uuid.UUID | None = None,
) -> SendResult:
    """Call the Cloud API for a stored SENDING message and record the outcome with its event."""
    problem: Problem | None = None
    try:
        await rt.limiter.acquire(message.phone_number_id)
        sent = await rt.cloud.send_message(message.phone_number_id, message.payload or {})
    except CloudError as exc:
        if isinstance(exc, CloudApiError) and exc.code == THROUGHPUT_CODE:
            await rt.limiter.penalize(message.phone_number_id, THROUGHPUT_PENALTY_S)
        problem = problem_from_cloud(exc)
        message.status = MessageStatus.FAILED
        message.failed_at = utcnow()
        message.error_code = getattr(exc, "code", None)
        message.error_title = getattr(exc, "title", None) or "Cloud API unreachable"
        message.error_details = getattr(exc, "details", None) or (
            None if isinstance(exc, CloudApiError) else str(exc)
        )
        fields = ["status", "failed_at", "error_code", "error_title", "error_details"]
    else:
        message.wamid = sent.wamid
        message.sent_at = utcnow()
        fields = []
    message.lease_expires_at = None
    properties = {
        "type": message.type.value,
        "to": message.customer_wa_id,
        "phoneNumberId": message.phone_number_id,
        "wamid": message.wamid,
        **(extra_properties or {}),
    }
    if message.metadata:
        properties["metadata"] = message.metadata
    if problem:
        properties["error"] = {"code": message.error_code, "title": message.error_title}
    async with in_transaction() as conn:
        if problem:
            await message.save(
                update_fields=[*fields, "lease_expires_at", "updated_at"], using_db=conn
            )
        else:
            # A status webhook may already have moved the message on (it knows the message by
            # its callback data): only a message still SENDING becomes SENT.
            await (
                WhatsAppMessage.filter(id=message.id)
                .using_db(conn)
                .update(
                    wamid=message.wamid,
                    sent_at=message.sent_at,
                    lease_expires_at=None,
                    updated_at=message.sent_at,
                    status=Case(
                        When(status=MessageStatus.SENDING, then=Value(MessageStatus.SENT.value)),
                        default=F("status"),
                    ),
                )
            )
        await emit_event(
            f"{event_prefix}.{'failed' if problem else 'sent'}",
            source=source,
            properties=properties,
            message_id=message.id,
            session_id=message.session_id,
            contact_id=contact_id,
            caused_by_automation_run_id=automation_run_id,
            using_db=conn,
        )
    if not problem:
        await attach_pending_statuses(message)
        await message.refresh_from_db(fields=["status", "delivered_at", "read_at", "failed_at"])
    return SendResult(message=message, problem=problem)


# -- helpers -----------------------------------------------------------------------------------


def _preview(kind: str, content: Mapping[str, Any]) -> str:
    """What a dashboard shows: a text message's own words, a summary of anything else."""
    if kind == "text":
        return str(content["text"]["body"])[: payloads.DESCRIBE_MAX]
    return payloads.describe(content)


def _request_hash(*parts: Any) -> str:
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()


async def _replay(idempotency_key: str | None, request_hash: str) -> SendResult | None:
    """The earlier result for this key; a different request under the same key is refused."""
    if not idempotency_key:
        return None
    if len(idempotency_key) > 128:
        raise invalid("idempotencyKey must be at most 128 characters", "idempotencyKey")
    earlier = await WhatsAppMessage.get_or_none(idempotency_key=idempotency_key)
    if earlier is None:
        return None
    if earlier.request_hash != request_hash:
        raise WagraphError.of(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "This idempotencyKey was already used for a different request",
            ("idempotencyKey",),
        )
    problem = None
    if earlier.status == MessageStatus.FAILED:
        problem = problem_from_stored(
            earlier.error_code, earlier.error_title, earlier.error_details
        )
    return SendResult(message=earlier, problem=problem, replayed=True)


def _raw_wamid(reply_to: str | None) -> str | None:
    return reply_to if reply_to and reply_to.startswith("wamid.") else None


async def _find_reply_target(
    ref: str | None, field: tuple[str, ...] = ("replyTo",)
) -> WhatsAppMessage | None:
    """A message by our id or by its wamid. An unknown wamid is allowed (sent before us)."""
    if not ref:
        return None
    if ref.startswith("wamid."):
        return await WhatsAppMessage.get_or_none(wamid=ref)
    try:
        key = uuid.UUID(ref)
    except ValueError:
        raise invalid("Expected a message id or a wamid", *field) from None
    message = await WhatsAppMessage.get_or_none(id=key)
    if message is None:
        raise WagraphError.of(ErrorCode.NOT_FOUND, "No message with that id", field)
    return message


async def _session_for(draft: _Draft, contact: WhatsAppContact) -> WhatsAppSession | None:
    return await resolve_session(
        draft.session_hint,
        contact=contact,
        phone_number_id=draft.phone_number_id,
        flow=draft.flow,
        flow_token=draft.flow_token,
    )


async def _resolve_media_ids(
    tree: Mapping[str, Any], prefix: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Replace our media ids (UUIDs from uploadMedia) by Meta's, wherever `mediaId` appears."""
    found: dict[str, list[tuple[str, ...]]] = {}

    def collect(node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                if key == "mediaId" and isinstance(value, str) and _is_uuid(value):
                    found.setdefault(value, []).append((*path, key))
                else:
                    collect(value, (*path, key))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                collect(item, (*path, str(index)))

    collect(tree, prefix)
    if not found:
        return dict(tree)
    rows = await WhatsAppMedia.filter(id__in=list(found)).values_list("id", "meta_id")
    meta_ids = {str(media_id): meta_id for media_id, meta_id in rows}
    missing = [path for key, paths in found.items() if key not in meta_ids for path in paths]
    if missing:
        raise WagraphError(
            [Problem(ErrorCode.NOT_FOUND, "No uploaded media with that id", p) for p in missing]
        )

    def replace(node: Any) -> Any:
        if isinstance(node, Mapping):
            return {
                key: meta_ids.get(value, value) if key == "mediaId" else replace(value)
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [replace(item) for item in node]
        return node

    return replace(tree)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
