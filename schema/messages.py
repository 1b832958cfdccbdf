"""GraphQL face of messages: Message and Media, the send inputs, payloads and filter.

Contact and Session import this module, so they are named lazily here (`strawberry.lazy`) and
imported where a relation is resolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from models import WhatsAppGroupReceipt, WhatsAppMedia, WhatsAppMessage, WhatsAppMessageStatus
from models.enums import MessageDirection, MessageOrigin, MessageStatus, MessageType
from schema.connection import Connection
from schema.context import Info
from schema.errors import UserError
from schema.loaders import unread_is_none
from schema.message_content import (
    MessageContentInput,
    NamedTemplateParameterInput,
    TemplateButtonInput,
    TemplateParameterInput,
)
from schema.templates import Template
from whatsapp.messages.sending import SendResult

if TYPE_CHECKING:
    from schema.conversations import Contact, Session
    from schema.groups import Group

strawberry.enum(MessageStatus, description="Where a message is in its life.")
strawberry.enum(MessageDirection, description="OUTBOUND: we sent it; INBOUND: the customer did.")
strawberry.enum(MessageType, description="What a message carries.")
strawberry.enum(
    MessageOrigin,
    description="Where an outbound message was written: API (through wagraph) or BUSINESS_APP "
    "(in the WhatsApp Business app, echoed by Meta on a coexistence number).",
)

TO = (
    "A phone number, with or without +, or a business-scoped user id such as "
    "US.13491208655302741918 (sent to Meta as `recipient`; a parent BSUID CC.ENT.… is not a "
    "recipient)."
)
LazyContact = Annotated["Contact", strawberry.lazy("schema.conversations")]
LazySession = Annotated["Session", strawberry.lazy("schema.conversations")]
LazyGroup = Annotated["Group", strawberry.lazy("schema.groups")]


@strawberry.enum(description="Who `to` names: a customer (INDIVIDUAL, the default) or a group.")
class RecipientType(StrEnum):
    INDIVIDUAL = "INDIVIDUAL"
    GROUP = "GROUP"


RECIPIENT_TYPE = (
    "GROUP: `to` is a group (our id or Meta's group id). Meta takes text, media and templates "
    "in groups; interactive messages are refused."
)


@strawberry.type(description="Media uploaded to Meta; send it by `id` (ours) or `metaId`.")
class Media:
    id: strawberry.ID = strawberry.field(description="Ours: use it as a mediaId.")
    meta_id: str = strawberry.field(description="Meta's media id: also usable as a mediaId.")
    kind: str = strawberry.field(description="image, video, audio, document or sticker.")
    mime_type: str = strawberry.field(description="As uploaded, e.g. image/jpeg.")
    file_name: str | None = strawberry.field(description="The uploaded file's name.")
    file_size: int = strawberry.field(description="In bytes.")
    sha256: str = strawberry.field(description="Of the file's bytes, hex.")
    created_at: datetime = strawberry.field(description="When it was uploaded.")
    expires_at: datetime = strawberry.field(
        description="When Meta forgets it: upload again after that."
    )

    @classmethod
    def from_model(cls, row: WhatsAppMedia) -> Media:
        return cls(
            id=strawberry.ID(str(row.id)),
            meta_id=row.meta_id,
            kind=row.kind,
            mime_type=row.mime_type,
            file_name=row.file_name,
            file_size=row.file_size,
            sha256=row.sha256,
            created_at=row.created_at,
            expires_at=row.expires_at,
        )


@strawberry.type(description="What Meta charges for a message, as its status webhooks say.")
class MessagePricing:
    model: str | None = strawberry.field(description="Pricing model: PMP (per message), CBP…")
    type: str | None = strawberry.field(
        description="regular, free_customer_service or free_entry_point."
    )
    category: str | None = strawberry.field(
        description="marketing, marketing_lite, utility, authentication, service, group_marketing…"
    )
    billable: bool | None = strawberry.field(description="Whether Meta bills it (deprecated).")

    @classmethod
    def of(cls, raw: Mapping[str, Any] | None) -> MessagePricing | None:
        if not isinstance(raw, Mapping):
            return None
        billable = raw.get("billable")
        return cls(
            model=_text(raw.get("pricing_model")),
            type=_text(raw.get("type")),
            category=_text(raw.get("category")),
            billable=billable if isinstance(billable, bool) else None,
        )


@strawberry.type(description="Why Meta failed a message.")
class MessageStatusError:
    code: int | None = strawberry.field(description="Meta's error code, e.g. 131047.")
    title: str | None = strawberry.field(description="Meta's error title.")
    details: str | None = strawberry.field(description="Meta's error details.")


@strawberry.type(description="One status Meta reported for an outbound message.")
class MessageStatusChange:
    status: MessageStatus = strawberry.field(description="SENT, DELIVERED, READ or FAILED.")
    occurred_at: datetime = strawberry.field(description="When it happened (Meta's time).")
    recorded_at: datetime = strawberry.field(description="When we heard of it.")
    error: MessageStatusError | None = strawberry.field(description="For FAILED: why.")
    pricing: MessagePricing | None = strawberry.field(description="What it costs, if given.")
    participant: str | None = strawberry.field(
        description="A group message: the participant this status is about."
    )

    @classmethod
    def from_model(cls, row: WhatsAppMessageStatus | WhatsAppGroupReceipt) -> MessageStatusChange:
        """A status of the message's history, or one participant's report of a group message."""
        details = row.error_details if isinstance(row, WhatsAppMessageStatus) else None
        error = None
        if row.error_code is not None or row.error_title:
            error = MessageStatusError(code=row.error_code, title=row.error_title, details=details)
        participant = (
            row.recipient_participant_id
            if isinstance(row, WhatsAppMessageStatus)
            else row.participant_id
        )
        return cls(
            status=row.status,
            occurred_at=row.occurred_at,
            recorded_at=row.created_at,
            error=error,
            pricing=MessagePricing.of(row.pricing),
            participant=participant,
        )


@strawberry.type(description="What a customer's edit replaced.")
class MessageRevision:
    text: str | None = strawberry.field(
        description="The text before the edit; null for a message we first saw edited."
    )
    content: JSON | None = strawberry.field(description="The content before the edit.")
    replaced_at: datetime = strawberry.field(description="When the edit replaced it.")

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> MessageRevision:
        return cls(
            text=raw.get("text"),
            content=JSON(raw.get("content")),
            replaced_at=datetime.fromisoformat(raw["replacedAt"]),
        )


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


@strawberry.type(description="A message sent, scheduled or received.")
class Message:
    id: strawberry.ID = strawberry.field(description="Ours.")
    wamid: str | None = strawberry.field(description="Meta's message id, once Meta accepted it.")
    direction: MessageDirection = strawberry.field(description="Who sent it.")
    type: MessageType = strawberry.field(description="What it carries.")
    status: MessageStatus = strawberry.field(description="Where it is in its life.")
    phone_number_id: str = strawberry.field(description="Our business number's id at Meta.")
    to: str = strawberry.field(
        description="Recipient: the customer (their number, else their BSUID), or our "
        "phone-number id."
    )
    from_: str = strawberry.field(name="from", description="Sender, the other way round.")
    text: str | None = strawberry.field(description="A short human-readable preview.")
    content: JSON | None = strawberry.field(description="The content as it was given to us.")
    metadata: JSON | None = strawberry.field(description="Yours, as given when sending.")
    payload: JSON | None = strawberry.field(description="The exact Graph API request body.")
    error_code: int | None = strawberry.field(description="Meta's error code on failure.")
    error_title: str | None = strawberry.field(description="Meta's error title on failure.")
    error_details: str | None = strawberry.field(description="Meta's error details on failure.")
    template_name: str | None = strawberry.field(description="For template messages.")
    template_language: str | None = strawberry.field(description="For template messages.")
    attempts: int = strawberry.field(description="Sends tried so far (retries included).")
    scheduled_for: datetime | None = strawberry.field(description="When it is due to be sent.")
    sent_at: datetime | None = strawberry.field(description="When Meta reported it sent.")
    delivered_at: datetime | None = strawberry.field(description="When it reached the phone.")
    read_at: datetime | None = strawberry.field(description="When the customer read it.")
    failed_at: datetime | None = strawberry.field(description="When it failed for good.")
    received_at: datetime | None = strawberry.field(description="Inbound: when it arrived.")
    origin: MessageOrigin | None = strawberry.field(
        description="Outbound: written through wagraph (API) or in the WhatsApp Business app "
        "(BUSINESS_APP); null for inbound."
    )
    edited_at: datetime | None = strawberry.field(
        description="When the customer last edited it (text and content are the edited ones)."
    )
    deleted_at: datetime | None = strawberry.field(
        description="When the customer deleted it (its content is kept for the record)."
    )
    created_at: datetime = strawberry.field(description="When we stored it.")
    updated_at: datetime = strawberry.field(description="Its last change.")
    _row: strawberry.Private[WhatsAppMessage]

    @strawberry.field(description="What Meta charges for it, from its latest status with pricing.")
    def pricing(self) -> MessagePricing | None:
        return MessagePricing.of(self._row.pricing)

    @strawberry.field(description="What each edit replaced, oldest first.")
    def revisions(self) -> list[MessageRevision]:
        return [MessageRevision.of(raw) for raw in self._row.revisions or []]

    @strawberry.field(
        description="Every status Meta reported (sent, delivered, read, failed), in the order "
        "they happened, each with its time, error and pricing; for a group message, every "
        "participant's."
    )
    async def status_history(self, info: Info) -> list[MessageStatusChange]:
        rows = await info.context.loaders.message_statuses.load(self._row.id)
        return [MessageStatusChange.from_model(row) for row in rows]

    @strawberry.field(description="The group it was written in or sent to.")
    async def group(self, info: Info) -> LazyGroup | None:
        from schema.groups import Group

        key = self._row.group_id
        row = await info.context.loaders.group.load(key) if key else None
        return Group.from_model(row) if row else None

    @strawberry.field(description="The customer.")
    async def contact(self, info: Info) -> LazyContact | None:
        from schema.conversations import Contact

        key = self._row.contact_id
        row = await info.context.loaders.contact.load(key) if key else None
        return Contact.from_model(row) if row else None

    @strawberry.field(description="The session it belongs to.")
    async def session(self, info: Info) -> LazySession | None:
        from schema.conversations import Session

        key = self._row.session_id
        row = await info.context.loaders.session.load(key) if key else None
        return Session.from_model(row) if row else None

    @strawberry.field(description="The template it was sent from.")
    async def template(self, info: Info) -> Template | None:
        key = self._row.template_id
        row = await info.context.loaders.template.load(key) if key else None
        return Template.from_model(row) if row else None

    @strawberry.field(description="The message this one replies or reacts to.")
    async def reply_to(self, info: Info) -> Message | None:
        key = self._row.reply_to_id
        row = await info.context.loaders.message.load(key) if key else None
        return Message.from_model(row) if row else None

    @strawberry.field(description="The wamid it replies or reacts to, even if not stored here.")
    def reply_to_wamid(self) -> str | None:
        return self._row.reply_to_wamid

    @classmethod
    def from_model(cls, row: WhatsAppMessage) -> Message:
        outbound = row.direction == MessageDirection.OUTBOUND
        customer = row.customer_wa_id or row.customer_bsuid or ""
        if outbound and row.group_id is not None:  # sent to a group: its id, as Meta got it
            customer = str((unread_is_none(row, "payload") or {}).get("to") or "")
        return cls(
            id=strawberry.ID(str(row.id)),
            wamid=row.wamid,
            direction=row.direction,
            type=row.type,
            status=row.status,
            phone_number_id=row.phone_number_id,
            to=customer if outbound else row.phone_number_id,
            from_=row.phone_number_id if outbound else customer,
            text=row.text,
            content=JSON(unread_is_none(row, "content")),
            metadata=JSON(unread_is_none(row, "metadata")),
            payload=JSON(unread_is_none(row, "payload")),
            error_code=row.error_code,
            error_title=row.error_title,
            error_details=row.error_details,
            template_name=row.template_name,
            template_language=row.template_language,
            attempts=row.attempts,
            scheduled_for=row.scheduled_for,
            sent_at=row.sent_at,
            delivered_at=row.delivered_at,
            read_at=row.read_at,
            failed_at=row.failed_at,
            received_at=row.received_at,
            origin=(row.origin or MessageOrigin.API) if outbound else None,
            edited_at=row.edited_at,
            deleted_at=row.deleted_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            _row=row,
        )


@strawberry.type(description="A page of messages, newest first.")
class MessageConnection(Connection[Message]):
    pass


@strawberry.input(description="Every given condition must hold.")
class MessageFilter:
    status: list[MessageStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    type: list[MessageType] | None = strawberry.field(
        default=None, description="Any of these types."
    )
    direction: MessageDirection | None = strawberry.field(
        default=None, description="Only sent, or only received."
    )
    to: str | None = strawberry.field(
        default=None, description="The customer's number, or their business-scoped user id."
    )
    phone_number_id: str | None = strawberry.field(
        default=None, description="Our business number's id."
    )
    session_id: strawberry.ID | None = strawberry.field(
        default=None, description="The session's id."
    )
    template_name: str | None = strawberry.field(
        default=None, description="Sent from this template."
    )
    created_after: datetime | None = strawberry.field(default=None, description="Inclusive.")
    created_before: datetime | None = strawberry.field(default=None, description="Exclusive.")


# -- sends -------------------------------------------------------------------------------------


@strawberry.input(description="Attach the message to a session, by id or flow token.")
class SessionHintInput:
    id: strawberry.ID | None = strawberry.field(default=None, description="The session's id.")
    flow_token: str | None = strawberry.field(default=None, description="The session's flow token.")
    tags: list[str] | None = strawberry.field(
        default=None, description="Tags to add to the session."
    )
    context: JSON | None = strawberry.field(
        default=None, description="An object merged into the session's context."
    )


@strawberry.input(
    description="A free-form message, to a customer or a group (`to` with recipientType "
    "GROUP); outside the 24-hour window, send a template."
)
class SendMessageInput:
    to: str = strawberry.field(description=TO)
    recipient_type: RecipientType = strawberry.field(
        default=RecipientType.INDIVIDUAL, description=RECIPIENT_TYPE
    )
    content: MessageContentInput = strawberry.field(description="What to send.")
    phone_number_id: str | None = strawberry.field(
        default=None, description="Business number to send from; defaults to the configured one."
    )
    reply_to: str | None = strawberry.field(
        default=None, description="Our message id or a wamid to quote."
    )
    metadata: JSON | None = strawberry.field(
        default=None, description="An object of yours, stored and returned with the message."
    )
    session: SessionHintInput | None = strawberry.field(
        default=None, description="The session to attach it to."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Repeating a key returns the first result and sends nothing."
    )
    schedule_for: datetime | None = strawberry.field(
        default=None,
        description="Send at this time (timezone required, up to 30 days ahead) instead of now.",
    )


@strawberry.input(description="An approved template, with its parameters.")
class SendTemplateInput:
    to: str = strawberry.field(description=TO)
    recipient_type: RecipientType = strawberry.field(
        default=RecipientType.INDIVIDUAL, description=RECIPIENT_TYPE
    )
    name: str = strawberry.field(description="The template's name.")
    language: str = strawberry.field(description="The template's language, e.g. en_US.")
    phone_number_id: str | None = strawberry.field(
        default=None, description="Business number to send from; defaults to the configured one."
    )
    header: TemplateParameterInput | None = strawberry.field(
        default=None,
        description="The header's parameter: a media or location header's, or a text header's "
        "{{1}} (a NAMED template's text header takes namedHeader).",
    )
    body: list[TemplateParameterInput] | None = strawberry.field(
        default=None,
        description="The body's parameters, in order: {{1}}, {{2}}, … (POSITIONAL templates).",
    )
    named_header: NamedTemplateParameterInput | None = strawberry.field(
        default=None,
        description="A NAMED template's text header parameter, by name, instead of header.",
    )
    named_body: list[NamedTemplateParameterInput] | None = strawberry.field(
        default=None,
        description="A NAMED template's body parameters ({{first_name}}), by name, instead of "
        "body: one per placeholder, in any order. A send gives its text parameters all by name "
        "or all in order; the template's parameterFormat says which.",
    )
    buttons: list[TemplateButtonInput] | None = strawberry.field(
        default=None, description="The buttons' parameters."
    )
    metadata: JSON | None = strawberry.field(
        default=None, description="An object of yours, stored and returned with the message."
    )
    session: SessionHintInput | None = strawberry.field(
        default=None, description="The session to attach it to."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Repeating a key returns the first result and sends nothing."
    )
    schedule_for: datetime | None = strawberry.field(
        default=None, description="Send at this time instead of now; parameters are checked now."
    )


@strawberry.input(description="A reaction to a message.")
class SendReactionInput:
    message_id: strawberry.ID = strawberry.field(description="Our message id or a wamid.")
    emoji: str = strawberry.field(description='One emoji; "" removes the reaction.')
    phone_number_id: str | None = strawberry.field(
        default=None, description="Business number to send from; defaults to the message's."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Repeating a key returns the first result and sends nothing."
    )


# -- payloads ----------------------------------------------------------------------------------


@strawberry.type(description="The message sent, scheduled, cancelled or moved, or why not.")
class SendMessagePayload:
    message: Message | None = strawberry.field(
        default=None, description="Also set when Meta refused it (FAILED, with an error)."
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )
    replayed: bool = strawberry.field(
        default=False, description="True when an idempotencyKey matched an earlier send."
    )

    @classmethod
    def from_result(cls, result: SendResult) -> SendMessagePayload:
        """A refusal by Meta is stored on the message and reported beside it."""
        errors = [UserError.from_problem(result.problem)] if result.problem else []
        return cls(
            message=Message.from_model(result.message), errors=errors, replayed=result.replayed
        )


@strawberry.type(description="The message marked as read, or why not.")
class MarkAsReadPayload:
    message: Message | None = strawberry.field(default=None, description="The message.")
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


@strawberry.type(description="The uploaded media, or why not.")
class UploadMediaPayload:
    media: Media | None = strawberry.field(default=None, description="Send it by id or metaId.")
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )
