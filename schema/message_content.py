"""What a message carries: the one-of content of `sendMessage` and the parameters of
`sendTemplate`. Field names follow the Graph API's, in camelCase (API.md); the core takes the
same shapes as plain dicts (`schema.plain.to_plain`).
"""

from __future__ import annotations

from enum import StrEnum

import strawberry
from strawberry.scalars import JSON

UNSET = strawberry.UNSET

# -- media, location, contact cards ------------------------------------------------------------


@strawberry.input(description="A text message.")
class TextInput:
    body: str = strawberry.field(description="The text, up to 4096 characters.")
    preview_url: bool | None = strawberry.field(
        default=None, description="Show a preview of the first URL in the body."
    )


@strawberry.input(description="Exactly one of mediaId (from uploadMedia, ours or Meta's) or link.")
class MediaInput:
    media_id: str | None = strawberry.field(
        default=None, description="Our media id or Meta's, from uploadMedia."
    )
    link: str | None = strawberry.field(default=None, description="A public HTTPS URL.")
    caption: str | None = strawberry.field(
        default=None, description="Shown under images, videos and documents."
    )
    filename: str | None = strawberry.field(default=None, description="Documents only.")
    voice: bool | None = strawberry.field(default=None, description="Audio only: a voice note.")


@strawberry.input(description="A pin on the map.")
class LocationInput:
    latitude: float = strawberry.field(description="Degrees, -90 to 90.")
    longitude: float = strawberry.field(description="Degrees, -180 to 180.")
    name: str | None = strawberry.field(default=None, description="The place's name.")
    address: str | None = strawberry.field(default=None, description="The place's address.")


@strawberry.input(description="The name on a contact card.")
class ContactNameInput:
    formatted_name: str = strawberry.field(description="The full name, as shown.")
    first_name: str | None = strawberry.field(default=None, description="Given name.")
    last_name: str | None = strawberry.field(default=None, description="Family name.")
    middle_name: str | None = strawberry.field(default=None, description="Middle name.")
    suffix: str | None = strawberry.field(default=None, description="Name suffix, e.g. Jr.")
    prefix: str | None = strawberry.field(default=None, description="Name prefix, e.g. Dr.")


@strawberry.input(description="A phone number on a contact card.")
class ContactPhoneInput:
    phone: str = strawberry.field(description="The number, as it should be shown.")
    type: str | None = strawberry.field(default=None, description="HOME, WORK, CELL, ...")
    wa_id: str | None = strawberry.field(
        default=None, description="Their WhatsApp id: adds a Message button to the card."
    )


@strawberry.input(description="An email address on a contact card.")
class ContactEmailInput:
    email: str = strawberry.field(description="The address.")
    type: str | None = strawberry.field(default=None, description="HOME or WORK.")


@strawberry.input(description="A web address on a contact card.")
class ContactUrlInput:
    url: str = strawberry.field(description="The URL.")
    type: str | None = strawberry.field(default=None, description="HOME or WORK.")


@strawberry.input(description="Where the contact works.")
class ContactOrgInput:
    company: str | None = strawberry.field(default=None, description="Company name.")
    department: str | None = strawberry.field(default=None, description="Department.")
    title: str | None = strawberry.field(default=None, description="Job title.")


@strawberry.input(description="A postal address on a contact card.")
class ContactAddressInput:
    street: str | None = strawberry.field(default=None, description="Street and number.")
    city: str | None = strawberry.field(default=None, description="City.")
    state: str | None = strawberry.field(default=None, description="State or region.")
    zip: str | None = strawberry.field(default=None, description="Postal code.")
    country: str | None = strawberry.field(default=None, description="Country name.")
    country_code: str | None = strawberry.field(
        default=None, description="Two-letter country code."
    )
    type: str | None = strawberry.field(default=None, description="HOME or WORK.")


@strawberry.input(description="One contact card.")
class ContactCardInput:
    name: ContactNameInput = strawberry.field(description="Required by WhatsApp.")
    phones: list[ContactPhoneInput] | None = strawberry.field(
        default=None, description="Phone numbers."
    )
    emails: list[ContactEmailInput] | None = strawberry.field(
        default=None, description="Email addresses."
    )
    urls: list[ContactUrlInput] | None = strawberry.field(
        default=None, description="Web addresses."
    )
    org: ContactOrgInput | None = strawberry.field(default=None, description="Where they work.")
    addresses: list[ContactAddressInput] | None = strawberry.field(
        default=None, description="Postal addresses."
    )
    birthday: str | None = strawberry.field(default=None, description="YYYY-MM-DD")


# -- interactive -------------------------------------------------------------------------------


@strawberry.input(one_of=True, description="A text header or a media header.")
class InteractiveHeaderInput:
    text: str | None = strawberry.field(default=UNSET, description="A text header.")
    image: MediaInput | None = strawberry.field(default=UNSET, description="An image header.")
    video: MediaInput | None = strawberry.field(default=UNSET, description="A video header.")
    document: MediaInput | None = strawberry.field(default=UNSET, description="A document header.")


@strawberry.input(description="A reply button; its id comes back when the customer taps it.")
class ReplyButtonInput:
    id: str = strawberry.field(description="Yours, unique within the message.")
    title: str = strawberry.field(description="The label, up to 20 characters.")


@strawberry.input(description="Up to 3 reply buttons.")
class ButtonsInput:
    body: str = strawberry.field(description="The message text.")
    buttons: list[ReplyButtonInput] = strawberry.field(description="1 to 3 buttons.")
    header: InteractiveHeaderInput | None = strawberry.field(
        default=None, description="Above the body."
    )
    footer: str | None = strawberry.field(default=None, description="Below the body.")


@strawberry.input(description="A row of a list; its id comes back when the customer picks it.")
class ListRowInput:
    id: str = strawberry.field(description="Yours, unique within the message.")
    title: str = strawberry.field(description="The row's label, up to 24 characters.")
    description: str | None = strawberry.field(default=None, description="Under the title.")


@strawberry.input(description="A titled group of rows.")
class ListSectionInput:
    rows: list[ListRowInput] = strawberry.field(description="The section's rows.")
    title: str | None = strawberry.field(
        default=None, description="Required when there are several sections."
    )


@strawberry.input(description="A list message: up to 10 sections and 10 rows in all.")
class ListInput:
    body: str = strawberry.field(description="The message text.")
    button_text: str = strawberry.field(description="The button that opens the list.")
    sections: list[ListSectionInput] = strawberry.field(description="1 to 10 sections.")
    header: str | None = strawberry.field(default=None, description="A text header.")
    footer: str | None = strawberry.field(default=None, description="Below the body.")


@strawberry.input(description="A call-to-action URL button.")
class CtaUrlInput:
    body: str = strawberry.field(description="The message text.")
    display_text: str = strawberry.field(description="The button's label.")
    url: str = strawberry.field(description="Opened when the customer taps the button.")
    header: InteractiveHeaderInput | None = strawberry.field(
        default=None, description="Above the body."
    )
    footer: str | None = strawberry.field(default=None, description="Below the body.")


@strawberry.input(description="Opens a WhatsApp Flow; a flowToken is created when none is given.")
class FlowInput:
    body: str = strawberry.field(description="The message text.")
    flow_cta: str = strawberry.field(description="The button that opens the Flow.")
    flow_id: str | None = strawberry.field(default=None, description="Meta's Flow id.")
    flow_name: str | None = strawberry.field(
        default=None, description="The Flow's name, instead of flowId."
    )
    flow_token: str | None = strawberry.field(
        default=None, description="Ties the Flow's replies to a session."
    )
    screen: str | None = strawberry.field(
        default=None, description="The first screen (navigate mode)."
    )
    data: JSON | None = strawberry.field(
        default=None, description="Initial data for the first screen."
    )
    mode: str | None = strawberry.field(default=None, description="draft or published")
    action: str | None = strawberry.field(default=None, description="navigate or data_exchange")
    header: InteractiveHeaderInput | None = strawberry.field(
        default=None, description="Above the body."
    )
    footer: str | None = strawberry.field(default=None, description="Below the body.")


@strawberry.input(one_of=True, description="Exactly one kind of content.")
class MessageContentInput:
    text: TextInput | None = strawberry.field(default=UNSET, description="Plain text.")
    image: MediaInput | None = strawberry.field(default=UNSET, description="An image.")
    video: MediaInput | None = strawberry.field(default=UNSET, description="A video.")
    audio: MediaInput | None = strawberry.field(
        default=UNSET, description="Audio, or a voice note."
    )
    document: MediaInput | None = strawberry.field(default=UNSET, description="A document.")
    sticker: MediaInput | None = strawberry.field(default=UNSET, description="A sticker.")
    location: LocationInput | None = strawberry.field(default=UNSET, description="A location.")
    contacts: list[ContactCardInput] | None = strawberry.field(
        default=UNSET, description="Contact cards."
    )
    buttons: ButtonsInput | None = strawberry.field(
        default=UNSET, description="Text with reply buttons."
    )
    list_: ListInput | None = strawberry.field(
        name="list", default=UNSET, description="A list to pick from."
    )
    cta_url: CtaUrlInput | None = strawberry.field(
        default=UNSET, description="Text with a URL button."
    )
    flow: FlowInput | None = strawberry.field(default=UNSET, description="A WhatsApp Flow.")


# -- template parameters -----------------------------------------------------------------------


@strawberry.input(description="An amount of money, shown in the customer's locale.")
class CurrencyInput:
    fallback_value: str = strawberry.field(description="Shown where it cannot be localised.")
    code: str = strawberry.field(description="ISO 4217, e.g. USD.")
    amount_1000: int = strawberry.field(
        name="amount1000", description="The amount times 1000 (12.34 is 12340)."
    )


@strawberry.input(description="A date and time parameter.")
class DateTimeParameterInput:
    fallback_value: str = strawberry.field(description="The date and time, as shown.")


@strawberry.input(one_of=True, description="One template parameter: exactly one kind of value.")
class TemplateParameterInput:
    text: str | None = strawberry.field(default=UNSET, description="Text.")
    currency: CurrencyInput | None = strawberry.field(
        default=UNSET, description="An amount of money."
    )
    date_time: DateTimeParameterInput | None = strawberry.field(
        default=UNSET, description="A date and time."
    )
    image: MediaInput | None = strawberry.field(default=UNSET, description="An image header.")
    video: MediaInput | None = strawberry.field(default=UNSET, description="A video header.")
    document: MediaInput | None = strawberry.field(default=UNSET, description="A document header.")
    location: LocationInput | None = strawberry.field(
        default=UNSET, description="A location header."
    )


@strawberry.input(
    description="A parameter of a template created with named placeholders "
    '(parameter_format NAMED): `{ name: "first_name", parameter: { text: "Ana" } }` fills '
    "{{first_name}}. Order does not matter; each placeholder is given once."
)
class NamedTemplateParameterInput:
    name: str = strawberry.field(
        description="The placeholder's name without braces: first_name for {{first_name}}."
    )
    parameter: TemplateParameterInput = strawberry.field(
        description="Its value: text, currency or dateTime."
    )


@strawberry.enum(description="The kind of template button a parameter fills.")
class TemplateButtonSubType(StrEnum):
    QUICK_REPLY = "QUICK_REPLY"
    URL = "URL"
    COPY_CODE = "COPY_CODE"
    FLOW = "FLOW"


@strawberry.input(description="The parameter of one of the template's buttons.")
class TemplateButtonInput:
    index: int = strawberry.field(description="The button's position in the template, from 0.")
    sub_type: TemplateButtonSubType = strawberry.field(description="The button's kind.")
    parameter: str = strawberry.field(
        description="The URL suffix, the quick-reply payload, the code, or the flow token."
    )
