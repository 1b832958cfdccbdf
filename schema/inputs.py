"""GraphQL inputs. Field names follow the Graph API's, in camelCase (API.md).

The core takes the same shapes as plain dicts; `to_plain` converts one into the other.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types.base import has_object_definition
from strawberry.utils.str_converters import to_camel_case

from schema.enums import MessageDirection, MessageStatus, MessageType, TemplateButtonSubType


def to_plain(value: Any) -> Any:
    """An input object as the core's camelCase dict; unset and null fields are left out."""
    if has_object_definition(value):
        plain: dict[str, Any] = {}
        for f in value.__strawberry_definition__.fields:
            item = getattr(value, f.python_name)
            if item is None or item is strawberry.UNSET:
                continue
            plain[f.graphql_name or to_camel_case(f.python_name)] = to_plain(item)
        return plain
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_plain(dataclasses.asdict(value))
    return value


# -- message content ---------------------------------------------------------------------------


@strawberry.input
class TextInput:
    body: str
    preview_url: bool | None = None


@strawberry.input(description="Exactly one of mediaId (from uploadMedia, ours or Meta's) or link.")
class MediaInput:
    media_id: str | None = None
    link: str | None = None
    caption: str | None = None
    filename: str | None = strawberry.field(default=None, description="Documents only.")
    voice: bool | None = strawberry.field(default=None, description="Audio only: a voice note.")


@strawberry.input
class LocationInput:
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


@strawberry.input
class ContactNameInput:
    formatted_name: str
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    suffix: str | None = None
    prefix: str | None = None


@strawberry.input
class ContactPhoneInput:
    phone: str
    type: str | None = None
    wa_id: str | None = None


@strawberry.input
class ContactEmailInput:
    email: str
    type: str | None = None


@strawberry.input
class ContactUrlInput:
    url: str
    type: str | None = None


@strawberry.input
class ContactOrgInput:
    company: str | None = None
    department: str | None = None
    title: str | None = None


@strawberry.input
class ContactAddressInput:
    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    country_code: str | None = None
    type: str | None = None


@strawberry.input
class ContactCardInput:
    name: ContactNameInput
    phones: list[ContactPhoneInput] | None = None
    emails: list[ContactEmailInput] | None = None
    urls: list[ContactUrlInput] | None = None
    org: ContactOrgInput | None = None
    addresses: list[ContactAddressInput] | None = None
    birthday: str | None = strawberry.field(default=None, description="YYYY-MM-DD")


@strawberry.input(one_of=True, description="A text header or a media header.")
class InteractiveHeaderInput:
    text: str | None = strawberry.UNSET
    image: MediaInput | None = strawberry.UNSET
    video: MediaInput | None = strawberry.UNSET
    document: MediaInput | None = strawberry.UNSET


@strawberry.input
class ReplyButtonInput:
    id: str
    title: str


@strawberry.input(description="Up to 3 reply buttons.")
class ButtonsInput:
    body: str
    buttons: list[ReplyButtonInput]
    header: InteractiveHeaderInput | None = None
    footer: str | None = None


@strawberry.input
class ListRowInput:
    id: str
    title: str
    description: str | None = None


@strawberry.input
class ListSectionInput:
    rows: list[ListRowInput]
    title: str | None = None


@strawberry.input(description="A list message: up to 10 sections and 10 rows in all.")
class ListInput:
    body: str
    button_text: str
    sections: list[ListSectionInput]
    header: str | None = None
    footer: str | None = None


@strawberry.input(description="A call-to-action URL button.")
class CtaUrlInput:
    body: str
    display_text: str
    url: str
    header: InteractiveHeaderInput | None = None
    footer: str | None = None


@strawberry.input(description="Opens a WhatsApp Flow; a flowToken is created when none is given.")
class FlowInput:
    body: str
    flow_cta: str
    flow_id: str | None = None
    flow_name: str | None = None
    flow_token: str | None = None
    screen: str | None = None
    data: JSON | None = None
    mode: str | None = strawberry.field(default=None, description="draft or published")
    action: str | None = strawberry.field(default=None, description="navigate or data_exchange")
    header: InteractiveHeaderInput | None = None
    footer: str | None = None


@strawberry.input(one_of=True, description="Exactly one kind of content.")
class MessageContentInput:
    text: TextInput | None = strawberry.UNSET
    image: MediaInput | None = strawberry.UNSET
    video: MediaInput | None = strawberry.UNSET
    audio: MediaInput | None = strawberry.UNSET
    document: MediaInput | None = strawberry.UNSET
    sticker: MediaInput | None = strawberry.UNSET
    location: LocationInput | None = strawberry.UNSET
    contacts: list[ContactCardInput] | None = strawberry.UNSET
    buttons: ButtonsInput | None = strawberry.UNSET
    list_: ListInput | None = strawberry.field(name="list", default=strawberry.UNSET)
    cta_url: CtaUrlInput | None = strawberry.UNSET
    flow: FlowInput | None = strawberry.UNSET


@strawberry.input(description="Attach the message to a session, by id or flow token.")
class SessionHintInput:
    id: strawberry.ID | None = None
    flow_token: str | None = None
    tags: list[str] | None = None
    context: JSON | None = None


@strawberry.input
class SendMessageInput:
    to: str = strawberry.field(description="Phone number, with or without +.")
    content: MessageContentInput
    phone_number_id: str | None = strawberry.field(
        default=None, description="Business number to send from; defaults to the configured one."
    )
    reply_to: str | None = strawberry.field(
        default=None, description="Our message id or a wamid to quote."
    )
    metadata: JSON | None = None
    session: SessionHintInput | None = None
    idempotency_key: str | None = strawberry.field(
        default=None, description="Repeating a key returns the first result and sends nothing."
    )
    schedule_for: datetime | None = strawberry.field(
        default=None,
        description="Send at this time (timezone required, up to 30 days ahead) instead of now.",
    )


# -- templates ---------------------------------------------------------------------------------


@strawberry.input
class CurrencyInput:
    fallback_value: str
    code: str
    amount_1000: int = strawberry.field(name="amount1000")


@strawberry.input
class DateTimeParameterInput:
    fallback_value: str


@strawberry.input(one_of=True)
class TemplateParameterInput:
    text: str | None = strawberry.UNSET
    currency: CurrencyInput | None = strawberry.UNSET
    date_time: DateTimeParameterInput | None = strawberry.UNSET
    image: MediaInput | None = strawberry.UNSET
    video: MediaInput | None = strawberry.UNSET
    document: MediaInput | None = strawberry.UNSET
    location: LocationInput | None = strawberry.UNSET


@strawberry.input
class TemplateButtonInput:
    index: int
    sub_type: TemplateButtonSubType
    parameter: str


@strawberry.input
class SendTemplateInput:
    to: str
    name: str
    language: str
    phone_number_id: str | None = None
    header: TemplateParameterInput | None = None
    body: list[TemplateParameterInput] | None = None
    buttons: list[TemplateButtonInput] | None = None
    metadata: JSON | None = None
    session: SessionHintInput | None = None
    idempotency_key: str | None = None
    schedule_for: datetime | None = strawberry.field(
        default=None, description="Send at this time instead of now; parameters are checked now."
    )


@strawberry.input
class SendReactionInput:
    message_id: strawberry.ID = strawberry.field(description="Our message id or a wamid.")
    emoji: str = strawberry.field(description='One emoji; "" removes the reaction.')
    phone_number_id: str | None = None
    idempotency_key: str | None = None


# -- filters -----------------------------------------------------------------------------------


@strawberry.input
class MessageFilter:
    status: list[MessageStatus] | None = None
    type: list[MessageType] | None = None
    direction: MessageDirection | None = None
    to: str | None = strawberry.field(default=None, description="The customer's number.")
    phone_number_id: str | None = None
    session_id: strawberry.ID | None = None
    template_name: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
