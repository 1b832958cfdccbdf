"""Resolvers for sending and reading messages."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from resolvers.errors import user_errors
from schema.context import Info
from schema.errors import UserError
from schema.inputs import (
    MessageFilter,
    SendMessageInput,
    SendReactionInput,
    SendTemplateInput,
    SessionHintInput,
    to_plain,
)
from schema.payloads import MarkAsReadPayload, SendMessagePayload
from schema.types import Message, MessageConnection
from whatsapp.conversations.sessions import SessionHint
from whatsapp.kit.errors import WagraphError, invalid
from whatsapp.messages import queries as message_queries
from whatsapp.messages import scheduling
from whatsapp.messages import sending as messaging
from whatsapp.messages.sending import SendResult


def _payload(result: SendResult) -> SendMessagePayload:
    errors = [UserError.from_problem(result.problem)] if result.problem else []
    return SendMessagePayload(
        message=Message.from_model(result.message), errors=errors, replayed=result.replayed
    )


def _uuid(value: str | None, *field: str) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise invalid("Not a valid id", *field) from None


def _session_hint(hint: SessionHintInput | None) -> SessionHint | None:
    if hint is None:
        return None
    return SessionHint(
        id=_uuid(hint.id, "session", "id"),
        flow_token=hint.flow_token,
        tags=tuple(hint.tags or ()),
        context=hint.context,
    )


async def send_message(info: Info, input: SendMessageInput) -> SendMessagePayload:
    try:
        result = await messaging.send_message(
            info.context.runtime,
            to=input.to,
            content=to_plain(input.content),
            phone_number_id=input.phone_number_id,
            reply_to=input.reply_to,
            metadata=input.metadata,
            session=_session_hint(input.session),
            idempotency_key=input.idempotency_key,
            schedule_for=input.schedule_for,
        )
    except WagraphError as exc:
        return SendMessagePayload(errors=user_errors(exc))
    return _payload(result)


async def send_template(info: Info, input: SendTemplateInput) -> SendMessagePayload:
    try:
        result = await messaging.send_template(
            info.context.runtime,
            to=input.to,
            name=input.name,
            language=input.language,
            header=to_plain(input.header),
            body=to_plain(input.body or []),
            buttons=to_plain(input.buttons or []),
            phone_number_id=input.phone_number_id,
            metadata=input.metadata,
            session=_session_hint(input.session),
            idempotency_key=input.idempotency_key,
            schedule_for=input.schedule_for,
        )
    except WagraphError as exc:
        return SendMessagePayload(errors=user_errors(exc))
    return _payload(result)


async def send_reaction(info: Info, input: SendReactionInput) -> SendMessagePayload:
    try:
        result = await messaging.send_reaction(
            info.context.runtime,
            message_id=str(input.message_id),
            emoji=input.emoji,
            phone_number_id=input.phone_number_id,
            idempotency_key=input.idempotency_key,
        )
    except WagraphError as exc:
        return SendMessagePayload(errors=user_errors(exc))
    return _payload(result)


async def mark_as_read(
    info: Info, message_id: strawberry.ID, typing_indicator: bool = False
) -> MarkAsReadPayload:
    try:
        message = await messaging.mark_as_read(
            info.context.runtime, message_id=str(message_id), typing_indicator=typing_indicator
        )
    except WagraphError as exc:
        return MarkAsReadPayload(errors=user_errors(exc, prefix=()))
    return MarkAsReadPayload(message=Message.from_model(message))


async def cancel_scheduled_message(info: Info, id: strawberry.ID) -> SendMessagePayload:
    try:
        message = await scheduling.cancel_scheduled_message(_required_uuid(id))
    except WagraphError as exc:
        return SendMessagePayload(errors=user_errors(exc, prefix=()))
    return SendMessagePayload(message=Message.from_model(message))


async def reschedule_message(
    info: Info, id: strawberry.ID, schedule_for: datetime
) -> SendMessagePayload:
    try:
        message = await scheduling.reschedule_message(
            info.context.runtime, _required_uuid(id), schedule_for
        )
    except WagraphError as exc:
        return SendMessagePayload(errors=user_errors(exc, prefix=()))
    return SendMessagePayload(message=Message.from_model(message))


def _required_uuid(value: strawberry.ID) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise invalid("Not a valid message id", "id") from None


async def message(info: Info, id: strawberry.ID) -> Message | None:
    row = await message_queries.get_message(str(id))
    return Message.from_model(row) if row else None


async def messages(
    info: Info,
    filter: MessageFilter | None = None,
    first: int | None = 20,
    after: str | None = None,
) -> MessageConnection:
    f = filter or MessageFilter()
    query = message_queries.MessageQuery(
        statuses=tuple(f.status or ()),
        types=tuple(f.type or ()),
        direction=f.direction,
        customer=f.to,
        phone_number_id=f.phone_number_id,
        session_id=_uuid(f.session_id, "filter", "sessionId"),
        template_name=f.template_name,
        created_after=f.created_after,
        created_before=f.created_before,
    )
    page = await message_queries.list_messages(query, first=first, after=after)
    return MessageConnection.from_page(page)
