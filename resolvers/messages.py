"""Messages: send (free-form, template, reaction), mark as read, schedule, upload, read back."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from schema.context import Info
from schema.fields import mutation, query
from schema.loaders import lean_messages
from schema.messages import (
    MarkAsReadPayload,
    Media,
    Message,
    MessageConnection,
    MessageFilter,
    RecipientType,
    SendMessageInput,
    SendMessagePayload,
    SendReactionInput,
    SendTemplateInput,
    SessionHintInput,
    UploadMediaPayload,
)
from schema.plain import json_object, to_plain
from whatsapp.conversations.sessions import SessionHint
from whatsapp.kit.errors import ErrorCode, WagraphError
from whatsapp.kit.ids import parse_id
from whatsapp.messages import media, reading, scheduling, sending
from whatsapp.messages import queries as message_queries

MESSAGE_ID = "message id"


def _session_hint(hint: SessionHintInput | None) -> SessionHint | None:
    if hint is None:
        return None
    return SessionHint(
        id=None if hint.id is None else parse_id(hint.id, "session", "id"),
        flow_token=hint.flow_token,
        tags=tuple(hint.tags or ()),
        context=json_object(hint.context, "session", "context"),
    )


def _addressed(to: str, recipient_type: RecipientType) -> tuple[str | None, str | None]:
    """(customer, group) as the core takes them: `to` with recipientType GROUP is a group."""
    if recipient_type == RecipientType.GROUP:
        return None, to
    return to, None


async def send_message(info: Info, input: SendMessageInput) -> SendMessagePayload:
    to, group = _addressed(input.to, input.recipient_type)
    result = await sending.send_message(
        info.context.runtime,
        to=to,
        group=group,
        content=to_plain(input.content),
        phone_number_id=input.phone_number_id,
        reply_to=input.reply_to,
        metadata=json_object(input.metadata, "metadata"),
        session=_session_hint(input.session),
        idempotency_key=input.idempotency_key,
        schedule_for=input.schedule_for,
    )
    return SendMessagePayload.from_result(result)


async def send_template(info: Info, input: SendTemplateInput) -> SendMessagePayload:
    to, group = _addressed(input.to, input.recipient_type)
    result = await sending.send_template(
        info.context.runtime,
        to=to,
        group=group,
        name=input.name,
        language=input.language,
        header=to_plain(input.header),
        body=to_plain(input.body or []),
        buttons=to_plain(input.buttons or []),
        named_header=to_plain(input.named_header),
        named_body=to_plain(input.named_body),
        phone_number_id=input.phone_number_id,
        metadata=json_object(input.metadata, "metadata"),
        session=_session_hint(input.session),
        idempotency_key=input.idempotency_key,
        schedule_for=input.schedule_for,
    )
    return SendMessagePayload.from_result(result)


async def send_reaction(info: Info, input: SendReactionInput) -> SendMessagePayload:
    result = await sending.send_reaction(
        info.context.runtime,
        message_id=str(input.message_id),
        emoji=input.emoji,
        phone_number_id=input.phone_number_id,
        idempotency_key=input.idempotency_key,
    )
    return SendMessagePayload.from_result(result)


async def mark_as_read(
    info: Info, message_id: strawberry.ID, typing_indicator: bool = False
) -> MarkAsReadPayload:
    message = await reading.mark_as_read(
        info.context.runtime, message_id=str(message_id), typing_indicator=typing_indicator
    )
    return MarkAsReadPayload(message=Message.from_model(message))


async def cancel_scheduled_message(id: strawberry.ID) -> SendMessagePayload:
    message = await scheduling.cancel_scheduled_message(
        message_id=parse_id(id, "id", what=MESSAGE_ID)
    )
    return SendMessagePayload(message=Message.from_model(message))


async def reschedule_message(
    info: Info, id: strawberry.ID, schedule_for: datetime
) -> SendMessagePayload:
    message = await scheduling.reschedule_message(
        info.context.runtime, message_id=parse_id(id, "id", what=MESSAGE_ID), when=schedule_for
    )
    return SendMessagePayload(message=Message.from_model(message))


async def upload_media(
    info: Info, file: Upload, phone_number_id: str | None = None
) -> UploadMediaPayload:
    upload = cast(UploadFile, file)  # what strawberry's Upload is under Starlette
    limit = info.context.max_upload_bytes
    try:
        data = await upload.read(limit + 1)  # one byte more tells "too large" from "just fits"
    finally:
        await upload.close()
    if len(data) > limit:
        raise WagraphError.of(
            ErrorCode.MEDIA_TOO_LARGE, f"Uploads are limited to {limit} bytes", ("file",)
        )
    row = await media.upload_media(
        info.context.runtime,
        data=data,
        filename=upload.filename or "upload",
        mime_type=upload.content_type or "application/octet-stream",
        phone_number_id=phone_number_id,
    )
    return UploadMediaPayload(media=Media.from_model(row))


async def message(id: strawberry.ID) -> Message | None:
    row = await message_queries.get_message(message_id=str(id))
    return Message.from_model(row) if row else None


async def messages(
    info: Info,
    filter: MessageFilter | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> MessageConnection:
    f = filter or MessageFilter()
    where = message_queries.MessageQuery(
        statuses=tuple(f.status or ()),
        types=tuple(f.type or ()),
        direction=f.direction,
        customer=f.to,
        phone_number_id=f.phone_number_id,
        session_id=None if f.session_id is None else parse_id(f.session_id, "filter", "sessionId"),
        template_name=f.template_name,
        created_after=f.created_after,
        created_before=f.created_before,
    )
    page = await message_queries.list_messages(
        query=where, first=first, after=after, lean=lean_messages(info)
    )
    return MessageConnection.from_page(page, Message.from_model)


@strawberry.type
class MessageQuery:
    message: Message | None = query(message, description="A message by our id or its wamid.")
    messages: MessageConnection = query(
        messages, description="Messages matching the filter, newest first."
    )


@strawberry.type
class MessageMutation:
    send_message: SendMessagePayload = mutation(
        send_message,
        description="Send text, media, location, contacts, interactive or flow content.",
    )
    send_template: SendMessagePayload = mutation(
        send_template, description="Send an approved template."
    )
    send_reaction: SendMessagePayload = mutation(
        send_reaction, description='React to a message; an empty emoji "" removes the reaction.'
    )
    mark_as_read: MarkAsReadPayload = mutation(
        mark_as_read,
        description="Mark a customer's message as read (blue ticks), optionally showing typing.",
    )
    cancel_scheduled_message: SendMessagePayload = mutation(
        cancel_scheduled_message,
        description="Cancel a SCHEDULED message (NOT_CANCELLABLE otherwise).",
    )
    reschedule_message: SendMessagePayload = mutation(
        reschedule_message, description="Move a SCHEDULED message to another time."
    )
    upload_media: UploadMediaPayload = mutation(
        upload_media, description="Upload a file to Meta, to send by id (a multipart request)."
    )
